import Testing
import TwistCore
import TwistTesting

/// `TCP6ClientEndpoint`'s IPv6-only resolution, with a fake resolver and the memory reactor.
@Suite("TCP6 client endpoint: IPv6-only resolution")
struct TCP6ClientEndpointTests {
    let reactor = MemoryReactor()

    @Test func aNameConnectsToItsFirstIPv6AddressSkippingIPv4Ones() throws {
        let resolver = FakeHostNameResolver(["dual.example": ["10.0.0.1", "2001:db8::1", "2001:db8::2"]])
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "dual.example", port: 443, timeout: 5, resolver: resolver)
        let connecting = endpoint.connect(Factory { RecordingProtocol() })
        #expect(resolver.lookups == ["dual.example"])
        let call = try #require(reactor.connectCalls.first)
        #expect(reactor.connectCalls.count == 1)
        #expect((call.host, call.port, call.timeout) == ("2001:db8::1", 443, 5))
        #expect(call.connector.destination == .ipv6("2001:db8::1", 443))
        assertNoResult(connecting)
        connecting.cancel()
        failureResultOf(connecting, ConnectingCancelledError.self)
    }

    @Test func anIPv4OnlyNameFailsWithDNSLookupErrorAndConnectsNothing() throws {
        let resolver = FakeHostNameResolver(["v4.example": ["10.0.0.1", "10.0.0.2"]])
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "v4.example", port: 80, resolver: resolver)
        let error = try #require(failureResultOf(endpoint.connect(Factory { RecordingProtocol() }), as: DNSLookupError.self))
        #expect("\(error)".contains("no IPv6 address for hostname lookup: v4.example (IPv4 addresses only: 10.0.0.1, 10.0.0.2)"))
        #expect(reactor.connectCalls.isEmpty)
    }

    @Test func anUnknownNameFailsWithDNSLookupError() throws {
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "nowhere.example", port: 80, resolver: FakeHostNameResolver())
        let error = try #require(failureResultOf(endpoint.connect(Factory { RecordingProtocol() }), as: DNSLookupError.self))
        #expect("\(error)".contains("nowhere.example (no addresses)"))
        #expect(reactor.connectCalls.isEmpty)
    }

    @Test func anIPv4LiteralIsRefusedWithoutALookup() throws {
        let resolver = FakeHostNameResolver()
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: 80, resolver: resolver)
        let error = try #require(failureResultOf(endpoint.connect(Factory { RecordingProtocol() }), as: InvalidAddressError.self))
        #expect("\(error)".contains("127.0.0.1 is an IPv4 address"))
        #expect(resolver.lookups.isEmpty)
        #expect(reactor.connectCalls.isEmpty)
    }

    @Test func aBracketedIPv6LiteralIsUsedWithoutALookup() throws {
        let resolver = FakeHostNameResolver()
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "[::1]", port: 80, resolver: resolver)
        _ = endpoint.connect(Factory { RecordingProtocol() })
        #expect(resolver.lookups.isEmpty)
        #expect(try #require(reactor.connectCalls.first).connector.destination == .ipv6("::1", 80))
    }

    @Test func aNameWithoutAnyResolverFailsClearly() throws {
        // MemoryReactor is no HostNameResolver, and none was given.
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "example.com", port: 80)
        let error = try #require(failureResultOf(endpoint.connect(Factory { RecordingProtocol() }), as: DNSLookupError.self))
        #expect("\(error)".contains("no resolver for host name \"example.com\""))
        #expect(reactor.connectCalls.isEmpty)
    }

    @Test func cancellingDuringTheLookupFailsWithCancelledErrorAndNeverConnects() throws {
        let resolver = FakeHostNameResolver(["slow.example": ["::2"]])
        resolver.holdsAnswers = true
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "slow.example", port: 80, resolver: resolver)
        let connecting = endpoint.connect(Factory { RecordingProtocol() })
        assertNoResult(connecting)
        connecting.cancel()
        failureResultOf(connecting, CancelledError.self)
        resolver.answerPending()
        #expect(reactor.connectCalls.isEmpty)
    }

    @Test func aLaterAnswerConnectsAndTheConnectionFiresTheDeferred() throws {
        let resolver = FakeHostNameResolver(["later.example": ["::2"]])
        resolver.holdsAnswers = true
        let endpoint = TCP6ClientEndpoint(reactor: reactor, host: "later.example", port: 80, resolver: resolver)
        let connecting = endpoint.connect(Factory { RecordingProtocol() })
        #expect(reactor.connectCalls.isEmpty)
        resolver.answerPending()
        let call = try #require(reactor.connectCalls.first)
        #expect(call.connector.destination == .ipv6("::2", 80))
        let built = try #require(call.factory.buildProtocol(address: .ipv6("::2", 80)))
        built.makeConnection(StringTransport())
        #expect(successResultOf(connecting) is RecordingProtocol)
    }
}
