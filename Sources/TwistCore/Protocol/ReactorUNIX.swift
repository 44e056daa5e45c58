/// The UNIX-socket capability of a reactor (Twisted's `IReactorUNIX`): stream connections over
/// `AF_UNIX` sockets, on the same engine and with the same protocols as TCP.
///
/// A socket's name is given as text: a filesystem path (kept as given, not made absolute), or a
/// Linux abstract name written with a leading NUL (`"\0name"`) — no file is made for it, so there
/// is no mode, no lock file and nothing to remove.
public protocol ReactorUNIX: AnyObject {
    /// Listens on the UNIX socket `path`, building a protocol with `factory` for each connection.
    ///
    /// The socket file is made with exactly `mode` (the umask does not apply) and removed when
    /// the port stops listening. Anything already at `path` makes the call fail unless
    /// `wantPID` is set: then `<path>.lock` (a symbolic link to this process's ID) is taken
    /// first, and a stale socket left by a dead holder of the lock is replaced.
    ///
    /// - Throws: ``CannotListenError`` when the socket cannot be made (path in use or too long,
    ///   missing directory, lock held by a live process); a programming error — an abstract name
    ///   with `wantPID` — throws ``InvalidAddressError``.
    func listenUNIX(_ path: String, _ factory: Factory, backlog: Int, mode: Int, wantPID: Bool) throws -> any ListeningPort

    /// Connects to the UNIX socket `path`. Returns the connector at once; every failure — a
    /// missing path (``ConnectError``), nobody listening (``ConnectionRefusedError``), a full
    /// backlog (refused too), no live lock when `checkPID` is set (``BadFileError``), a timeout —
    /// reaches the factory's `clientConnectionFailed`, never the caller.
    @discardableResult
    func connectUNIX(_ path: String, _ factory: ClientFactory, timeout: Double, checkPID: Bool) -> any Connector
}
