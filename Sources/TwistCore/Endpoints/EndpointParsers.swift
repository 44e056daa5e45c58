/// The process-wide table of description-string types: which parser turns `tcp:...`, `unix:...`
/// (and later `ssl:`, `tls:`, ...) into an endpoint. ``serverFromString(_:_:)`` and
/// ``clientFromString(_:_:)`` look the type up here; a module adds its own types with
/// ``register(server:matchingCase:_:)`` and ``register(client:_:)``.
///
/// **Case.** Client types match in any case (`TCP:host:80` works, as in Twisted, which
/// upper-cases client types). A server type matches in any case unless it was registered with
/// `matchingCase: true`; the built-in server types `tcp` and `unix` are, so `TCP:80` is an
/// unknown type, as in Twisted, while `tcp6` (a plugin in Twisted) matches in any case.
///
/// **Built-ins.** Server `tcp`, `tcp6`, `unix`, `systemd`, `haproxy` (a wrapper around another server description); client `tcp`, `unix` — present from the start.
///
/// **Threads.** The table is guarded by a lock: registering and looking up are safe from any
/// thread, and a lookup holds the lock only to copy one entry out.
public enum EndpointParsers {
    /// Builds a server endpoint from a parsed description. It reads its arguments (typically
    /// through ``EndpointArguments``) and throws only ``EndpointDescriptionError``; it must not
    /// start listening.
    public typealias ServerParser = @Sendable (
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ServerEndpoint

    /// Builds a client endpoint from a parsed description; the same rules as ``ServerParser``.
    public typealias ClientParser = @Sendable (
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ClientEndpoint

    /// One registered server type.
    private struct ServerEntry {
        let prefix: String
        let matchingCase: Bool
        let parser: ServerParser
    }

    /// One registered client type.
    private struct ClientEntry {
        let prefix: String
        let matchingCase: Bool
        let parser: ClientParser
    }

    /// Both tables, keyed by the lower-cased prefix.
    private struct Tables {
        var servers: [String: ServerEntry] = [:]
        var clients: [String: ClientEntry] = [:]
    }

    private static let tables = PosixMutex(builtInTables())

    private static func builtInTables() -> Tables {
        var tables = Tables()
        tables.servers["tcp"] = ServerEntry(prefix: "tcp", matchingCase: true, parser: parseTCPServer)
        tables.servers["tcp6"] = ServerEntry(prefix: "tcp6", matchingCase: false, parser: parseTCP6Server)
        tables.servers["unix"] = ServerEntry(prefix: "unix", matchingCase: true, parser: parseUNIXServer)
        tables.servers["systemd"] = ServerEntry(prefix: "systemd", matchingCase: false, parser: parseSystemdServer)
        tables.servers["haproxy"] = ServerEntry(prefix: "haproxy", matchingCase: false, parser: parseHAProxyServer)
        tables.servers["stdio"] = ServerEntry(prefix: "stdio", matchingCase: false, parser: parseStandardIOServer)
        tables.clients["tcp"] = ClientEntry(prefix: "tcp", matchingCase: false, parser: parseTCPClient)
        tables.clients["unix"] = ClientEntry(prefix: "unix", matchingCase: false, parser: parseUNIXClient)
        return tables
    }

    /// Makes `prefix` a server type, replacing any parser registered for it before (in any
    /// case). With `matchingCase`, the type matches only when written exactly as `prefix`.
    public static func register(server prefix: String, matchingCase: Bool = false, _ parser: @escaping ServerParser) {
        let entry = ServerEntry(prefix: prefix, matchingCase: matchingCase, parser: parser)
        tables.withLock { $0.servers[prefix.lowercased()] = entry }
    }

    /// Makes `prefix` a client type, matched in any case, replacing any parser registered for it
    /// before.
    public static func register(client prefix: String, _ parser: @escaping ClientParser) {
        let entry = ClientEntry(prefix: prefix, matchingCase: false, parser: parser)
        tables.withLock { $0.clients[prefix.lowercased()] = entry }
    }

    /// Removes the server type `prefix` (in any case); true when there was one.
    @discardableResult
    public static func unregister(server prefix: String) -> Bool {
        tables.withLock { $0.servers.removeValue(forKey: prefix.lowercased()) != nil }
    }

    /// Removes the client type `prefix` (in any case); true when there was one.
    @discardableResult
    public static func unregister(client prefix: String) -> Bool {
        tables.withLock { $0.clients.removeValue(forKey: prefix.lowercased()) != nil }
    }

    /// The parser for the server type `typeName` as written in a description, following the case
    /// rule above; nil when there is none.
    public static func serverParser(for typeName: String) -> ServerParser? {
        let entry = tables.withLock { $0.servers[typeName.lowercased()] }
        guard let entry, !entry.matchingCase || entry.prefix == typeName else { return nil }
        return entry.parser
    }

    /// The parser for the client type `typeName` (any case); nil when there is none.
    public static func clientParser(for typeName: String) -> ClientParser? {
        tables.withLock { $0.clients[typeName.lowercased()] }?.parser
    }

    /// The registered server types, as registered, sorted.
    public static var serverPrefixes: [String] {
        tables.withLock { $0.servers.values.map(\.prefix) }.sorted()
    }

    /// The registered client types, as registered, sorted.
    public static var clientPrefixes: [String] {
        tables.withLock { $0.clients.values.map(\.prefix) }.sorted()
    }
}
