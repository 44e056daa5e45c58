/// Version 2: a 16-byte fixed part (signature, version and command, family and protocol, length)
/// followed by `length` bytes: the addresses, then extensions (skipped).
extension PROXYHeaderParser {
    /// Parses a version 2 header at the start of `bytes` (which starts with `\r`), checking each
    /// field of the fixed part as soon as it has arrived.
    static func parseV2(_ bytes: ArraySlice<UInt8>, maximumV2Length: Int) throws(PROXYHeaderError) -> Parse {
        guard matchesSoFar(bytes, v2Signature) else { throw .badSignature }
        let start = bytes.startIndex
        guard bytes.count > 12 else { return .incomplete(atMost: 16) }
        let versionAndCommand = bytes[start + 12]
        guard versionAndCommand >> 4 == 2 else { throw .unsupportedVersion(Int(versionAndCommand >> 4)) }
        let commandCode = versionAndCommand & 0x0F
        guard commandCode <= 1 else { throw .unsupportedCommand(Int(commandCode)) }
        guard bytes.count > 13 else { return .incomplete(atMost: 16) }
        let familyAndProtocol = bytes[start + 13]
        let family = familyAndProtocol >> 4
        guard family <= 3, familyAndProtocol & 0x0F <= 2 else {
            throw .badFamily("0x" + String(familyAndProtocol, radix: 16))
        }
        guard bytes.count >= 16 else { return .incomplete(atMost: 16) }
        let length = Int(bytes[start + 14]) << 8 | Int(bytes[start + 15])
        guard length <= maximumV2Length else { throw .lengthTooLarge(length, limit: maximumV2Length) }
        let total = 16 + length
        guard bytes.count >= total else { return .incomplete(atMost: total) }

        if commandCode == 0 {
            // LOCAL: the receiver must ignore the family and the addresses.
            return .complete(PROXYHeader(version: .v2, command: .local), length: total)
        }
        let block = bytes[(start + 16)..<(start + total)]
        let addresses = try v2Addresses(family: family, block)
        return .complete(
            PROXYHeader(version: .v2, command: .proxy, source: addresses?.source, destination: addresses?.destination),
            length: total)
    }

    /// The source and destination in the address block of a PROXY command; nil for the
    /// unspecified family.
    static func v2Addresses(
        family: UInt8, _ block: ArraySlice<UInt8>
    ) throws(PROXYHeaderError) -> (source: Address, destination: Address)? {
        let base = block.startIndex
        func need(_ count: Int, _ name: String) throws(PROXYHeaderError) {
            guard block.count >= count else {
                throw .badAddress("\(name) addresses need \(count) bytes, the header holds \(block.count)")
            }
        }
        func port(at offset: Int) -> Int { Int(block[base + offset]) << 8 | Int(block[base + offset + 1]) }
        switch family {
        case 1:
            try need(12, "IPv4")
            return (
                .ip(.ipv4(ipv4Text(block[base..<(base + 4)]), port(at: 8))),
                .ip(.ipv4(ipv4Text(block[(base + 4)..<(base + 8)]), port(at: 10)))
            )
        case 2:
            try need(36, "IPv6")
            return (
                .ip(ipv6Address(block[base..<(base + 16)], port: port(at: 32))),
                .ip(ipv6Address(block[(base + 16)..<(base + 32)], port: port(at: 34)))
            )
        case 3:
            try need(216, "UNIX")
            return (
                .unix(unixAddress(block[base..<(base + 108)])),
                .unix(unixAddress(block[(base + 108)..<(base + 216)]))
            )
        default:
            return nil
        }
    }

    /// `a.b.c.d` for four bytes.
    static func ipv4Text(_ raw: ArraySlice<UInt8>) -> String {
        raw.map { String($0) }.joined(separator: ".")
    }

    /// The IPv6 address of 16 bytes, in the kernel's canonical text (`::1`, `::ffff:1.2.3.4`).
    static func ipv6Address(_ raw: ArraySlice<UInt8>, port: Int) -> IPAddress {
        let base = raw.startIndex
        let groups = (0..<8).map { String(Int(raw[base + 2 * $0]) << 8 | Int(raw[base + 2 * $0 + 1]), radix: 16) }
        let text = groups.joined(separator: ":")
        return IPAddress(numericHost: text, port: port) ?? .ipv6(text, port)
    }

    /// A `sun_path` of 108 bytes: a path up to its first NUL; a leading NUL starts an abstract
    /// name (its trailing NULs are padding); all NULs is the unnamed address.
    static func unixAddress(_ raw: ArraySlice<UInt8>) -> UNIXAddress {
        guard raw.first == 0 else { return UNIXAddress(name: .path(Array(raw.prefix { $0 != 0 }))) }
        let name = raw.dropFirst()
        guard let last = name.lastIndex(where: { $0 != 0 }) else { return .unnamed }
        return UNIXAddress(name: .abstract(Array(name[name.startIndex...last])))
    }
}
