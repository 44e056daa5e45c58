import TwistCore

/// Hand-made PROXY protocol headers for the HAProxy tests.
enum PROXYFixtures {
    /// A version 1 line from its text (CRLF not added).
    static func v1(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A version 2 header: the signature, `versionAndCommand`, `familyAndProtocol`, the length of
    /// `body` (or `length` when given), then `body`.
    static func v2(_ versionAndCommand: UInt8, _ familyAndProtocol: UInt8, _ body: [UInt8], length: Int? = nil) -> [UInt8] {
        let count = length ?? body.count
        return PROXYHeaderParser.v2Signature + [versionAndCommand, familyAndProtocol, UInt8(count >> 8), UInt8(count & 0xFF)] + body
    }

    /// Two ports, big-endian.
    static func ports(_ source: Int, _ destination: Int) -> [UInt8] {
        [UInt8(source >> 8), UInt8(source & 0xFF), UInt8(destination >> 8), UInt8(destination & 0xFF)]
    }

    /// 192.0.2.1:56324 → 198.51.100.2:443 as a version 2 IPv4 address block.
    static let ipv4Block: [UInt8] = [192, 0, 2, 1, 198, 51, 100, 2] + ports(56324, 443)

    /// 2001:db8::1:5000 → 2001:db8::2:80 as a version 2 IPv6 address block.
    static let ipv6Block: [UInt8] = {
        var source = [UInt8](repeating: 0, count: 16)
        source[0] = 0x20; source[1] = 0x01; source[2] = 0x0d; source[3] = 0xb8; source[15] = 1
        var destination = source
        destination[15] = 2
        return source + destination + ports(5000, 80)
    }()

    /// A 108-byte `sun_path` holding `bytes`, NUL-padded.
    static func sunPath(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: 108 - bytes.count)
    }

    /// `/tmp/client.sock` → `/run/server.sock` as a version 2 UNIX address block.
    static let unixBlock: [UInt8] = sunPath(Array("/tmp/client.sock".utf8)) + sunPath(Array("/run/server.sock".utf8))

    /// Two extensions: ALPN "h2" and a NOOP of three bytes.
    static let tlvs: [UInt8] = [0x01, 0x00, 0x02, 0x68, 0x32, 0x04, 0x00, 0x03, 0xAA, 0xBB, 0xCC]

    /// The source and destination every IPv4 fixture carries.
    static let ipv4Source = Address.ipv4("192.0.2.1", 56324)
    /// See ``ipv4Source``.
    static let ipv4Destination = Address.ipv4("198.51.100.2", 443)
}
