/// The `stdio:` server type.
extension EndpointParsers {
    /// `stdio:` takes no arguments (`stdio` and `stdio:` are the same); the reactor must offer
    /// ``ReactorStandardIO`` (the libev `Reactor` does).
    static func parseStandardIOServer(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ServerEndpoint {
        var bare = description
        if bare.positional == [""] { bare.positional = [] }  // "stdio:"
        _ = try EndpointArguments(bare, parameters: [])
        guard let standardIO = reactor as? any ReactorStandardIO else {
            throw .invalidValue(
                type: description.typeName, name: "reactor", value: "\(type(of: reactor))", expected: "a reactor with standard I/O"
            )
        }
        return StandardIOServerEndpoint(reactor: standardIO)
    }
}
