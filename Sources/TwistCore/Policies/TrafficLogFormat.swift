/// How ``TrafficLoggingFactory`` writes bytes and reasons into its lines.
enum TrafficLogFormat {
    /// `bytes` in double quotes: printable ASCII as is, `\r` `\n` `\t` `\"` `\\` escaped, any other
    /// byte as `\xNN`. With `lengthLimit`, only the first `lengthLimit` bytes of a longer chunk,
    /// followed by `<... elided>` after the closing quote.
    static func quoted(_ bytes: ArraySlice<UInt8>, lengthLimit: Int?) -> String {
        let shown = lengthLimit.map { bytes.prefix($0) } ?? bytes
        var text = "\""
        for byte in shown {
            switch byte {
            case UInt8(ascii: "\r"): text += "\\r"
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\t"): text += "\\t"
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "\\"): text += "\\\\"
            case 0x20...0x7E: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: text += "\\x" + hexDigits(byte)
            }
        }
        text += "\""
        if shown.count < bytes.count { text += "<... elided>" }
        return text
    }

    /// The reason a connection ended: the error's type and description, such as
    /// `ConnectionDone: Connection was closed cleanly.`.
    static func reason(_ reason: Failure) -> String {
        "\(type(of: reason.error)): \(reason.error)"
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
