import Testing
import TwistCore
import TwistTesting

/// HostnameEndpoint with a fake resolver and the MemoryReactor's clock (spec transports §4,
/// items 69–75, with the Twist choices of item 75).
@Suite struct HostnameEndpointTests {
    final class Greeter: Protocol {}

    /// A reactor, a resolver that knows `example.com` as ::1 then 127.0.0.1, and the endpoint.
    struct Scene {
        let reactor = MemoryReactor()
        let resolver = FakeHostNameResolver(["example.com": ["::1", "127.0.0.1"], "one.example": ["127.0.0.1"]])
        let factory = Factory { Greeter() }

        func endpoint(_ host: String = "example.com", delay: Double = 0.3) -> HostnameEndpoint {
            HostnameEndpoint(reactor, resolver: resolver, host: host, port: 80, attemptDelay: delay)
        }

        /// Connects attempt `index`: builds its protocol and gives it a transport.
        @discardableResult
        func succeed(_ index: Int) -> StringTransport {
            let call = reactor.connectCalls[index]
            let transport = StringTransport()
            transport.connect(call.factory.buildProtocol(address: .ipv4(call.host, call.port))!)
            return transport
        }

        /// Fails attempt `index` as a refused connection.
        func refuse(_ index: Int) {
            let call = reactor.connectCalls[index]
            call.factory.clientConnectionFailed(call.connector, reason: Failure(ConnectionRefusedError("\(call.host)")))
        }
    }

    @Test func resolvesThenStartsTheFirstAttemptAtOnceAndTheNextAfterTheDelay() throws {
        let scene = Scene()
        let result = scene.endpoint().connect(scene.factory)
        #expect(scene.resolver.lookups == ["example.com"])
        #expect(scene.reactor.connectCalls.map(\.host) == ["::1"])
        try scene.reactor.clock.advance(0.29)
        #expect(scene.reactor.connectCalls.count == 1)
        try scene.reactor.clock.advance(0.01)
        #expect(scene.reactor.connectCalls.map(\.host) == ["::1", "127.0.0.1"])
        #expect(scene.reactor.connectCalls.allSatisfy { $0.port == 80 && $0.timeout == 30 })
        #expect(!result.hasFired)
    }

    @Test func aSlowFirstAddressLosesToTheSecondWhichIsCancelledNoMore() throws {
        let scene = Scene()
        let result = scene.endpoint().connect(scene.factory)
        try scene.reactor.clock.advance(0.3)
        scene.succeed(1)
        guard case .success(let made)? = result.currentResult else {
            Issue.record("no protocol: \(String(describing: result.currentResult))")
            return
        }
        #expect(made is Greeter)
        #expect(made.transport != nil)
        #expect(scene.reactor.connectCalls[0].connector.wasStopped)  // the slow one is cancelled
        #expect(!scene.reactor.connectCalls[1].connector.wasStopped)
        #expect(scene.reactor.pendingCalls.isEmpty)
    }

    @Test func aRefusedFirstAddressStartsTheNextAtOnce() throws {
        let scene = Scene()
        let result = scene.endpoint().connect(scene.factory)
        scene.refuse(0)
        #expect(scene.reactor.connectCalls.map(\.host) == ["::1", "127.0.0.1"])  // no 0.3 s wait
        scene.succeed(1)
        #expect(result.hasFired)
        #expect(scene.reactor.pendingCalls.isEmpty)
    }

    @Test func whenAllFailTheErrorListsEveryAddressAndComesAtOnce() throws {
        let scene = Scene()
        let result = scene.endpoint().connect(scene.factory)
        try scene.reactor.clock.advance(0.3)
        scene.refuse(1)
        #expect(!result.hasFired)  // ::1 is still trying
        scene.refuse(0)
        guard case .failure(let failure)? = result.currentResult, let error = failure.error as? HostnameConnectError else {
            Issue.record("expected HostnameConnectError, got \(String(describing: result.currentResult))")
            return
        }
        #expect(error.attempts.map(\.address.host) == ["127.0.0.1", "::1"])
        #expect(error.mostRecent is ConnectionRefusedError)
        #expect("\(error)".contains("example.com:80"))
        #expect("\(error)".contains("127.0.0.1:80") && "\(error)".contains("[::1]:80"))
        #expect(scene.reactor.pendingCalls.isEmpty)
        _ = result.addBoth { _ in }  // handled: no unhandled-error report
    }

