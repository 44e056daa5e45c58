/// Version 1: `PROXY TCP4|TCP6|UNKNOWN <source> <destination> <sport> <dport>\r\n`.
extension PROXYHeaderParser {
    /// `PROXY `, the start of every version 1 line.
    static let v1Prefix: [UInt8] = Array("PROXY ".utf8)

    /// Parses a version 1 line at the start of `bytes` (which starts with `P`).
    static func parseV1(_ bytes: ArraySlice<UInt8>) throws(PROXYHeaderError) -> Parse {
        guard matchesSoFar(bytes, v1Prefix) else { throw .badSignature }
        let window = bytes.prefix(maximumV1Length)
        guard let newline = window.firstIndex(of: 0x0A) else {
            if window.count >= maximumV1Length { throw .lineTooLong }
            return .incomplete(atMost: maximumV1Length)
        }
        guard newline > bytes.startIndex, bytes[newline - 1] == 0x0D else { throw .missingCRLF }
        let line = bytes[bytes.startIndex..<(newline - 1)]
        let length = newline + 1 - bytes.startIndex
        let fields = line.split(separator: 0x20, omittingEmptySubsequences: false)
        // fields[0] is "PROXY" (the prefix matched); fields[1] is the family.
        guard fields.count >= 2 else { throw .malformedLine(printable(line)) }
        let family = fields[1]
        if family.elementsEqual("UNKNOWN".utf8) {
            // Whatever follows UNKNOWN is to be ignored.
            return .complete(PROXYHeader(version: .v1, command: .proxy), length: length)
        }
        let ipFamily: IPAddress.Family
        if family.elementsEqual("TCP4".utf8) {
            ipFamily = .ipv4
        } else if family.elementsEqual("TCP6".utf8) {
            ipFamily = .ipv6
        } else {
            throw .badFamily("'\(printable(family))'")
        }
        guard fields.count == 6 else { throw .malformedLine(printable(line)) }
        let sourceHost = try host(fields[2], ipFamily)
        let destinationHost = try host(fields[3], ipFamily)
        let source = IPAddress(ipFamily, host: sourceHost, port: try port(fields[4]))
        let destination = IPAddress(ipFamily, host: destinationHost, port: try port(fields[5]))
        return .complete(
            PROXYHeader(version: .v1, command: .proxy, source: .ip(source), destination: .ip(destination)),
            length: length)
    }

    /// A decimal port, 1 to 5 digits, at most 65535.
    static func port(_ field: ArraySlice<UInt8>) throws(PROXYHeaderError) -> Int {
        guard (1...5).contains(field.count), field.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw .badPort(printable(field))
        }
        let value = field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard value <= 0xFFFF else { throw .badPort(printable(field)) }
        return value
    }

    /// A numeric address of `family`, in its canonical text. Only the characters such an address
    /// can hold are passed on to the C library (no NUL, no brackets, no scope).
    static func host(_ field: ArraySlice<UInt8>, _ family: IPAddress.Family) throws(PROXYHeaderError) -> String {
        let allowed = family == .ipv4 ? ipv4Characters : ipv6Characters
        guard !field.isEmpty, field.count <= 45, field.allSatisfy({ allowed.contains($0) }),
              let address = IPAddress(numericHost: String(decoding: field, as: UTF8.self), port: 0),
              address.family == family
        else {
            throw .badAddress("'\(printable(field))' is not a numeric \(family == .ipv4 ? "IPv4" : "IPv6") address")
        }
        return address.host
    }

    /// The characters a numeric IPv4 address holds.
    static let ipv4Characters = Set("0123456789.".utf8)
    /// The characters a numeric IPv6 address holds (an embedded IPv4 address included).
    static let ipv6Characters = Set("0123456789abcdefABCDEF:.".utf8)

    /// `bytes` as text fit for a log line: printable ASCII kept, anything else as `?`.
    static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}
