import Testing
import TwistCore
import TwistTesting

@Suite("haproxy: endpoint prefix")
struct HAProxyEndpointTests {
    let reactor = MemoryReactor()

    @Test func wrapsATCPDescription() throws {
        let endpoint = try #require(try serverFromString(reactor, "haproxy:tcp:8080:interface=127.0.0.1") as? HAProxyServerEndpoint)
        let tcp = try #require(endpoint.wrappedEndpoint as? TCP4ServerEndpoint)
        #expect((tcp.port, tcp.interface, tcp.backlog) == (8080, "127.0.0.1", 50))
        #expect(endpoint.description == "haproxy:tcp:8080:interface=127.0.0.1")
        #expect(try serverFromString(reactor, "HAProxy:tcp:80") is HAProxyServerEndpoint, "a plugin-style type: any case")
    }

    @Test func wrapsAUNIXDescriptionWithEscapes() throws {
        let endpoint = try #require(try serverFromString(reactor, #"haproxy:unix:/tmp/a\:b\\c.sock:mode=600"#) as? HAProxyServerEndpoint)
        let unix = try #require(endpoint.wrappedEndpoint as? UNIXServerEndpoint)
        #expect(unix.path == #"/tmp/a:b\c.sock"#)
        #expect(unix.mode == 0o600)
        #expect(endpoint.description == #"haproxy:unix:/tmp/a\:b\\c.sock:mode=600:lockfile=1"#)
        let again = try #require(try serverFromString(reactor, endpoint.description) as? HAProxyServerEndpoint)
        #expect((again.wrappedEndpoint as? UNIXServerEndpoint)?.path == #"/tmp/a:b\c.sock"#)
        let byKey = try #require(try serverFromString(reactor, #"haproxy:unix:address=/x\:y"#) as? HAProxyServerEndpoint)
        #expect((byKey.wrappedEndpoint as? UNIXServerEndpoint)?.path == "/x:y")
    }

    @Test func nestedAndOtherTypes() throws {
        let tcp6 = try #require(try serverFromString(reactor, #"haproxy:tcp6:0:interface=\:\:1"#) as? HAProxyServerEndpoint)
        #expect((tcp6.wrappedEndpoint as? TCP6ServerEndpoint)?.interface == "::1")
        let twice = try #require(try serverFromString(reactor, "haproxy:haproxy:tcp:1") as? HAProxyServerEndpoint)
        #expect(twice.wrappedEndpoint is HAProxyServerEndpoint)
    }

    @Test func badDescriptionsNameTheirMistake() {
        #expect(throws: EndpointDescriptionError.missingArgument(type: "haproxy", name: "endpoint")) { try serverFromString(reactor, "haproxy") }
        #expect(throws: EndpointDescriptionError.missingArgument(type: "haproxy", name: "endpoint")) { try serverFromString(reactor, "haproxy:") }
        #expect(throws: EndpointDescriptionError.unknownType("nope")) { try serverFromString(reactor, "haproxy:nope:80") }
        #expect(throws: EndpointDescriptionError.unknownType("TCP")) { try serverFromString(reactor, "haproxy:TCP:80") }
        #expect(throws: EndpointDescriptionError.missingArgument(type: "tcp", name: "port")) { try serverFromString(reactor, "haproxy:tcp") }
        #expect(throws: EndpointDescriptionError.unknownKey(type: "tcp", key: "bogus")) { try serverFromString(reactor, "haproxy:tcp:80:bogus=1") }
        #expect(EndpointParsers.serverPrefixes.contains("haproxy"))
    }

    @Test func listensWithAWrappingFactoryAndTheApplicationSeesTheClient() throws {
        let endpoint = try serverFromString(reactor, "haproxy:tcp:8080")
        let application = Factory { ProxiedRecorder() }
        let port = try #require(endpoint.listen(application).successValue)
        #expect(port.address.port == 8080)
        let call = try #require(reactor.listenCalls.last)
        let wrapping = try #require(call.factory as? HAProxyWrappingFactory)
        #expect(wrapping.wrappedFactory === application)

        let wrapper = try #require(wrapping.buildProtocol(address: .ipv4("127.0.0.1", 50000)) as? HAProxyProtocolWrapper)
        let transport = StringTransport(peer: .ipv4("127.0.0.1", 50000))
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("PROXY TCP4 203.0.113.7 127.0.0.1 61000 8080\r\nhi".utf8)[...])
        let recorder = try #require(wrapper.wrappedProtocol as? ProxiedRecorder)
        #expect(recorder.peerAtConnectionMade == .ipv4("203.0.113.7", 61000))
        #expect(recorder.chunks == [Array("hi".utf8)])
    }
}
