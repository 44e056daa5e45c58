/// Where a poetry or transform server listens, as the poetry programs take it on the command line:
/// `[host:]port`, a bare port meaning `127.0.0.1` (the Twisted intro's convention). An IPv6 host is
/// written in brackets: `[::1]:10000`.
public struct PoetryAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host: a numeric address or a name (names are resolved without blocking the reactor).
    public let host: String
    /// The TCP port, 1 through 65535.
    public let port: Int

    /// An address from its parts.
    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `[host:]port`. Splits at the first `:` (after a bracketed IPv6 host, at the `:`
    /// after the `]`), as the intro's clients do.
    ///
    /// - Throws: ``PoetryAddressError`` when the port is not all digits ("Ports must be
    ///   integers.", the intro's message), is out of range, or the host is empty.
    public init(parsing text: String) throws(PoetryAddressError) {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw PoetryAddressError(text, "an IPv6 host needs a closing ']'") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else { throw PoetryAddressError(text, "a bracketed host needs ':port' after it") }
            portText = rest.dropFirst()
        } else if let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw PoetryAddressError(text, "the host is empty") }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw PoetryAddressError(text, "Ports must be integers.")
        }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw PoetryAddressError(text, "the port must be between 1 and 65535")
        }
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 host in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// A `[host:]port` argument that does not parse; its description says why.
public struct PoetryAddressError: Error, CustomStringConvertible {
    /// The text that was given.
    public let text: String
    /// Why it was refused.
    public let reason: String

    /// The error for `text`, with `reason`.
    public init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }

    /// The text in quotes, then the reason: "'<text>': <reason>".
    public var description: String { "'\(text)': \(reason)" }
}
