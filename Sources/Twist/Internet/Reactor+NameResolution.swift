import TwistCore

extension Reactor: HostNameResolver {
    /// Resolves `host` with `getaddrinfo` on a thread of its own; see ``HostNameResolver``. The
    /// Deferred fires on the reactor thread with every IPv4 and IPv6 address, in the system's
    /// order, or with none when the lookup fails. Cancelling it fails it with ``CancelledError``
    /// at once; the lookup finishes in the background and its answer is dropped.
    public nonisolated func resolveHostName(_ host: String, port: Int) -> Deferred<[IPAddress]> {
        requireConfined()
        let resolved = Deferred<[IPAddress]> { _ in }
        if let numeric = IPAddress(numericHost: host, port: port) {
            try? resolved.callback([numeric])
            return resolved
        }
        let answer = UncheckedTransfer(resolved)
        DetachedThread.start { [self] in
            let addresses = (try? HostNameLookup.addresses(of: host, port: port).get())?.map(\.ipAddress) ?? []
            callFromThread {
                let resolved = answer.value
                guard !resolved.hasFired else { return }  // cancelled meanwhile
                try? resolved.callback(addresses)
            }
        }
        return resolved
    }
}
