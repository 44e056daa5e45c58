import Testing
import TwistCore

@Suite("backoffPolicy (spec §4 item 49)")
struct BackoffPolicyTests {
    @Test func theDefaultsWaitOnePointFiveTimesLongerPerFailureUpToSixtySeconds() {
        let policy = backoffPolicy(jitter: { 0 })
        #expect(policy(1) == 1.5)
        #expect(policy(2) == 2.25)
        #expect(policy(3) == 3.375)
        #expect(abs(policy(10) - 57.665_039_062_5) < 1e-9)
        #expect(policy(11) == 60)
        #expect(policy(12) == 60)
    }

    @Test func jitterIsAddedToEveryDelayIncludingTheCappedOnes() {
        var draws = 0
        let policy = backoffPolicy(jitter: {
            draws += 1
            return 0.25
        })
        #expect(policy(1) == 1.75)
        #expect(policy(50) == 60.25)
        #expect(draws == 2)
    }

    @Test func theDefaultJitterIsBelowOneSecond() {
        let policy = backoffPolicy()
        for _ in 0..<200 {
            let delay = policy(1)
            #expect(delay >= 1.5 && delay < 2.5)
        }
    }

    @Test func theParametersShapeTheCurve() {
        let policy = backoffPolicy(initialDelay: 2, maxDelay: 100, factor: 3, jitter: { 0 })
        #expect(policy(1) == 6)
        #expect(policy(2) == 18)
        #expect(policy(3) == 54)
        #expect(policy(4) == 100)
    }

    @Test func theExponentStopsAtOneHundredSoHugeCountsDoNotOverflow() {
        let uncapped = backoffPolicy(maxDelay: .infinity, jitter: { 0 })
        #expect(uncapped(100) == uncapped(101))
        #expect(uncapped(Int.max) == uncapped(100))
        #expect(uncapped(100).isFinite)
        #expect(backoffPolicy(jitter: { 0 })(Int.max) == 60)
    }

    @Test func aDelayTooLargeForADoubleBecomesMaxDelay() {
        let policy = backoffPolicy(factor: 1e300, jitter: { 0 })
        #expect(policy(5) == 60)
    }

    @Test func aDelayThatIsNotANumberBecomesMaxDelay() {
        let policy = backoffPolicy(initialDelay: 0, factor: .infinity, jitter: { 0 })
        #expect(policy(3) == 60)
    }
}
