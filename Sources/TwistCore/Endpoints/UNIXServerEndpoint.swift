/// Listens on a UNIX socket (Twisted's `UNIXServerEndpoint`); the description string
/// `unix:ADDRESS[:mode=OCTAL][:backlog=N][:lockfile=0|1]` makes one.
public final class UNIXServerEndpoint: ServerEndpoint {
    /// The reactor that listens.
    public let reactor: any ReactorUNIX
    /// The socket's name: a path, or an abstract name with a leading NUL.
    public let path: String
    /// The listen queue's length.
    public let backlog: Int
    /// The socket file's mode.
    public let mode: Int
    /// Whether a `<path>.lock` lock file is taken (see ``ReactorUNIX``).
    public let wantPID: Bool

    /// An endpoint for `path`, with Twisted's defaults (backlog 50, mode 0o666, no lock file —
    /// unlike a description string, where `lockfile` defaults to 1). Nothing happens until
    /// ``listen(_:)``.
    public init(reactor: any ReactorUNIX, path: String, backlog: Int = 50, mode: Int = 0o666, wantPID: Bool = false) {
        self.reactor = reactor
        self.path = path
        self.backlog = backlog
        self.mode = mode
        self.wantPID = wantPID
    }

    /// Calls `listenUNIX` now, with `factory` as it is; the Deferred has fired when it is
    /// returned: with the port, or with the error `listenUNIX` threw.
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        listening { try reactor.listenUNIX(path, factory, backlog: backlog, mode: mode, wantPID: wantPID) }
    }

    /// `unix:PATH` (escaped), then `mode=` (octal) and `backlog=` when they differ from the
    /// defaults, and always `lockfile=0|1`, since a description string without it means 1.
    public var description: String {
        var text = "unix:\(EndpointDescription.quotePositional(path))"
        if mode != 0o666 { text += ":mode=\(String(mode, radix: 8))" }
        if backlog != 50 { text += ":backlog=\(backlog)" }
        return text + ":lockfile=\(wantPID ? 1 : 0)"
    }
}
