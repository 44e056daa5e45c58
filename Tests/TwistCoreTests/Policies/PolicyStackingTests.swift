import Testing
import TwistCore
import TwistTesting

@Suite("Policies stacked")
struct PolicyStackingTests {
    let clock = TestClock()
    let capture = LogCapture()
    let inner = CountingFactory()

    init() {
        inner.logger = capture.logger()
    }

    /// Per-peer limit ▸ idle timeout ▸ traffic log ▸ throttle ▸ the application, as a server
    /// would stack them.
    private func stack(_ sink: @escaping (String) -> Void) -> (LimitConnectionsByPeer, ThrottlingFactory) {
        let throttled = ThrottlingFactory(wrapping: inner, readLimit: 100, clock: clock)
        let logged = TrafficLoggingFactory(wrapping: throttled) { _, line in sink(line) }
        let timed = TimeoutFactory(wrapping: logged, idleTimeout: 10, clock: clock)
        return (LimitConnectionsByPeer(wrapping: timed, maxConnectionsPerPeer: 1), throttled)
    }

    @Test func eachLayerDoesItsPartAndTheConnectionLeavesNothingBehind() throws {
        var lines: [String] = []
        let (outer, throttled) = stack { lines.append($0) }
        weak var weakWrapper: Protocol?
        weak var weakApplication: PolicyRecorder?
        do {
            let (wrapper, transport) = try connectPolicy(outer, peer: .ipv6("2001:db8::5", 7000))
            weakWrapper = wrapper
            weakApplication = inner.built.first
            #expect(outer.buildProtocol(address: .ipv6("2001:db8::5", 7001)) == nil, "the outermost refuses before the others are asked")
            #expect(inner.asked == 1)
            try wrapper.dataReceived([UInt8](repeating: 0x41, count: 150)[...])
            #expect(inner.built.first?.received.count == 150, "through every layer")
            try clock.advance(1)
            #expect(transport.producerState == .paused, "the throttle reached the real transport through the layers above it")
            try clock.advance(10)
            #expect(transport.isDisconnecting, "idle for 10 s: closed by the timeout layer")
            #expect(throttled.connectionCount == 0)
            #expect(outer.connectionsByPeer.isEmpty)
            #expect(clock.pendingCalls.isEmpty, "no timer outlives the connection")
            inner.built.removeAll()
        }
        #expect(lines.first == "* 1: [2001:db8::5]:7000")
        #expect(lines.last == "C 1: ConnectionDone: \(ConnectionDone())")
        #expect(weakWrapper == nil)
        #expect(weakApplication == nil)
        _ = try connectPolicy(outer, peer: .ipv6("2001:db8::5", 7002))
        #expect(inner.asked == 2, "admitted again")
    }
}
