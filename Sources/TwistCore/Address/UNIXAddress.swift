/// The name of a UNIX socket (Twisted's `UNIXAddress`): a filesystem path, a Linux abstract name,
/// or none at all.
///
/// A client socket that never bound has no name; the kernel reports it with an empty name, and
/// Twist calls that ``Name/unnamed`` everywhere — on the transport and in
/// `buildProtocol(address:)` alike (Twisted reports `UNIXAddress(None)` in one place and
/// `UNIXAddress(b"")` in the other). An empty name *is* the unnamed address here.
///
/// Equality and hashing compare the name's bytes only: no system call, so two paths reaching one
/// file through a symbolic link differ (Twisted asks the filesystem).
public struct UNIXAddress: Hashable, Sendable, CustomStringConvertible {
    /// What kind of name a UNIX socket has.
    public enum Name: Hashable, Sendable {
        /// A path in the filesystem (its bytes, without a terminating NUL).
        case path([UInt8])
        /// A Linux abstract name: no file exists; the kernel's name is a NUL byte and then these bytes.
        case abstract([UInt8])
        /// No name: a client socket that never bound.
        case unnamed
    }

    /// The socket's name.
    public let name: Name

    /// An address with `name`; an empty path or abstract name is the unnamed address.
    public init(name: Name) {
        switch name {
        case .path(let bytes) where bytes.isEmpty: self.name = .unnamed
        default: self.name = name
        }
    }

    /// An address from text: a leading NUL (`"\0name"`) names an abstract socket (Linux), "" is
    /// unnamed, anything else is a path, kept exactly as given (not made absolute).
    public init(_ text: String) {
        let bytes = Array(text.utf8)
        if bytes.first == 0 {
            self.init(name: .abstract(Array(bytes.dropFirst())))
        } else {
            self.init(name: .path(bytes))
        }
    }

    /// The address of a socket with no name.
    public static let unnamed = UNIXAddress(name: .unnamed)

    /// The path, for a filesystem name; nil for an abstract or unnamed one.
    public var path: String? {
        if case .path(let bytes) = name { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// True for a Linux abstract name (no file, no permissions, nothing to remove).
    public var isAbstract: Bool {
        if case .abstract = name { return true }
        return false
    }

    /// The bytes the kernel takes in `sun_path`: the path, or NUL and the abstract name; empty
    /// when unnamed.
    public var socketNameBytes: [UInt8] {
        switch name {
        case .path(let bytes): bytes
        case .abstract(let bytes): [0] + bytes
        case .unnamed: []
        }
    }

    /// The name as it was given as text: the path, NUL and the abstract name, or "".
    public var text: String {
        String(decoding: socketNameBytes, as: UTF8.self)
    }

    /// `unix:/run/app.sock`, `unix:@name` for an abstract name, `unix:(unnamed)`.
    public var description: String {
        switch name {
        case .path(let bytes): "unix:" + String(decoding: bytes, as: UTF8.self)
        case .abstract(let bytes): "unix:@" + String(decoding: bytes, as: UTF8.self)
        case .unnamed: "unix:(unnamed)"
        }
    }
}
