import Glibc
import Testing
import Twist
import TwistTestSupport

/// Reactor-confined API called from another thread while the reactor runs stops the program with
/// a message saying what to do instead — in release builds too — rather than corrupting the loop.
@Suite struct ConfinementTests {
    /// Starts `reactor` on a thread of its own and waits (at most 10 s) until it runs.
    static func running(_ reactor: Reactor, setup: @escaping @Sendable (Reactor) -> Void = { _ in }) async throws {
        reactor.callWhenRunning { setup(reactor) }
        _ = startReactorThread(reactor, timeout: 10)
        for _ in 0..<1_000 where !reactor.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))  // let setup finish its first pass
    }

    /// True when the child's standard error names the rule it broke.
    static func explains(_ result: ExitTest.Result?, _ what: String) -> Bool {
        guard let result else { return false }
        let text = String(decoding: result.standardErrorContent, as: UTF8.self)
        return text.contains("\(what)") && text.contains("must be called on the reactor's thread while it runs")
    }

    @Test func callLaterFromAnotherThreadWhileTheReactorRunsStopsTheProgram() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let reactor = Reactor()
            try await Self.running(reactor)
            reactor.callLater(0) {}
        }
        #expect(Self.explains(result, "Reactor.callLater"))
    }

    @Test func writingToATransportFromAnotherThreadWhileTheReactorRunsStopsTheProgram() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let reactor = Reactor()
            let transport = Shared<UncheckedBox<(any Transport)?>>(UncheckedBox(nil))
            try await Self.running(reactor) { reactor in
                guard let port = try? reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1") else { return }
                reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) {
                    CallbackProtocol { transport.value = UncheckedBox($0) }
                })
            }
            for _ in 0..<500 where transport.value.value == nil { try await Task.sleep(for: .milliseconds(10)) }
            guard let connected = transport.value.value else { exit(0) }  // never connected: not the failure looked for
            connected.write("wrong thread".utf8)
        }
        #expect(Self.explains(result, "Transport.write"))
    }

    /// The capture-list trap (Swift 6.3 runs `Deferred(on:) { [x] in ... }` off the reactor): the
    /// first reactor call in such a body stops the program with a message naming the cause.
    @Test func aDeferredBodyWithACaptureListThatTouchesTheReactorIsNamedAsTheCause() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let reactor = Reactor()
            try await Self.running(reactor) { reactor in
                let marker = 7
                _ = Deferred(on: reactor) { [marker] () -> Int in
                    reactor.callLater(0) {}
                    return marker
                }
            }
            try await Task.sleep(for: .seconds(5))  // the body traps long before this ends
        }
        #expect(Self.explains(result, "Reactor.callLater"))
        let text = result.map { String(decoding: $0.standardErrorContent, as: UTF8.self) } ?? ""
        #expect(text.contains("capture list"), "\(text)")
    }

    @Test func beforeRunAndAfterItReturnsAnyThreadMayCall() async {
        let reactor = Reactor()
        let call = reactor.callLater(5) {}  // not running yet: allowed from this thread
        #expect(reactor.pendingCalls.count == 1)
        _ = call
        let stopped = await runReactor(reactor, timeout: 0.2)
        #expect(stopped.timedOut, "nothing stopped it but the watchdog")
        reactor.callLater(0) {}  // stopped: allowed, and it never runs
    }
}

/// Carries a reactor-confined value to the test thread, which uses it only to break the rule.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Tells `onConnected` its transport.
final class CallbackProtocol: Protocol {
    let onConnected: (any Transport) -> Void
    init(_ onConnected: @escaping (any Transport) -> Void) { self.onConnected = onConnected }
    override func connectionMade() { transport.map(onConnected) }
}
