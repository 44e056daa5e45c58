/// Netstring framing for the load clients, and a reference parser that predicts what the echo
/// server must answer to any byte stream.
public enum Netstring {
    /// `<len>:<payload>,`
    public static func frame(_ payload: some Collection<UInt8>) -> [UInt8] {
        var out = Array(String(payload.count).utf8)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: payload)
        out.append(UInt8(ascii: ","))
        return out
    }

    /// How a stream ends when parsed by Twist's `NetstringReceiver` rules.
    public enum Ending: Equatable {
        /// The stream is malformed at some byte: the server closes after echoing what came before.
        case malformed
        /// Everything parsed, with a netstring (or its length) still incomplete.
        case incomplete
        /// Everything parsed, ending exactly on a netstring boundary.
        case complete
    }

    /// Parses `stream` as the server does (first byte a digit, no leading zero, digits then `:`,
    /// length ≤ `maxLength` checked while digits arrive, `,` after the payload) and returns the
    /// frames it would echo, in order, and how the stream ends.
    public static func expectedEcho(of stream: [UInt8], maxLength: Int) -> (echo: [UInt8], ending: Ending) {
        var echo: [UInt8] = []
        var i = 0
        while i < stream.count {
            var value = 0
            var digits = 0
            while i < stream.count, let digit = Optional(stream[i] &- UInt8(ascii: "0")), digit < 10 {
                if digits > 0 && value == 0 { return (echo, .malformed) }
                value = value * 10 + Int(digit)
                if value > maxLength { return (echo, .malformed) }
                digits += 1
                i += 1
            }
            if i == stream.count { return (echo, .incomplete) }
            guard digits > 0, stream[i] == UInt8(ascii: ":") else { return (echo, .malformed) }
            i += 1
            if stream.count - i <= value { return (echo, .incomplete) }
            guard stream[i + value] == UInt8(ascii: ",") else { return (echo, .malformed) }
            echo += frame(stream[i..<(i + value)])
            i += value + 1
        }
        return (echo, .complete)
    }
}
