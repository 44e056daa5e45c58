import Glibc
import TwistCore

extension SystemAddress {
    /// Where `sun_path` starts in a `sockaddr_un` (after the family).
    static let unixNameOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
    /// The room in `sun_path`: the longest name the kernel takes (108 bytes on Linux).
    static let unixNameCapacity = MemoryLayout<sockaddr_un>.size - unixNameOffset

    /// The `sockaddr_un` for a UNIX socket name: the family, then the name's bytes (a path, or a
    /// NUL and an abstract name), with the length covering exactly those bytes — an abstract name
    /// is its bytes, not the whole structure. Nil when the name is unnamed, longer than
    /// ``unixNameCapacity``, or a path with a NUL inside (the kernel would cut it short).
    init?(unix address: UNIXAddress) {
        let bytes = address.socketNameBytes
        guard !bytes.isEmpty, bytes.count <= Self.unixNameCapacity else { return nil }
        if !address.isAbstract && bytes.contains(0) { return nil }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.storeBytes(of: sa_family_t(AF_UNIX), as: sa_family_t.self)
            raw.baseAddress!.advanced(by: Self.unixNameOffset).copyMemory(from: bytes, byteCount: bytes.count)
        }
        self.init(storage: storage, length: socklen_t(Self.unixNameOffset + bytes.count))
    }

    /// The address as a ``UNIXAddress``: unnamed when the kernel reported no name (a length that
    /// covers no more than the family, or an empty name), abstract when the name starts with NUL,
    /// otherwise the path up to its terminating NUL.
    var unixAddress: UNIXAddress {
        let length = min(Int(self.length), MemoryLayout<sockaddr_storage>.size)
        guard length > Self.unixNameOffset else { return .unnamed }
        let bytes = withUnsafeBytes(of: storage) { Array($0[Self.unixNameOffset..<length]) }
        if bytes.first == 0 { return UNIXAddress(name: .abstract(Array(bytes.dropFirst()))) }
        return UNIXAddress(name: .path(Array(bytes.prefix { $0 != 0 })))
    }

    /// Why ``init(unix:)`` refused a name, for an error message.
    static func unixNameProblem(_ address: UNIXAddress) -> String {
        let bytes = address.socketNameBytes
        if bytes.isEmpty { return "a UNIX socket needs a name (the path is empty)" }
        if bytes.count > unixNameCapacity {
            return "the name is \(bytes.count) bytes long; a UNIX socket name holds at most \(unixNameCapacity)"
        }
        return "a UNIX socket path cannot contain a NUL byte"
    }
}
