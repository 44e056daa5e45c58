/// The `systemd:` server type (Twisted's `systemd` endpoint plugin): a listening socket inherited
/// by socket activation, as an ``AdoptedStreamServerEndpoint``.
extension EndpointParsers {
    /// The built-in `systemd:` parser, over the sockets this process inherited
    /// (``ListenFDs/inherited``, read from the environment on its first use).
    static let parseSystemdServer: ServerParser = systemdServerParser { ListenFDs.inherited }

    /// A parser for `systemd:domain=INET|INET6|UNIX:index=N` or `systemd:domain=...:name=NAME`
    /// (positional order: domain, index, name) that looks sockets up in what `inherited` returns,
    /// called once per parse — the built-in one passes ``ListenFDs/inherited``; a test passes a
    /// value made from a dictionary and calls the parser directly, leaving the registry and the
    /// environment alone.
    ///
    /// The parser builds an ``AdoptedStreamServerEndpoint`` for the descriptor found; it neither
    /// checks nor touches the descriptor (that happens in `listen`). `domain` is the `AF_` suffix,
    /// exactly as written (`INET`, `INET6`, `UNIX`); exactly one of `index` (0 is descriptor 3)
    /// and `name` (from `LISTEN_FDNAMES`) must be given. Every mistake — an unknown domain, both
    /// or neither of index and name, an index with no socket, an unknown name — is an
    /// ``EndpointDescriptionError`` naming the piece.
    public static func systemdServerParser(_ inherited: @escaping @Sendable () -> ListenFDs) -> ServerParser {
        { reactor, description throws(EndpointDescriptionError) in
            let type = description.typeName
            let arguments = try EndpointArguments(description, parameters: ["domain", "index", "name"])
            let domain = try arguments.required("domain")
            guard let family = AddressFamily(rawValue: domain) else {
                throw .invalidValue(type: type, name: "domain", value: domain, expected: "INET, INET6 or UNIX")
            }
            let sockets = inherited()
            let descriptor: Int32
            let label: String
            switch (arguments["index"], arguments["name"]) {
            case (nil, nil):
                throw .missingArgument(type: type, name: "index or name")
            case (.some, .some(let name)):
                throw .invalidValue(
                    type: type, name: "name", value: name, expected: "left out when index is given (give one of index and name)"
                )
            case (.some(let text), nil):
                let index = try arguments.integer("index")
                guard let found = sockets.descriptor(at: index) else {
                    throw .invalidValue(type: type, name: "index", value: text, expected: indexExpectation(sockets))
                }
                descriptor = found
                label = "\(type):domain=\(family):index=\(index)"
            case (nil, .some):
                let name = try arguments.required("name")
                guard let found = sockets.descriptor(named: name) else {
                    throw .invalidValue(type: type, name: "name", value: name, expected: nameExpectation(sockets))
                }
                descriptor = found
                label = "\(type):domain=\(family):name=\(quoteStringArgument(name))"
            }
            return AdoptedStreamServerEndpoint(reactor: reactor, fileDescriptor: descriptor, family: family, label: label)
        }
    }

    /// What a good index would have been, for the error text.
    private static func indexExpectation(_ sockets: ListenFDs) -> String {
        let count = sockets.descriptors.count
        if count == 0 {
            return "the index of an inherited socket, but this process inherited none (LISTEN_FDS and LISTEN_PID)"
        }
        return "an index from 0 to \(count - 1) (LISTEN_FDS is \(count))"
    }

    /// What a good name would have been, for the error text.
    private static func nameExpectation(_ sockets: ListenFDs) -> String {
        guard let names = sockets.names, !names.isEmpty else {
            return "the name of an inherited socket, but none is named (LISTEN_FDNAMES unset, or not one name per socket)"
        }
        return "the name of an inherited socket (\(names.joined(separator: ", ")))"
    }
}
