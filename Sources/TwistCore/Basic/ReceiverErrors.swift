/// A receiver's message handler was not overridden (Twisted raises `NotImplementedError`).
///
/// The base implementations of `stringReceived`, `lineReceived` and `rawDataReceived` throw it,
/// so a receiver used without its handler closes the connection with this error instead of
/// silently dropping what arrives.
public struct HandlerNotImplemented: Error, Sendable, CustomStringConvertible {
    /// The receiver class that lacks the override.
    public let receiver: String
    /// The method that should have been overridden.
    public let method: String

    /// The error for `method` missing in `receiver`.
    public init(receiver: String, method: String) {
        self.receiver = receiver
        self.method = method
    }

    /// "<receiver> must override <method>".
    public var description: String { "\(receiver) must override \(method)" }
}

/// A string is too long for the length prefix it would be sent with (Twisted's
/// `StringTooLongError`); thrown by ``LengthPrefixedReceiver/sendString(_:)``, which then writes
/// nothing.
public struct StringTooLongError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The length of the string that was refused.
    public let length: Int
    /// The largest length the prefix can carry.
    public let limit: Int

    /// The error for a string of `length` bytes against a prefix that carries at most `limit`.
    public init(length: Int, limit: Int) {
        self.length = length
        self.limit = limit
    }

    /// Gives the refused length and the prefix's limit.
    public var description: String {
        "a string of \(length) bytes is too long for its length prefix (at most \(limit))"
    }
}
