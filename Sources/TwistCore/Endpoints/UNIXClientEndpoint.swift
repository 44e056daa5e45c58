/// Connects to a UNIX socket (Twisted's `UNIXClientEndpoint`); the description string
/// `unix:PATH[:timeout=SECONDS][:checkPID=0|1]` makes one (`lockfile=` is a synonym of
/// `checkPID=`).
public final class UNIXClientEndpoint: ClientEndpoint {
    /// The reactor that connects.
    public let reactor: any ReactorUNIX
    /// The socket's name: a path, or an abstract name with a leading NUL.
    public let path: String
    /// How long one attempt may take, in seconds.
    public let timeout: Double
    /// Whether a live `<path>.lock` is required (see ``ReactorUNIX``).
    public let checkPID: Bool

    /// An endpoint for `path`, with Twisted's defaults (30 s, no lock check). Nothing happens
    /// until ``connect(_:)``.
    public init(reactor: any ReactorUNIX, path: String, timeout: Double = 30, checkPID: Bool = false) {
        self.reactor = reactor
        self.path = path
        self.timeout = timeout
        self.checkPID = checkPID
    }

    /// Calls `connectUNIX` now with a factory of its own around `factory`; see
    /// ``ClientEndpoint/connect(_:)`` for what the Deferred promises.
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        EndpointConnectionFactory(wrapping: factory).connect { wrapper in
            reactor.connectUNIX(path, wrapper, timeout: timeout, checkPID: checkPID)
        }
    }

    /// `unix:PATH` (escaped), then `timeout=` when it is not 30 and `checkPID=1` when set.
    public var description: String {
        var text = "unix:\(EndpointDescription.quotePositional(path))"
        if timeout != 30 { text += ":timeout=\(secondsText(timeout))" }
        if checkPID { text += ":checkPID=1" }
        return text
    }
}
