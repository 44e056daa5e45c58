import Testing
import TwistCore
import TwistTesting

@Suite("serverFromString / clientFromString (items 56–61, 65–66, 80)")
struct EndpointStringTests {
    let reactor = MemoryReactor()

    // MARK: Servers

    @Test func tcpServer() throws {
        let plain = try #require(try serverFromString(reactor, "tcp:80") as? TCP4ServerEndpoint)
        #expect((plain.port, plain.backlog, plain.interface) == (80, 50, ""))
        let full = try #require(try serverFromString(reactor, "tcp:port=1234:backlog=12:interface=10.0.0.1") as? TCP4ServerEndpoint)
        #expect((full.port, full.backlog, full.interface) == (1234, 12, "10.0.0.1"))
        let positional = try #require(try serverFromString(reactor, "tcp:80:127.0.0.1") as? TCP4ServerEndpoint)
        #expect(positional.interface == "127.0.0.1")
        #expect(positional.description == "tcp:80:interface=127.0.0.1")
    }

    @Test func tcp6Server() throws {
        let plain = try #require(try serverFromString(reactor, "tcp6:8080") as? TCP6ServerEndpoint)
        #expect((plain.port, plain.backlog, plain.interface) == (8080, 50, "::"))
        let loopback = try #require(try serverFromString(reactor, #"tcp6:8080:interface=\:\:1"#) as? TCP6ServerEndpoint)
        #expect(loopback.interface == "::1")
        #expect(loopback.description == #"tcp6:8080:interface=\:\:1"#)
        let twistedOrder = try #require(try serverFromString(reactor, "tcp6:8080:7") as? TCP6ServerEndpoint)
        #expect(twistedOrder.backlog == 7)
    }

    @Test func unixServerDefaultsToALockFile() throws {
        let plain = try #require(try serverFromString(reactor, "unix:/var/run/app.sock") as? UNIXServerEndpoint)
        #expect(plain.path == "/var/run/app.sock")
        #expect((plain.backlog, plain.mode, plain.wantPID) == (50, 0o666, true))
        let full = try #require(try serverFromString(reactor, "unix:address=/s:mode=0660:backlog=3:lockfile=0") as? UNIXServerEndpoint)
        #expect((full.path, full.backlog, full.mode, full.wantPID) == ("/s", 3, 0o660, false))
        let octal = try #require(try serverFromString(reactor, "unix:/s:mode=660") as? UNIXServerEndpoint)
        #expect(octal.mode == 0o660)
        #expect(octal.description == "unix:/s:mode=660:lockfile=1")
    }

    @Test func serverDescriptionsParseBackToEqualEndpoints() throws {
        let endpoints: [any ServerEndpoint] = [
            TCP4ServerEndpoint(reactor: reactor, port: 1, backlog: 2, interface: "127.0.0.1"),
            TCP6ServerEndpoint(reactor: reactor, port: 0, interface: "fe80::1"),
            UNIXServerEndpoint(reactor: reactor, path: "/a:b", backlog: 9, mode: 0o600),
            UNIXServerEndpoint(reactor: reactor, path: "/x", wantPID: true),
        ]
        for endpoint in endpoints {
            let again = try serverFromString(reactor, endpoint.description)
            #expect(again.description == endpoint.description)
            #expect(type(of: again) == type(of: endpoint))
        }
    }

    // MARK: Clients

