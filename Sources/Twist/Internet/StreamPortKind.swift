import Logging
import TwistCore

/// What a listening ``StreamPort`` needs to know about one kind of socket — everything that
/// differs between a TCP port and a UNIX one; the accept loop, the out-of-descriptors handling
/// and the life cycle are the port's, once.
///
/// A kind is a small value the port owns; it is told when the port opens and when it closes, so
/// it may keep what it took on the way (a UNIX port's lock file).
protocol StreamPortKind {
    /// What the log lines call this kind of port: "TCP", "UNIX".
    static var logName: String { get }

    /// Makes the listening socket: creates, binds, sets it up and listens with `backlog`. Returns
    /// the non-blocking, close-on-exec descriptor and the address the port reports. Leaves
    /// nothing behind when it throws.
    ///
    /// - Throws: ``CannotListenError`` (or another ``NetworkError`` for a programming error).
    mutating func openListeningSocket(backlog: Int) throws -> (fd: Int32, address: Address)

    /// The address of a peer, from what `accept` reported.
    func peerAddress(_ accepted: SystemAddress) -> Address

    /// Wraps an accepted socket in this kind's connection; `portAddress` is the port's address.
    func makeConnection(fd: Int32, peer: Address, portAddress: Address, protocol: Protocol, reactor: Reactor)
        -> StreamConnection

    /// How log lines name the port at `address`: "8000" for TCP, "/run/app.sock" for UNIX.
    func logDescription(of address: Address) -> String

    /// The listening descriptor is closed: release what ``openListeningSocket(backlog:)`` took
    /// (a UNIX port removes its socket file and its lock). Called once.
    mutating func didClose(logger: Logger)
}
