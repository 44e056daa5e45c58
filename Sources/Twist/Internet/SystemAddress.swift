import Glibc
import TwistCore

/// A socket address as the kernel takes it (`sockaddr_storage` and its length), convertible to and
/// from ``IPAddress``.
struct SystemAddress {
    var storage = sockaddr_storage()
    var length: socklen_t

    /// The address for a numeric IPv4 or IPv6 host; "" means every IPv4 interface and "::" every
    /// IPv6 one. Returns nil when `host` is not numeric (a name to resolve).
    init?(numericHost host: String, port: Int) {
        let port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        let text = host.isEmpty ? "0.0.0.0" : host
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port
            address.sin_addr = v4
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in.self) }
            return
        }
        var v6 = in6_addr()
        let unbracketed = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        if inet_pton(AF_INET6, unbracketed, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port
            address.sin6_addr = v6
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: address, as: sockaddr_in6.self) }
            return
        }
        return nil
    }

    /// An address the kernel filled in (accept, getsockname, getpeername, getaddrinfo).
    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// The address family (`AF_INET` or `AF_INET6`).
    var family: Int32 { Int32(storage.ss_family) }

    /// The address as an ``IPAddress`` with a numeric host.
    var ipAddress: IPAddress {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch family {
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            var raw = address.sin6_addr
            inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count))
            return .ipv6(String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self), Int(UInt16(bigEndian: address.sin6_port)))
        default:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            var raw = address.sin_addr
            inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count))
            return .ipv4(String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self), Int(UInt16(bigEndian: address.sin_port)))
        }
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// The local address of socket `fd`.
    static func local(of fd: Int32) -> SystemAddress? {
        query(fd, getsockname)
    }

    /// The peer address of connected socket `fd`.
    static func peer(of fd: Int32) -> SystemAddress? {
        query(fd, getpeername)
    }

    private static func query(
        _ fd: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> SystemAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutableBytes(of: &storage) { raw in
            call(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        return result == 0 ? SystemAddress(storage: storage, length: length) : nil
    }
}