    @Test func oneRefusedAddressIsReportedWithoutWaitingForTheTimer() throws {
        let scene = Scene()
        let result = scene.endpoint("one.example").connect(scene.factory)
        scene.refuse(0)
        #expect(result.hasFired)
        #expect(scene.reactor.pendingCalls.isEmpty)
        _ = result.addBoth { _ in }  // handled: no unhandled-error report
    }

    @Test func noAddressesIsADNSLookupError() {
        let scene = Scene()
        let result = scene.endpoint("nowhere.invalid").connect(scene.factory)
        guard case .failure(let failure)? = result.currentResult else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.check(DNSLookupError.self) != nil)
        #expect("\(failure.error)".contains("no results for hostname lookup: nowhere.invalid"))
        #expect(scene.reactor.connectCalls.isEmpty)
        _ = result.addBoth { _ in }  // handled: no unhandled-error report
    }

    @Test func cancellingDuringResolutionFailsWithCancelledErrorAndIgnoresTheAnswer() {
        let scene = Scene()
        scene.resolver.holdsAnswers = true
        let result = scene.endpoint().connect(scene.factory)
        result.cancel()
        guard case .failure(let failure)? = result.currentResult else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.check(CancelledError.self) != nil)
        scene.resolver.answerPending()
        #expect(scene.reactor.connectCalls.isEmpty)
        #expect(scene.reactor.pendingCalls.isEmpty)
        _ = result.addBoth { _ in }  // handled: no unhandled-error report
    }

    @Test func cancellingDuringTheAttemptsStopsEveryOneAndNamesTheHost() throws {
        let scene = Scene()
        let result = scene.endpoint().connect(scene.factory)
        try scene.reactor.clock.advance(0.3)
        result.cancel()
        guard case .failure(let failure)? = result.currentResult,
              let error = failure.error as? ConnectingCancelledError
        else {
            Issue.record("expected ConnectingCancelledError, got \(String(describing: result.currentResult))")
            return
        }
        #expect(error.address == .hostname("example.com", port: 80))
        #expect(scene.reactor.connectCalls.allSatisfy { $0.connector.wasStopped })
        #expect(scene.reactor.pendingCalls.isEmpty)
        _ = result.addBoth { _ in }  // handled: no unhandled-error report
    }

    @Test func anAttemptThatConnectsAfterTheWinnerIsDropped() throws {
        let scene = Scene()
        let result = scene.endpoint().connect(scene.factory)
        try scene.reactor.clock.advance(0.3)
        let winner = scene.succeed(1)
        // The slow attempt's connection arrives anyway: its endpoint no longer wants it and
        // refuses to build a protocol, so the reactor closes it.
        let late = scene.reactor.connectCalls[0]
        #expect(late.factory.buildProtocol(address: .ipv6(late.host, late.port)) == nil)
        #expect(result.hasFired)
        #expect(!winner.isDisconnecting)
    }

    @Test func anIPLiteralIsResolvedToo() {
        let scene = Scene()
        _ = scene.endpoint("127.0.0.1").connect(scene.factory)
        #expect(scene.resolver.lookups == ["127.0.0.1"])
        #expect(scene.reactor.connectCalls.map(\.host) == ["127.0.0.1"])
    }

    @Test(arguments: ["", "bad host", "a..b", String(repeating: "a", count: 64) + ".com", "nul\0byte"])
    func anInvalidHostNameFailsConnectNotTheInitializer(_ host: String) {
        let scene = Scene()
        let endpoint = scene.endpoint(host)
        let result = endpoint.connect(scene.factory)
        guard case .failure(let failure)? = result.currentResult else {
            Issue.record("expected a failure for \(host.debugDescription)")
            return
        }
        #expect(failure.check(InvalidAddressError.self) != nil)
        #expect(scene.resolver.lookups.isEmpty)
        _ = result.addBoth { _ in }  // handled: no unhandled-error report
    }

    @Test func descriptionNamesTheHostWithIPv6InBrackets() {
        let scene = Scene()
        #expect("\(scene.endpoint())" == "HostnameEndpoint(example.com:80)")
        #expect("\(scene.endpoint("::1"))" == "HostnameEndpoint([::1]:80)")
    }
}
