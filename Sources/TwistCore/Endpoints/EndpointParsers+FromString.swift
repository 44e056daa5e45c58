/// Makes the server endpoint a description string names (Twisted's `serverFromString`):
/// `tcp:8080`, `tcp:8080:interface=127.0.0.1`, `tcp6:8080:interface=\:\:1`,
/// `unix:/run/app.sock:mode=660`, or any type registered with ``EndpointParsers``. See
/// Docs/Endpoints.md for the grammar and every key.
///
/// Nothing listens yet: call ``ServerEndpoint/listen(_:)``.
///
/// - Throws: ``EndpointDescriptionError`` — an unknown type (also for "" and a bare "80": there
///   is no default type), a lone trailing backslash, or an argument the type rejects.
public func serverFromString(
    _ reactor: any EndpointReactor, _ description: String
) throws(EndpointDescriptionError) -> any ServerEndpoint {
    let parsed = try EndpointDescription(parsing: description)
    guard let parser = EndpointParsers.serverParser(for: parsed.typeName) else {
        throw .unknownType(parsed.typeName)
    }
    return try parser(reactor, parsed)
}

/// Makes the client endpoint a description string names (Twisted's `clientFromString`):
/// `tcp:example.com:80`, `tcp:host=\:\:1:port=80:timeout=5`, `unix:/run/app.sock`, or any type
/// registered with ``EndpointParsers``. Client types match in any case.
///
/// Nothing connects yet: call ``ClientEndpoint/connect(_:)``.
///
/// - Throws: ``EndpointDescriptionError``, as for ``serverFromString(_:_:)``.
public func clientFromString(
    _ reactor: any EndpointReactor, _ description: String
) throws(EndpointDescriptionError) -> any ClientEndpoint {
    let parsed = try EndpointDescription(parsing: description)
    guard let parser = EndpointParsers.clientParser(for: parsed.typeName) else {
        throw .unknownType(parsed.typeName)
    }
    return try parser(reactor, parsed)
}
