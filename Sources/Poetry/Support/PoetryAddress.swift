public import Twist

/// Where a poetry or transform server listens, as the poetry programs take it on the command line:
/// `[host:]port`, a bare port meaning `127.0.0.1` (the Twisted intro's convention; an IPv6 host is
/// written in brackets: `[::1]:10000`), or a client endpoint description — `tcp:HOST:PORT`
/// (`tcp:host=H:port=P`) or `unix:PATH` (`unix:path=P`) — in the grammar of Docs/Endpoints.md.
public struct PoetryAddress: Hashable, Sendable, CustomStringConvertible {
    /// The kinds of place a poetry client can connect to.
    public enum Location: Hashable, Sendable {
        /// A TCP server: a numeric address or a name (resolved without blocking the reactor), and
        /// a port from 1 through 65535.
        case tcp(host: String, port: Int)
        /// A UNIX socket: a path, or an abstract name starting with NUL.
        case unix(path: String)
    }

    /// Where the server is.
    public let location: Location

    /// A TCP address from its parts.
    public init(host: String = "127.0.0.1", port: Int) {
        location = .tcp(host: host, port: port)
    }

    /// The UNIX socket at `path`.
    public init(unixPath path: String) {
        location = .unix(path: path)
    }

    /// Parses `[host:]port` or a `tcp:`/`unix:` client description. `[host:]port` splits at the
    /// first `:` (after a bracketed IPv6 host, at the `:` after the `]`), as the intro's clients do.
    ///
    /// - Throws: ``PoetryAddressError`` when the port is not all digits ("Ports must be
    ///   integers.", the intro's message), is out of range, the host is empty, or a description
    ///   does not parse (its error names the offending piece).
    public init(parsing text: String) throws(PoetryAddressError) {
        let prefix = text.prefix { $0 != ":" }.lowercased()
        if prefix == "tcp" || prefix == "unix" {
            self = try Self.parseDescription(text)
            return
        }
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
        self.init(host: host, port: try Self.port(portText, in: text))
    }

    /// A port given as text: all digits, 1 through 65535.
    private static func port(_ portText: Substring, in text: String) throws(PoetryAddressError) -> Int {
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw PoetryAddressError(text, "Ports must be integers.")
        }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw PoetryAddressError(text, "the port must be between 1 and 65535")
        }
        return port
    }

    /// `tcp:HOST:PORT` (`host=`, `port=`) or `unix:PATH` (`path=`), read with the endpoint
    /// grammar; the keys a client endpoint takes beyond these (timeouts, bind addresses, lock
    /// files) are not for poetry addresses.
    private static func parseDescription(_ text: String) throws(PoetryAddressError) -> PoetryAddress {
        do {
            let description = try EndpointDescription(parsing: text)
            if description.typeName.lowercased() == "unix" {
                let arguments = try EndpointArguments(description, parameters: ["path"])
                return PoetryAddress(unixPath: try arguments.required("path"))
            }
            let hostByKey = description.keywords["host"] != nil && description.positional.count == 1
            let arguments = try EndpointArguments(description, parameters: hostByKey ? ["port", "host"] : ["host", "port"])
            let host = try arguments.required("host")
            return PoetryAddress(host: host, port: try port(Substring(try arguments.required("port")), in: text))
        } catch let error as EndpointDescriptionError {
            throw PoetryAddressError(text, "\(error)")
        } catch let error as PoetryAddressError {
            throw error
        } catch {
            throw PoetryAddressError(text, "\(error)")
        }
    }

    /// Connects `factory` to the server — `connectTCP` or `connectUNIX` — and returns the connector.
    @discardableResult
    public func connect(_ reactor: any ReactorTCP & ReactorUNIX, _ factory: ClientFactory, timeout: Double = 30) -> any Connector {
        switch location {
        case .tcp(let host, let port): reactor.connectTCP(host, port, factory, timeout: timeout, bindAddress: nil)
        case .unix(let path): reactor.connectUNIX(path, factory, timeout: timeout, checkPID: false)
        }
    }

    /// `host:port`, with an IPv6 host in brackets, or `unix:path`.
    public var description: String {
        switch location {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "\(Address.unix(path))"
        }
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
