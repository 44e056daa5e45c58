import CSoakSupport
import Glibc

/// One client connection of a load run: bytes to send, the exact bytes expected back, and what
/// the peer must do afterwards. Driven by ``ExchangeDriver``; never touched by two threads.
public final class LoadConnection {
    /// How an exchange ended.
    public enum Outcome: Equatable {
        /// Everything expected arrived (and, if required, the peer then closed).
        case ok
        /// Something else happened; the text says what.
        case failed(String)
    }

    /// The socket (connected or connecting).
    public let fd: Int32
    /// What the scenario calls this connection, for failure messages.
    public let label: String
    /// Bytes to send, and how many went out.
    public var outgoing: [UInt8]
    public internal(set) var sent = 0
    /// The exact bytes the server must send back, and how many arrived (each checked byte for byte).
    public var expected: [UInt8]
    public internal(set) var received = 0
    /// The server must close the connection (end of file or reset) after the expected bytes.
    public let expectClose: Bool
    /// Leave the socket open when the exchange succeeds (the scenario goes on with it).
    public let keepOpen: Bool
    /// Set by the driver when the exchange is over.
    public internal(set) var outcome: Outcome?
    /// When the exchange started and ended (monotonic seconds).
    public let startedAt: Double
    public internal(set) var endedAt = 0.0
    var connected: Bool
    var writeFailed = false

    /// A connection to drive. `connected` is false for a socket whose non-blocking connect is in flight.
    public init(
        fd: Int32, label: String, outgoing: [UInt8], expected: [UInt8], expectClose: Bool = false,
        keepOpen: Bool = false, connected: Bool = false
    ) {
        self.fd = fd
        self.label = label
        self.outgoing = outgoing
        self.expected = expected
        self.expectClose = expectClose
        self.keepOpen = keepOpen
        self.connected = connected
        startedAt = monotonicNow()
    }

    /// Opens a non-blocking connection to 127.0.0.1:`port` (SO_RCVBUF set first when `receiveBuffer` > 0).
    public static func open(
        port: Int, label: String, outgoing: [UInt8], expected: [UInt8], expectClose: Bool = false,
        keepOpen: Bool = false, receiveBuffer: Int = 0
    ) throws(LoadError) -> LoadConnection {
        let fd = soak_connect_loopback(Int32(port), Int32(receiveBuffer))
        guard fd >= 0 else { throw LoadError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        return LoadConnection(
            fd: fd, label: label, outgoing: outgoing, expected: expected, expectClose: expectClose, keepOpen: keepOpen)
    }

    var wantsWrite: Bool { !connected || (sent < outgoing.count && !writeFailed) }
    var isDone: Bool { outcome != nil }
}

/// A failure of the load client itself (not of the server under test).
public struct LoadError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
