import Testing
@testable import TwistCore

@Suite("ThrottlePause")
struct ThrottlePauseTests {
    @Test func theProducerRunsOnlyWhenNeitherHolderHoldsIt() {
        var pause = ThrottlePause.running
        #expect(pause.controllerPauses() == .pause)
        #expect(pause.throttle() == .none)
        #expect(pause == .pausedAndThrottled)
        #expect(pause.controllerResumes() == .none)
        #expect(pause.unthrottle() == .resume)
        #expect(pause == .running)
        #expect(pause.unthrottle() == .none, "lifting what is not held changes nothing")
        #expect(pause.controllerResumes() == .none)
        #expect(pause.throttle() == .pause)
        #expect(pause.throttle() == .none, "throttling twice is one hold")
        #expect(pause.unthrottle() == .resume)
    }
}
