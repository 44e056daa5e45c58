/// The errors of connections and ports, with Twisted's hierarchy (`twisted.internet.error`) as
/// class inheritance, so that `failure.check(ConnectionLost.self)` also matches a
/// ``ConnectionAborted``, as `reason.check(error.ConnectionLost)` does in Twisted.
///
/// Every one carries an optional detail text and, where the system reported one, its `errno`.
open class NetworkError: Error, CustomStringConvertible, @unchecked Sendable {
    /// What happened, in a few words (the class's own summary when nil).
    public let detail: String?
    /// The `errno` behind the error, when there was one.
    public let osError: Int32?

    /// An error with an optional detail and `errno`.
    public init(_ detail: String? = nil, osError: Int32? = nil) {
        self.detail = detail
        self.osError = osError
    }

    /// The summary of this kind of error.
    open var summary: String { "network error" }

    /// The ``summary``, then ": <detail>" when there is a detail and " (errno <n>)" when there is
    /// an `errno`; `failure.check` matches on the class, never on this text.
    public var description: String {
        var text = summary
        if let detail { text += ": \(detail)" }
        if let osError { text += " (errno \(osError))" }
        return text
    }
}

/// The connection is closed, for whatever reason (Twisted's `ConnectionClosed`).
open class ConnectionClosed: NetworkError, @unchecked Sendable {
    /// "the connection was closed".
    open override var summary: String { "the connection was closed" }
}

/// The connection was closed cleanly: the peer closed it, or we called `loseConnection()`
/// (Twisted's `ConnectionDone`).
open class ConnectionDone: ConnectionClosed, @unchecked Sendable {
    /// "the connection was closed cleanly".
    open override var summary: String { "the connection was closed cleanly" }
}

/// The connection was lost in a non-clean way (Twisted's `ConnectionLost`).
open class ConnectionLost: ConnectionClosed, @unchecked Sendable {
    /// "the connection was lost in a non-clean fashion".
    open override var summary: String { "the connection was lost in a non-clean fashion" }
}

/// We closed the connection with `abortConnection()` (Twisted's `ConnectionAborted`).
public final class ConnectionAborted: ConnectionLost, @unchecked Sendable {
    /// "the connection was aborted locally".
    public override var summary: String { "the connection was aborted locally" }
}

/// A connection attempt failed (Twisted's `ConnectError`).
open class ConnectError: NetworkError, @unchecked Sendable {
    /// "an error occurred while connecting".
    open override var summary: String { "an error occurred while connecting" }
}

/// The peer refused the connection (`ECONNREFUSED`).
public final class ConnectionRefusedError: ConnectError, @unchecked Sendable {
    /// "connection was refused by other side".
    public override var summary: String { "connection was refused by other side" }
}

/// The local address to connect from could not be bound.
public final class ConnectBindError: ConnectError, @unchecked Sendable {
    /// "couldn't bind the local address".
    public override var summary: String { "couldn't bind the local address" }
}

/// The host name could not be resolved.
public final class DNSLookupError: ConnectError, @unchecked Sendable {
    /// "DNS lookup failed".
    public override var summary: String { "DNS lookup failed" }
}

/// The attempt was stopped by the program, for example with `stopConnecting()` (Twisted's `UserError`).
open class UserError: ConnectError, @unchecked Sendable {
    /// "user aborted connection".
    open override var summary: String { "user aborted connection" }
}

/// The connection attempt took longer than its timeout (Twisted's `twisted.internet.error.TimeoutError`;
/// renamed because Deferred's `TimeoutError` lives in the same module).
public final class ConnectTimeoutError: UserError, @unchecked Sendable {
    /// "user timeout caused connection failure".
    public override var summary: String { "user timeout caused connection failure" }
}

/// The factory's `buildProtocol` returned nil, refusing the connection (Twisted's `NoProtocol`).
public final class NoProtocol: ConnectError, @unchecked Sendable {
    /// "the factory refused to build a protocol".
    public override var summary: String { "the factory refused to build a protocol" }
}

