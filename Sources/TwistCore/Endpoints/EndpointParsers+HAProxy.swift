/// The `haproxy:` server type: a prefix on any other server description.
extension EndpointParsers {
    /// `haproxy:<server description>`: the pieces after `haproxy` are another server description
    /// (its type first, then its own positionals and keys), parsed by that type's parser and
    /// wrapped in a ``HAProxyServerEndpoint``. The pieces are passed on already unescaped, so an
    /// escape in them means what it would mean without the prefix (`haproxy:unix:/a\:b` listens
    /// on `/a:b`).
    static func parseHAProxyServer(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ServerEndpoint {
        guard let innerType = description.positional.first, !innerType.isEmpty else {
            throw .missingArgument(type: description.typeName, name: "endpoint")
        }
        let inner = EndpointDescription(
            typeName: innerType,
            positional: Array(description.positional.dropFirst()),
            keywords: description.keywords
        )
        guard let parser = serverParser(for: innerType) else { throw .unknownType(innerType) }
        return HAProxyServerEndpoint(wrapping: try parser(reactor, inner))
    }
}
