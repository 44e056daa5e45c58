/// The `haproxy:` server type: a prefix on any other server description.
extension EndpointParsers {
    /// `haproxy:<server description>`: the pieces after `haproxy` are another server description
    /// (its type first, then its own positionals and keys), parsed by that type's parser and
    /// wrapped in a ``HAProxyServerEndpoint``. The pieces are passed on already unescaped, so an
    /// escape in them means what it would mean without the prefix (`haproxy:unix:/a\:b` listens
    /// on `/a:b`). The key `headerTimeout=SECONDS` is the prefix's own (taken out before the
    /// wrapped type sees the keys): the time each connection has for its header, on the reactor's
    /// clock; 10 by default, `0` for no limit.
    static func parseHAProxyServer(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ServerEndpoint {
        guard let innerType = description.positional.first, !innerType.isEmpty else {
            throw .missingArgument(type: description.typeName, name: "endpoint")
        }
        var keywords = description.keywords
        let timeoutText = keywords.removeValue(forKey: headerTimeoutKey)
        let inner = EndpointDescription(
            typeName: innerType,
            positional: Array(description.positional.dropFirst()),
            keywords: keywords
        )
        guard let parser = serverParser(for: innerType) else { throw .unknownType(innerType) }
        let wrapped = try parser(reactor, inner)
        let own = EndpointDescription(typeName: description.typeName, keywords: timeoutText.map { [headerTimeoutKey: $0] } ?? [:])
        let seconds = try EndpointArguments(own, parameters: [headerTimeoutKey])
            .seconds(headerTimeoutKey, default: PROXYHeaderTimeout.defaultSeconds)
        let timeout = seconds > 0 ? PROXYHeaderTimeout(seconds: seconds, clock: reactor) : nil
        return HAProxyServerEndpoint(wrapping: wrapped, headerTimeout: timeout)
    }

    /// The `haproxy:` prefix's own key.
    private static let headerTimeoutKey = "headerTimeout"
}
