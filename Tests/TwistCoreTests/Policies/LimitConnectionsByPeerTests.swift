import Testing
import TwistCore
import TwistTesting

@Suite("LimitConnectionsByPeer (spec 64)")
struct LimitConnectionsByPeerTests {
    let capture = LogCapture()
    let inner = CountingFactory()

    init() {
        inner.logger = capture.logger()
    }

    private var notices: [String] { capture.records.filter { $0.level == .notice }.map(\.message) }

    @Test func theDefaultIsFivePerPeer() throws {
        let factory = LimitConnectionsByPeer(wrapping: inner)
        #expect(factory.maxConnectionsPerPeer == 5)
        for port in 1...5 { _ = try connectPolicy(factory, peer: .ipv4("192.0.2.1", port)) }
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.1", 6)) == nil)
        #expect(inner.asked == 5)
    }

    @Test func anIPv4PeerAtItsAllowanceIsRefusedOthersAreNotAndItIsAdmittedAgainAfterAClose() throws {
        let factory = LimitConnectionsByPeer(wrapping: inner, maxConnectionsPerPeer: 2)
        let (_, first) = try connectPolicy(factory, peer: .ipv4("192.0.2.1", 1000))
        _ = try connectPolicy(factory, peer: .ipv4("192.0.2.1", 1001))
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.1", 1002)) == nil, "another port, the same host")
        #expect(inner.asked == 2)
        #expect(notices == ["refused connection from 192.0.2.1:1002: 2 connections open from 192.0.2.1, the limit per peer is 2 (CountingFactory (LimitConnectionsByPeer))"])
        _ = try connectPolicy(factory, peer: .ipv4("192.0.2.2", 1000))
        #expect(factory.connectionsByPeer == ["192.0.2.1": 2, "192.0.2.2": 1])

        first.loseConnection()
        #expect(factory.connectionCount(forPeer: "192.0.2.1") == 1)
        _ = try connectPolicy(factory, peer: .ipv4("192.0.2.1", 1003))
        #expect(inner.asked == 4)
        #expect(inner.built.allSatisfy { $0.reasons.count <= 1 })
    }

    @Test func anIPv6PeerIsLimitedByItsHost() throws {
        let factory = LimitConnectionsByPeer(wrapping: inner, maxConnectionsPerPeer: 1)
        let (_, first) = try connectPolicy(factory, peer: .ipv6("2001:db8::1", 1000))
        #expect(factory.buildProtocol(address: .ipv6("2001:db8::1", 1001)) == nil)
        _ = try connectPolicy(factory, peer: .ipv6("2001:db8::2", 1000))
        _ = try connectPolicy(factory, peer: .ipv6("::1", 1000))
        #expect(factory.buildProtocol(address: .ipv6("::1", 1001)) == nil)
        #expect(factory.connectionsByPeer == ["2001:db8::1": 1, "2001:db8::2": 1, "::1": 1])
        first.abortConnection()
        _ = try connectPolicy(factory, peer: .ipv6("2001:db8::1", 1002))
        #expect(inner.asked == 4)
        #expect(notices.count == 2)
    }

    @Test func anIPv4MappedIPv6PeerCountsWithItsIPv4Self() throws {
        let factory = LimitConnectionsByPeer(wrapping: inner, maxConnectionsPerPeer: 1)
        _ = try connectPolicy(factory, peer: .ipv4("192.0.2.1", 1000))
        #expect(factory.buildProtocol(address: .ipv6("::ffff:192.0.2.1", 1001)) == nil)
        #expect(LimitConnectionsByPeer.hostKey(.ipv6("::FFFF:192.0.2.1", 1)) == "192.0.2.1")
        #expect(LimitConnectionsByPeer.hostKey(.ipv6("::ffff:c000:201", 1)) == "::ffff:c000:201", "only the dotted form the kernel prints is unmapped")
    }

    @Test func aPeerWithNothingOpenLeavesNoEntry() throws {
        let factory = LimitConnectionsByPeer(wrapping: inner, maxConnectionsPerPeer: 3)
        let connections = try (0..<3).map { try connectPolicy(factory, peer: .ipv6("2001:db8::9", 2000 + $0)).transport }
        for transport in connections { transport.loseConnection() }
        #expect(factory.connectionsByPeer.isEmpty)
    }

    @Test func unixPeersAreNotLimitedByDefault() throws {
        let factory = LimitConnectionsByPeer(wrapping: inner, maxConnectionsPerPeer: 1)
        for _ in 0..<4 { _ = try connectPolicy(factory, peer: .unix("")) }
        #expect(inner.asked == 4)
        #expect(factory.connectionsByPeer.isEmpty)
        #expect(LimitConnectionsByPeer.hostKey(.unix("/run/app.sock")) == nil)
        #expect(LimitConnectionsByPeer.hostKey(.hostname("example.com", port: 80)) == nil)
    }

    @Test func aPeerKeyCanLimitUNIXPeersToo() throws {
        let factory = LimitConnectionsByPeer(wrapping: inner, maxConnectionsPerPeer: 2) { address in
            address.unix != nil ? "local" : LimitConnectionsByPeer.hostKey(address)
        }
        _ = try connectPolicy(factory, peer: .unix(""))
        _ = try connectPolicy(factory, peer: .unix(""))
        #expect(factory.buildProtocol(address: .unix("")) == nil)
        #expect(factory.connectionsByPeer == ["local": 2])
    }

    @Test func theCountIsReleasedUnderTheKeyItWasAdmittedWith() throws {
        // The peer the connection reports later (a PROXY header's client, say) may differ from
        // the address it was built for: the count must go back where it came from.
        let factory = LimitConnectionsByPeer(wrapping: inner, maxConnectionsPerPeer: 1)
        let built = try #require(factory.buildProtocol(address: .ipv4("192.0.2.1", 1)))
        let transport = StringTransport(peer: .ipv4("198.51.100.1", 1), disconnectsProtocol: true)
        transport.connect(built)
        transport.loseConnection()
        #expect(factory.connectionsByPeer.isEmpty)
    }

    @Test func aRefusalByTheWrappedFactoryCountsNothingAndAnUnconnectedProtocolGivesItsPlaceBack() {
        let factory = LimitConnectionsByPeer(wrapping: inner, maxConnectionsPerPeer: 1)
        inner.refuses = true
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.1", 1)) == nil)
        #expect(factory.connectionsByPeer.isEmpty)
        inner.refuses = false
        do { _ = factory.buildProtocol(address: .ipv4("192.0.2.1", 1)) }
        #expect(factory.connectionsByPeer.isEmpty)
    }
}
