import Testing
import TwistCore

@Suite("Description grammar (items 55, 58)")
struct EndpointDescriptionTests {
    struct Good: CustomTestStringConvertible, Sendable {
        let text: String
        let type: String
        let positional: [String]
        let keywords: [String: String]
        var testDescription: String { text }
    }

    static let good: [Good] = [
        Good(text: "tcp:80", type: "tcp", positional: ["80"], keywords: [:]),
        Good(text: "tcp:80:interface=127.0.0.1", type: "tcp", positional: ["80"], keywords: ["interface": "127.0.0.1"]),
        Good(text: "unix:address=a=b", type: "unix", positional: [], keywords: ["address": "a=b"]),
        Good(text: #"tcp6:80:interface=\:\:1"#, type: "tcp6", positional: ["80"], keywords: ["interface": "::1"]),
        Good(text: #"x:a\=b"#, type: "x", positional: ["a=b"], keywords: [:]),
        Good(text: #"x:a\\b"#, type: "x", positional: [#"a\b"#], keywords: [:]),
        Good(text: #"x:\a"#, type: "x", positional: ["a"], keywords: [:]),
        Good(text: "x:k=1:p:k=2", type: "x", positional: ["p"], keywords: ["k": "2"]),
        Good(text: "x:k=1:p1:j=v:p2", type: "x", positional: ["p1", "p2"], keywords: ["k": "1", "j": "v"]),
        Good(text: "tcp::80", type: "tcp", positional: ["", "80"], keywords: [:]),
        Good(text: "x:=v", type: "x", positional: [], keywords: ["": "v"]),
        Good(text: "x:k=", type: "x", positional: [], keywords: ["k": ""]),
        Good(text: "port=80:tcp", type: "port=80", positional: ["tcp"], keywords: [:]),
        Good(text: "", type: "", positional: [], keywords: [:]),
        Good(text: "80", type: "80", positional: [], keywords: [:]),
        Good(text: "x:", type: "x", positional: [""], keywords: [:]),
        Good(text: "unix:/tmp/ü sock", type: "unix", positional: ["/tmp/ü sock"], keywords: [:]),
    ]

    @Test(arguments: good)
    func parses(_ example: Good) throws {
        let parsed = try EndpointDescription(parsing: example.text)
        #expect(parsed.typeName == example.type)
        #expect(parsed.positional == example.positional)
        #expect(parsed.keywords == example.keywords)
    }

    @Test(arguments: good)
    func descriptionParsesBackToTheSameValue(_ example: Good) throws {
        let parsed = try EndpointDescription(parsing: example.text)
        #expect(try EndpointDescription(parsing: parsed.description) == parsed)
    }

    @Test(arguments: [#"tcp:80\"#, #"\"#, #"tcp:a\\\"#])
    func aTrailingLoneBackslashIsAnError(_ text: String) {
        #expect(throws: EndpointDescriptionError.trailingBackslash(description: text)) {
            try EndpointDescription(parsing: text)
        }
    }

    @Test func quoteStringArgumentEscapesBackslashAndColonOnly() throws {
        #expect(quoteStringArgument(#"a:b\c=d"#) == #"a\:b\\c=d"#)
        let value = #"C:\path:with=odd"#
        let parsed = try EndpointDescription(parsing: "x:k=\(quoteStringArgument(value))")
        #expect(parsed.keywords["k"] == value)
    }

    @Test func errorTextsNameTheTypeAndThePiece() {
        #expect(EndpointDescriptionError.unknownType("x").description == "Unknown endpoint type: 'x'")
        #expect(EndpointDescriptionError.unknownKey(type: "tcp", key: "foo").description == "tcp: unknown key 'foo'")
        #expect(EndpointDescriptionError.missingArgument(type: "unix", name: "address").description
            == "unix: missing argument 'address'")
        #expect(EndpointDescriptionError.invalidValue(type: "tcp", name: "port", value: "http", expected: "an integer")
            .description == "tcp: port must be an integer, not 'http'")
        #expect(EndpointDescriptionError.tooManyArguments(type: "tcp", piece: "x").description
            == "tcp: too many arguments, starting at 'x'")
        #expect(EndpointDescriptionError.duplicateArgument(type: "tcp", name: "port").description
            == "tcp: 'port' given both by position and by name")
        #expect(EndpointDescriptionError.trailingBackslash(description: #"a\"#).description
            == #"Endpoint description ends in a lone backslash: 'a\'"#)
    }
}

@Suite("EndpointArguments")
struct EndpointArgumentsTests {
    func bind(_ text: String, _ parameters: [String]) throws -> EndpointArguments {
        try EndpointArguments(EndpointDescription(parsing: text), parameters: parameters)
    }

    @Test func positionalsFillParametersInOrderAndKeysByName() throws {
        let arguments = try bind("t:1:b=2", ["a", "b", "c"])
        #expect(arguments.values == ["a": "1", "b": "2"])
        #expect(try arguments.integer("c", default: 9) == 9)
        #expect(throws: EndpointDescriptionError.missingArgument(type: "t", name: "c")) { try arguments.required("c") }
    }

    @Test func bindingErrors() {
        #expect(throws: EndpointDescriptionError.tooManyArguments(type: "t", piece: "3")) { try bind("t:1:2:3", ["a", "b"]) }
        #expect(throws: EndpointDescriptionError.unknownKey(type: "t", key: "z")) { try bind("t:z=1", ["a"]) }
        #expect(throws: EndpointDescriptionError.duplicateArgument(type: "t", name: "a")) { try bind("t:1:a=2", ["a"]) }
    }

    @Test func valueReaders() throws {
        let arguments = try bind("t:m=0660:n=660:o=0o17:t=2.5:f=TRUE:z=0:i=-3:ip=\\:\\:1", ["m", "n", "o", "t", "f", "z", "i", "ip"])
        #expect(try arguments.octal("m") == 0o660)
        #expect(try arguments.octal("n") == 0o660)
        #expect(try arguments.octal("o") == 0o17)
        #expect(try arguments.seconds("t") == 2.5)
        #expect(try arguments.boolean("f") == true)
        #expect(try arguments.boolean("z") == false)
        #expect(try arguments.integer("i") == -3)
        #expect(try arguments.ipAddress("ip") == .ipv6("::1", 0))
    }

    @Test(arguments: [
        ("octal", "8"), ("octal", ""), ("octal", "0o"), ("integer", "2.5"), ("integer", "80x"),
        ("seconds", "-1"), ("seconds", "inf"), ("seconds", "nan"), ("seconds", "1e3"), ("boolean", "2"),
        ("boolean", "yes"), ("ip", "localhost"),
    ])
    func badValuesAreInvalid(_ reader: String, _ text: String) throws {
        let arguments = try EndpointArguments(EndpointDescription(typeName: "t", keywords: ["v": text]), parameters: ["v"])
        #expect {
            switch reader {
            case "octal": _ = try arguments.octal("v")
            case "integer": _ = try arguments.integer("v")
            case "seconds": _ = try arguments.seconds("v")
            case "boolean": _ = try arguments.boolean("v")
            default: _ = try arguments.ipAddress("v")
            }
        } throws: { error in
            guard case .invalidValue(type: "t", name: "v", value: text, _)? = error as? EndpointDescriptionError else {
                return false
            }
            return true
        }
    }
}
