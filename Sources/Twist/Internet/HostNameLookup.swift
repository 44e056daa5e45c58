import Glibc
import TwistCore

/// The blocking `getaddrinfo` call behind every name lookup, run on a thread of its own by its
/// callers (``Reactor/resolveHostName(_:port:)`` and a connector aimed at a name).
enum HostNameLookup {
    /// The IPv4 and IPv6 stream addresses of `host` for `port`, in the system's order, each once;
    /// a ``DNSLookupError`` with the system's reason when the lookup fails or finds none. A host name in Unicode is encoded with IDNA by glibc (`AI_IDN`).
    static func addresses(of host: String, port: Int) -> Result<[SystemAddress], DNSLookupError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        if host.utf8.contains(where: { $0 >= 0x80 }) { hints.ai_flags = idnaFlag }
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        defer { if let results { freeaddrinfo(results) } }
        guard status == 0 else {
            return .failure(DNSLookupError("\(host): \(String(cString: gai_strerror(status)))"))
        }
        var found: [SystemAddress] = []
        var seen = Set<IPAddress>()
        var next = results
        while let entry = next {
            defer { next = entry.pointee.ai_next }
            guard let address = entry.pointee.ai_addr,
                  entry.pointee.ai_family == AF_INET || entry.pointee.ai_family == AF_INET6
            else { continue }
            var storage = sockaddr_storage()
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(entry.pointee.ai_addrlen)))
            }
            let system = SystemAddress(storage: storage, length: entry.pointee.ai_addrlen)
            if seen.insert(system.ipAddress).inserted { found.append(system) }
        }
        guard !found.isEmpty else { return .failure(DNSLookupError("\(host): no addresses")) }
        return .success(found)
    }

    /// `AI_IDN` (glibc's, declared only under `_GNU_SOURCE`): encode a Unicode name with IDNA.
    /// Asked only for a name that is not ASCII, so a plain name never depends on libidn2.
    private static let idnaFlag: Int32 = 0x0040
}
