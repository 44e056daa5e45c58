import TwistCore

extension Reactor: ReactorSocketAdoption {
    /// Serves on the listening stream socket `fileDescriptor` of `family` (Twisted's
    /// `adoptStreamPort`) on the same engine as `listenTCP`/`listenUNIX`; see
    /// ``ReactorSocketAdoption``. The reactor works on a close-on-exec duplicate, made
    /// non-blocking; the caller keeps `fileDescriptor` and should close it. The port's address is
    /// the socket's own; stopping it closes the duplicate only (a UNIX socket's file stays).
    ///
    /// - Throws: ``CannotListenError``, synchronously, when `fileDescriptor` is not an open,
    ///   listening stream socket of `family`; the detail says what it is instead.
    public nonisolated func adoptStreamPort(
        _ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory
    ) throws -> any ListeningPort {
        requireConfined()
        return try StreamPort(
            kind: AdoptedPortKind(original: fileDescriptor, family: family), backlog: 0, factory: factory, reactor: self
        )
    }
}