/// A port could not be opened for listening (Twisted's `CannotListenError`).
public final class CannotListenError: NetworkError, @unchecked Sendable {
    /// The interface that was asked for ("" for all); a UNIX socket's path (its text) for a
    /// UNIX port.
    public let interface: String
    /// The port that was asked for; 0 for a UNIX port.
    public let port: Int
    /// What was asked for, as an address: an IP address (the interface as given) or a UNIX name.
    public let address: Address

    /// The error for TCP's `interface`:`port`, with the system's reason.
    public init(interface: String, port: Int, _ detail: String? = nil, osError: Int32? = nil) {
        self.interface = interface
        self.port = port
        self.address = .ip(IPAddress(interface.contains(":") ? .ipv6 : .ipv4, host: interface, port: port))
        super.init(detail, osError: osError)
    }

    /// The error for a UNIX socket name, with the system's reason.
    public init(unix address: UNIXAddress, _ detail: String? = nil, osError: Int32? = nil) {
        self.interface = address.text
        self.port = 0
        self.address = .unix(address)
        super.init(detail, osError: osError)
    }

    /// "couldn't listen on <interface>:<port>", with "any" for the empty interface, or
    /// "couldn't listen on unix:<path>".
    public override var summary: String {
        if case .unix(let name) = address { return "couldn't listen on \(name)" }
        return "couldn't listen on \(interface.isEmpty ? "any" : interface):\(port)"
    }
}

/// A UNIX socket's lock file names no live process (Twisted's `BadFileError`): `checkPID` found
/// nobody serving.
public final class BadFileError: ConnectError, @unchecked Sendable {
    /// "file used for UNIX socket is no good".
    public override var summary: String { "file used for UNIX socket is no good" }
}

/// A descriptor handed to the reactor to adopt is not what the call needs (a connected stream
/// socket of the given family, for `adoptStreamConnection`); the detail says what it is instead
/// (Twisted raises `UnsupportedAddressFamily` or a socket error).
public final class CannotAdoptError: NetworkError, @unchecked Sendable {
    /// "cannot adopt descriptor".
    public override var summary: String { "cannot adopt descriptor" }
}

/// An address of the wrong kind was given: a host name where only a numeric address will do, an
/// abstract UNIX name with a lock file (Twisted's `InvalidAddressError`).
public final class InvalidAddressError: NetworkError, @unchecked Sendable {
    /// "invalid address".
    public override var summary: String { "invalid address" }
}

/// A connection attempt was cancelled before it completed (Twisted's `ConnectingCancelledError`):
/// the cancelled Deferred of a client endpoint's `connect` fails with it.
public final class ConnectingCancelledError: NetworkError, @unchecked Sendable {
    /// Where the attempt was headed.
    public let address: Address

    /// The error for an attempt to `address`.
    public init(address: Address) {
        self.address = address
        super.init("\(address)")
    }

    /// "connecting was cancelled".
    public override var summary: String { "connecting was cancelled" }
}

/// `stopConnecting()` was called on a connector that is not connecting (Twisted's `NotConnectingError`).
public final class NotConnectingError: NetworkError, @unchecked Sendable {
    /// "the connector is not connecting".
    public override var summary: String { "the connector is not connecting" }
}

/// More descriptors were queued with `sendFileDescriptor` than bytes were written to carry them
/// (Twisted's `FileDescriptorOverrun`): each descriptor travels with one byte of data, so the
/// connection is closed.
public final class FileDescriptorOverrun: ConnectionLost, @unchecked Sendable {
    /// "more file descriptors were sent than bytes to carry them".
    public override var summary: String { "more file descriptors were sent than bytes to carry them" }
}

/// An ``AdoptedStreamServerEndpoint`` was asked to listen a second time (Twisted's
/// `AlreadyListened`): its descriptor can be adopted once only, since the first `listen` closed
/// the original.
public final class AlreadyListened: NetworkError, @unchecked Sendable {
    /// "the descriptor was already adopted; an adopted endpoint listens once".
    public override var summary: String { "the descriptor was already adopted; an adopted endpoint listens once" }
}
