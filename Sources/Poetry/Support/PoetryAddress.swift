public import Twist

/// Where a poetry or transform server listens, as the poetry programs take it on the command line:
/// `[host:]port`, a bare port meaning `127.0.0.1` (the Twisted intro's convention; an IPv6 host is
/// written in brackets: `[::1]:10000`), or a client endpoint description — `tcp:HOST:PORT`
/// (`tcp:host=H:port=P`), `unix:PATH` (`unix:path=P`) or `tls:HOST:PORT[:trustRoots=DIR]` — in
/// the grammar of Docs/Endpoints.md and Docs/TLS.md.
public struct PoetryAddress: Hashable, Sendable, CustomStringConvertible {
    /// The kinds of place a poetry client can connect to.
    public enum Location: Hashable, Sendable {
        /// A TCP server: a numeric address or a name (resolved without blocking the reactor), and
        /// a port from 1 through 65535.
        case tcp(host: String, port: Int)
        /// A UNIX socket: a path, or an abstract name starting with NUL.
        case unix(path: String)
        /// A TLS server over TCP, verified as `host` against the CA certificates in the directory
        /// `trustRoots` (the system's trust store when nil).
        case tls(host: String, port: Int, trustRoots: String?)
    }

    /// Where the server is.
    public let location: Location

    /// The client context of a ``Location/tls(host:port:trustRoots:)`` address, built once when
    /// the address was parsed.
    private let tlsContext: TLSContext?

    /// A TCP address from its parts.
    public init(host: String = "127.0.0.1", port: Int) {
        location = .tcp(host: host, port: port)
        tlsContext = nil
    }

    /// The UNIX socket at `path`.
    public init(unixPath path: String) {
        location = .unix(path: path)
        tlsContext = nil
    }

    /// A TLS server at `host`:`port`, verified as `host` against the CA certificates of the
    /// directory `trustRoots` (every `*.pem` in it), or the system's trust store when nil.
    ///
    /// - Throws: ``TLSError`` when the directory holds no certificate.
    public init(tlsHost host: String, port: Int, trustRoots: String? = nil) throws {
        var options = TLSClientOptions()
        if let trustRoots { options.trustRoots = .certificates(try TLSCertificate.all(inPEMDirectory: trustRoots)) }
        location = .tls(host: host, port: port, trustRoots: trustRoots)
        tlsContext = try TLSContext(options)
    }

    /// Equal when the locations are (the TLS context is made from the location).
    public static func == (lhs: PoetryAddress, rhs: PoetryAddress) -> Bool { lhs.location == rhs.location }

    /// Hashes the location.
    public func hash(into hasher: inout Hasher) { hasher.combine(location) }

    /// Parses `[host:]port` or a `tcp:`/`unix:`/`tls:` client description. `[host:]port` splits at the
    /// first `:` (after a bracketed IPv6 host, at the `:` after the `]`), as the intro's clients do.
    ///
    /// - Throws: ``PoetryAddressError`` when the port is not all digits ("Ports must be
    ///   integers.", the intro's message), is out of range, the host is empty, or a description
    ///   does not parse (its error names the offending piece).
    public init(parsing text: String) throws(PoetryAddressError) {
        let prefix = text.prefix { $0 != ":" }.lowercased()
        if prefix == "tcp" || prefix == "unix" || prefix == "tls" {
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
            let type = description.typeName.lowercased()
            if type == "unix" {
                let arguments = try EndpointArguments(description, parameters: ["path"])
                return PoetryAddress(unixPath: try arguments.required("path"))
            }
            let hostByKey = description.keywords["host"] != nil && description.positional.count == 1
            let extra = type == "tls" ? ["trustRoots"] : []
            let arguments = try EndpointArguments(description, parameters: (hostByKey ? ["port", "host"] : ["host", "port"]) + extra)
            let host = try arguments.required("host")
            let number = try port(Substring(try arguments.required("port")), in: text)
            if type == "tls" {
                return try PoetryAddress(tlsHost: host, port: number, trustRoots: arguments["trustRoots"])
            }
            return PoetryAddress(host: host, port: number)
        } catch let error as EndpointDescriptionError {
            throw PoetryAddressError(text, "\(error)")
        } catch let error as PoetryAddressError {
            throw error
        } catch let error as TLSError {
            throw PoetryAddressError(text, "trustRoots: \(error)")
        } catch {
            throw PoetryAddressError(text, "\(error)")
        }
    }

    /// Connects `factory` to the server — `connectTCP`, `connectUNIX`, or `connectTCP` with TLS
    /// on top — and returns the connector.
    ///
    /// - Precondition: for a TLS address, `reactor` keeps time (``ReactorTime``: the libev
    ///   reactor and `MemoryReactor` do), for the handshake's time limit.
    @discardableResult
    public func connect(_ reactor: any ReactorTCP & ReactorUNIX, _ factory: ClientFactory, timeout: Double = 30) -> any Connector {
        switch location {
        case .tcp(let host, let port):
            return reactor.connectTCP(host, port, factory, timeout: timeout, bindAddress: nil)
        case .unix(let path):
            return reactor.connectUNIX(path, factory, timeout: timeout, checkPID: false)
        case .tls(let host, let port, _):
            guard let clock = reactor as? any ReactorTime, let tlsContext else {
                preconditionFailure("a TLS poetry address needs a reactor that keeps time")
            }
            let tls = TLSWrappingFactory(wrapping: factory, context: tlsContext, serverName: host, clock: clock)
            return reactor.connectTCP(host, port, tls, timeout: timeout, bindAddress: nil)
        }
    }

    /// `host:port`, with an IPv6 host in brackets, or `unix:path`.
    public var description: String {
        switch location {
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): "\(Address.unix(path))"
        case .tls(let host, let port, _): "tls:" + (host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
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
