/// How a ``ReactorGroup`` serves one listening address from all of its reactors.
public enum GroupListeningStrategy: Sendable, Hashable, CustomStringConvertible {
    /// Every reactor opens its own listening socket on the same address with `SO_REUSEPORT`, and
    /// the kernel picks a listener for each new connection by a hash of its addresses and ports.
    /// No hand-off at all, but the spread is only as even as the hash (uneven with few clients),
    /// and on Linux the connections waiting in a listener's queue when it closes are reset unless
    /// `net.ipv4.tcp_migrate_req` is 1. TCP only.
    case reusePort
    /// The first reactor accepts every connection and hands each accepted descriptor to the next
    /// reactor in round-robin order (itself included), which builds the protocol with its own
    /// factory on its own thread. An even spread, one listening socket, and one cross-thread
    /// hand-off per *connection* (none per message). TCP and UNIX sockets.
    case handOff

    /// "reuseport" or "handoff", as command lines spell it.
    public var description: String {
        switch self {
        case .reusePort: "reuseport"
        case .handOff: "handoff"
        }
    }

    /// The strategy named `text` ("reuseport" or "handoff"), or nil.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "reuseport", "reuse-port", "so_reuseport": self = .reusePort
        case "handoff", "hand-off": self = .handOff
        default: return nil
        }
    }
}
