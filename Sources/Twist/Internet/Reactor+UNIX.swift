import TwistCore

extension Reactor: ReactorUNIX {
    /// Listens on the UNIX socket `path` (a filesystem path, or `"\0name"` for a Linux abstract
    /// name) and serves each connection with a protocol from `factory`; see ``ReactorUNIX``.
    ///
    /// - Parameters:
    ///   - backlog: the kernel's queue of connections not yet accepted.
    ///   - mode: the socket file's permissions, set exactly after `bind` (not for abstract names).
    ///   - wantPID: take `<path>.lock` (a symbolic link to this process's ID) first, replacing a
    ///     stale lock and the stale socket beside it.
    /// - Throws: ``CannotListenError``, synchronously, when the socket cannot be made;
    ///   ``InvalidAddressError`` for an abstract name with `wantPID`.
    public nonisolated func listenUNIX(
        _ path: String, _ factory: Factory, backlog: Int = 50, mode: Int = 0o666, wantPID: Bool = false
    ) throws -> any ListeningPort {
        requireConfined()
        return try StreamPort(
            kind: UNIXPortKind(path: path, mode: mode, wantPID: wantPID), backlog: backlog, factory: factory,
            reactor: self
        )
    }

    /// Connects to the UNIX socket `path`; see ``ReactorUNIX``. `factory.startedConnecting` is
    /// called before this returns; every failure reaches `clientConnectionFailed` on a later loop
    /// pass.
    ///
    /// - Parameters:
    ///   - timeout: seconds before the attempt fails with ``ConnectTimeoutError`` (0: no timeout).
    ///   - checkPID: fail with ``BadFileError`` unless a live process holds `<path>.lock`.
    @discardableResult
    public nonisolated func connectUNIX(
        _ path: String, _ factory: ClientFactory, timeout: Double = 30, checkPID: Bool = false
    ) -> any Connector {
        requireConfined()
        let connector = StreamConnector(
            kind: UNIXConnectorKind(name: UNIXAddress(path), checkPID: checkPID), factory: factory, timeout: timeout,
            reactor: self
        )
        connector.connect()
        return connector
    }
}