    @Test func tcpClient() throws {
        let plain = try #require(try clientFromString(reactor, "tcp:example.com:80") as? TCP4ClientEndpoint)
        #expect((plain.host, plain.port, plain.timeout, plain.bindAddress) == ("example.com", 80, 30, nil))
        let keyed = try #require(try clientFromString(reactor, "tcp:host=h:port=81:timeout=5:bindAddress=10.0.0.2")
            as? TCP4ClientEndpoint)
        #expect((keyed.host, keyed.port, keyed.timeout, keyed.bindAddress) == ("h", 81, 5, .ipv4("10.0.0.2", 0)))
        let hostByKey = try #require(try clientFromString(reactor, "tcp:82:host=h") as? TCP4ClientEndpoint)
        #expect((hostByKey.host, hostByKey.port) == ("h", 82))
        let portByKey = try #require(try clientFromString(reactor, "tcp:h:port=83") as? TCP4ClientEndpoint)
        #expect((portByKey.host, portByKey.port) == ("h", 83))
        let ipv6 = try #require(try clientFromString(reactor, #"tcp:\:\:1:80:timeout=2.5"#) as? TCP4ClientEndpoint)
        #expect((ipv6.host, ipv6.timeout) == ("::1", 2.5))
        #expect(ipv6.description == #"tcp:\:\:1:80:timeout=2.5"#)
    }

    @Test func unixClientTakesCheckPIDAndLockfileAsBooleans() throws {
        let plain = try #require(try clientFromString(reactor, "unix:/s") as? UNIXClientEndpoint)
        #expect((plain.path, plain.timeout, plain.checkPID) == ("/s", 30, false))
        let byPath = try #require(try clientFromString(reactor, "unix:path=/p:timeout=1:lockfile=1") as? UNIXClientEndpoint)
        #expect((byPath.path, byPath.timeout, byPath.checkPID) == ("/p", 1, true))
        let checkPIDZero = try #require(try clientFromString(reactor, "unix:/p:checkPID=0") as? UNIXClientEndpoint)
        #expect(checkPIDZero.checkPID == false)
        let checkPIDWins = try #require(try clientFromString(reactor, "unix:/p:checkPID=1:lockfile=0") as? UNIXClientEndpoint)
        #expect(checkPIDWins.checkPID == true)
    }

    // MARK: Case rules and unknown types

    @Test func builtInServerTypesTcpAndUnixMatchOnlyInLowerCase() throws {
        #expect(throws: EndpointDescriptionError.unknownType("TCP")) { try serverFromString(reactor, "TCP:80") }
        #expect(throws: EndpointDescriptionError.unknownType("Unix")) { try serverFromString(reactor, "Unix:/s") }
        #expect(try serverFromString(reactor, "TCP6:80") is TCP6ServerEndpoint)
    }

    @Test func clientTypesMatchInAnyCase() throws {
        #expect(try clientFromString(reactor, "TCP:h:80") is TCP4ClientEndpoint)
        #expect(try clientFromString(reactor, "UnIx:/s") is UNIXClientEndpoint)
    }

    @Test(arguments: ["", "80", "nope:1", "port=80:tcp", "quic:443"])
    func thereIsNoDefaultTypeForServers(_ text: String) throws {
        let type = try EndpointDescription(parsing: text).typeName
        #expect(throws: EndpointDescriptionError.unknownType(type)) { try serverFromString(reactor, text) }
    }

    @Test(arguments: ["", "80", "tcp6:h:80", "ssl:h:80"])
    func unknownClientTypes(_ text: String) throws {
        let type = try EndpointDescription(parsing: text).typeName
        #expect(throws: EndpointDescriptionError.unknownType(type)) { try clientFromString(reactor, text) }
    }

    // MARK: Errors

    static let badServers: [(String, EndpointDescriptionError)] = [
        ("tcp", .missingArgument(type: "tcp", name: "port")),
        ("tcp:http", .invalidValue(type: "tcp", name: "port", value: "http", expected: "an integer")),
        ("tcp:80:backlog=x", .invalidValue(type: "tcp", name: "backlog", value: "x", expected: "an integer")),
        ("tcp:80:bogus=1", .unknownKey(type: "tcp", key: "bogus")),
        ("tcp:80:a:1:extra", .tooManyArguments(type: "tcp", piece: "extra")),
        ("tcp:80:port=81", .duplicateArgument(type: "tcp", name: "port")),
        (#"tcp:80\"#, .trailingBackslash(description: #"tcp:80\"#)),
        ("tcp6:x", .invalidValue(type: "tcp6", name: "port", value: "x", expected: "an integer")),
        ("unix", .missingArgument(type: "unix", name: "address")),
        ("unix:path=/s", .unknownKey(type: "unix", key: "path")),
        ("unix:/s:mode=999", .invalidValue(type: "unix", name: "mode", value: "999", expected: "an octal number")),
        ("unix:/s:lockfile=maybe", .invalidValue(type: "unix", name: "lockfile", value: "maybe", expected: "0 or 1")),
    ]

    @Test(arguments: badServers)
    func badServerStrings(_ text: String, _ expected: EndpointDescriptionError) {
        #expect(throws: expected) { try serverFromString(reactor, text) }
    }

    static let badClients: [(String, EndpointDescriptionError)] = [
        ("tcp:h", .missingArgument(type: "tcp", name: "port")),
        ("tcp:port=80", .missingArgument(type: "tcp", name: "host")),
        ("tcp:h:80:9", .tooManyArguments(type: "tcp", piece: "9")),
        ("tcp:h:x", .invalidValue(type: "tcp", name: "port", value: "x", expected: "an integer")),
        ("tcp:h:80:timeout=soon", .invalidValue(type: "tcp", name: "timeout", value: "soon", expected: "a number of seconds")),
        ("tcp:h:80:bindAddress=localhost",
         .invalidValue(type: "tcp", name: "bindAddress", value: "localhost", expected: "a numeric IP address")),
        ("tcp:h:80:interface=x", .unknownKey(type: "tcp", key: "interface")),
        ("unix", .missingArgument(type: "unix", name: "path")),
        ("unix:/a:/b", .tooManyArguments(type: "unix", piece: "/b")),
        ("unix:/a:mode=1", .unknownKey(type: "unix", key: "mode")),
        ("unix:/a:checkPID=yes", .invalidValue(type: "unix", name: "checkPID", value: "yes", expected: "0 or 1")),
    ]

    @Test(arguments: badClients)
    func badClientStrings(_ text: String, _ expected: EndpointDescriptionError) {
        #expect(throws: expected) { try clientFromString(reactor, text) }
    }

    // MARK: Registry

    @Test func theBuiltInsAreRegistered() {
        #expect(Set(["tcp", "tcp6", "unix"]).isSubset(of: Set(EndpointParsers.serverPrefixes)))
        #expect(Set(["tcp", "unix"]).isSubset(of: Set(EndpointParsers.clientPrefixes)))
    }

    @Test func aCustomPrefixWorksForBothDirections() throws {
        EndpointParsers.register(server: "memtest-both") { reactor, description throws(EndpointDescriptionError) in
            let arguments = try EndpointArguments(description, parameters: ["port"])
            return TCP4ServerEndpoint(reactor: reactor, port: try arguments.integer("port"), interface: "127.0.0.9")
        }
        EndpointParsers.register(client: "memtest-both") { reactor, description throws(EndpointDescriptionError) in
            let arguments = try EndpointArguments(description, parameters: ["port"])
            return TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.9", port: try arguments.integer("port"))
        }
        defer {
            EndpointParsers.unregister(server: "memtest-both")
            EndpointParsers.unregister(client: "memtest-both")
        }
        let server = try #require(try serverFromString(reactor, "MemTest-Both:99") as? TCP4ServerEndpoint)
        #expect((server.port, server.interface) == (99, "127.0.0.9"))
        let client = try #require(try clientFromString(reactor, "memtest-both:98") as? TCP4ClientEndpoint)
        #expect((client.host, client.port) == ("127.0.0.9", 98))
        #expect(throws: EndpointDescriptionError.unknownKey(type: "memtest-both", key: "x")) {
            try clientFromString(reactor, "memtest-both:98:x=1")
        }
        #expect(EndpointParsers.serverPrefixes.contains("memtest-both"))
    }

    @Test func aPrefixRegisteredMatchingCaseMatchesOnlyAsWritten() throws {
        EndpointParsers.register(server: "MemCase", matchingCase: true) { reactor, _ in
            TCP4ServerEndpoint(reactor: reactor, port: 1)
        }
        defer { EndpointParsers.unregister(server: "memcase") }
        #expect(try serverFromString(reactor, "MemCase") is TCP4ServerEndpoint)
        #expect(throws: EndpointDescriptionError.unknownType("memcase")) { try serverFromString(reactor, "memcase") }
    }

    @Test func unregisteringRemovesTheType() {
        EndpointParsers.register(client: "memgone") { reactor, _ in UNIXClientEndpoint(reactor: reactor, path: "/x") }
        #expect(EndpointParsers.unregister(client: "MEMGONE"))
        #expect(!EndpointParsers.unregister(client: "memgone"))
        #expect(throws: EndpointDescriptionError.unknownType("memgone")) { try clientFromString(reactor, "memgone") }
    }
}
