import Testing
import TwistCore
import TwistTesting

/// An overflow protocol that says it is busy and closes.
private final class Busy: Protocol {
    override func connectionMade() {
        transport?.write(Array("busy\r\n".utf8))
        transport?.loseConnection()
    }
}

@Suite("LimitTotalConnectionsFactory (spec 63)")
struct LimitTotalConnectionsFactoryTests {
    let capture = LogCapture()
    let inner = CountingFactory()

    init() {
        inner.logger = capture.logger()
    }

    @Test func connectionsAreCountedUntilConnectionLost() throws {
        let factory = LimitTotalConnectionsFactory(wrapping: inner, connectionLimit: nil)
        let (_, first) = try connectPolicy(factory)
        let (_, second) = try connectPolicy(factory)
        #expect(factory.connectionCount == 2)
        first.loseConnection()
        #expect(factory.connectionCount == 1)
        first.abortConnection()
        #expect(factory.connectionCount == 1, "a connection is given back once")
        second.abortConnection()
        #expect(factory.connectionCount == 0)
    }

    @Test func overTheLimitTheConnectionIsRefusedThenUnderItAdmittedAgain() throws {
        let factory = LimitTotalConnectionsFactory(wrapping: inner, connectionLimit: 2)
        let (_, first) = try connectPolicy(factory)
        _ = try connectPolicy(factory)
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.7", 5)) == nil)
        #expect(inner.asked == 2, "the wrapped factory is not asked over the limit")
        let notices = capture.records.filter { $0.level == .notice }.map(\.message)
        #expect(notices == ["refused connection from 192.0.2.7:5: 2 connections open, the limit is 2 (CountingFactory (LimitTotalConnectionsFactory))"])
        #expect(inner.built.allSatisfy { $0.reasons.isEmpty }, "nothing else is disturbed")

        first.loseConnection()
        let (_, third) = try connectPolicy(factory)
        #expect(inner.asked == 3)
        #expect(inner.built.last?.connectionsMade == 1)
        #expect(!third.isDisconnecting)
    }

    @Test func overTheLimitTheOverflowProtocolIsServedAndCounted() throws {
        let factory = LimitTotalConnectionsFactory(wrapping: inner, connectionLimit: 1) { Busy() }
        _ = try connectPolicy(factory)
        let (_, transport) = try connectPolicy(factory)
        #expect(inner.asked == 1, "the wrapped factory is not asked for the overflow")
        #expect(transport.valueString == "busy\r\n")
        #expect(factory.connectionCount == 1, "the overflow connection counted, then closed itself")
        #expect(capture.records.filter { $0.level == .notice }.isEmpty, "served, not refused")
    }

    @Test func theOverflowProtocolsFactoryIsTheLimitingFactoryAndItCountsWhileOpen() throws {
        let factory = LimitTotalConnectionsFactory(wrapping: inner, connectionLimit: 0) { PolicyRecorder() }
        let (wrapper, transport) = try connectPolicy(factory)
        let overflow = try #require((wrapper as? ProtocolWrapper)?.wrappedProtocol)
        #expect(overflow.factory === factory)
        #expect(factory.connectionCount == 1)
        transport.loseConnection()
        #expect(factory.connectionCount == 0)
    }

    @Test func aProtocolBuiltButNeverConnectedGivesItsPlaceBack() {
        let factory = LimitTotalConnectionsFactory(wrapping: inner, connectionLimit: 1)
        do { _ = factory.buildProtocol(address: .ipv4("192.0.2.1", 1)) }
        #expect(factory.connectionCount == 0)
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.1", 2)) != nil)
    }

    @Test func aRefusalByTheWrappedFactoryCountsNothing() {
        inner.refuses = true
        let factory = LimitTotalConnectionsFactory(wrapping: inner, connectionLimit: 1)
        #expect(factory.buildProtocol(address: .ipv4("192.0.2.1", 1)) == nil)
        #expect(factory.connectionCount == 0)
    }

    @Test func theWrappedProtocolKeepsItsFactoryAndHalfCloseIsKept() throws {
        inner.halfCloseable = true
        let factory = LimitTotalConnectionsFactory(wrapping: inner, connectionLimit: 3)
        let (wrapper, _) = try connectPolicy(factory)
        #expect(inner.built.first?.factory === inner)
        #expect(wrapper is any HalfCloseableProtocol)
        #expect(factory.protocolCount == 1)
    }
}
