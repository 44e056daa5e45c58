import Testing
import Twist
import TwistTestSupport

/// LoopingCall on the real reactor's clock.
@Suite(.timeLimit(.minutes(1))) struct ReactorLoopingCallTests {
    @Test func aLoopingCallTicksOnTheReactorAndItsDeferredFiresWhenStopped() async {
        let ticks = Shared<[Double]>([])
        let stoppedWithLoop = Shared(false)
        let stoppedByTest = await runReactor { reactor in
            let start = reactor.seconds()
            var loop: LoopingCall!
            loop = LoopingCall(clock: reactor) {
                ticks.mutate { $0.append(reactor.seconds() - start) }
                if ticks.value.count == 3 { loop.stop() }
            }
            _ = loop.start(interval: 0.01).addCallback { finished in
                stoppedWithLoop.value = finished === loop
                try reactor.stop()
            }
        }
        #expect(stoppedByTest)
        #expect(stoppedWithLoop.value)
        #expect(ticks.value.count == 3)
        // Calls sit on interval boundaries from the start, never early.
        for (index, elapsed) in ticks.value.enumerated() {
            #expect(elapsed >= Double(index) * 0.01)
        }
    }
}
