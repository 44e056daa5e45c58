import Testing
import TwistCore
import TwistTesting

/// A protocol owning a ConnectionTimeout with a recording action.
private final class Timed: Protocol {
    var timeouts = 0
    var timeoutsWhileConnected = 0
    var onTimeout: (Timed) -> Void = { _ in }
    var timer: ConnectionTimeout!

    init(clock: TestClock) {
        super.init()
        timer = ConnectionTimeout(clock: clock, owner: self) { owner in
            owner.timeouts += 1
            if owner.isConnected { owner.timeoutsWhileConnected += 1 }
            owner.onTimeout(owner)
        }
    }
}

/// A TimeoutMixin adopter with the default action.
private final class DefaultMixin: Protocol, TimeoutMixin {
    let clock: TestClock
    lazy var connectionTimeout = ConnectionTimeout(clock: clock, for: self)
    init(clock: TestClock) { self.clock = clock }
    override func connectionMade() { setTimeout(10) }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws { resetTimeout() }
}

/// A TimeoutMixin adopter that says goodbye before closing.
private final class PoliteMixin: Protocol, TimeoutMixin {
    let clock: TestClock
    lazy var connectionTimeout = ConnectionTimeout(clock: clock, for: self)
    init(clock: TestClock) { self.clock = clock }
    func timeoutConnection() {
        transport?.write(Array("bye\n".utf8))
        transport?.loseConnection()
    }
}

@Suite("ConnectionTimeout (TimeoutMixin, spec 59-60)")
struct ConnectionTimeoutTests {
    let clock = TestClock()
    let transport = StringTransport(disconnectsProtocol: true)

    private func connected() -> Timed {
        let timed = Timed(clock: clock)
        transport.connect(timed)
        return timed
    }

    // MARK: spec 59

    @Test func firesOnceWhenThePeriodRunsOutAndTheDefaultClosesTheConnection() throws {
        let mixin = DefaultMixin(clock: clock)
        transport.connect(mixin)
        try clock.advance(9.9)
        #expect(!transport.isDisconnecting)
        try clock.advance(0.1)
        #expect(transport.isDisconnecting, "timeoutConnection's default is transport.loseConnection()")
        #expect(mixin.connectionTimeout.isPending == false, "the call is forgotten on expiry")
        #expect(mixin.connectionTimeout.period == 10, "the period stays set")
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func resetTimeoutRestartsTheFullPeriod() throws {
        let mixin = DefaultMixin(clock: clock)
        transport.connect(mixin)
        try clock.advance(8)
        try mixin.dataReceived([1][...])
        try clock.advance(8)
        #expect(!transport.isDisconnecting, "16 s in, but only 8 since the reset")
        try clock.advance(2)
        #expect(transport.isDisconnecting)
    }

    @Test func anOverriddenTimeoutConnectionRunsInsteadOfTheDefault() throws {
        let mixin = PoliteMixin(clock: clock)
        transport.connect(mixin)
        mixin.setTimeout(1)
        try clock.advance(1)
        #expect(transport.valueString == "bye\n")
        #expect(transport.isDisconnecting)
    }

    @Test func setTimeoutReturnsThePreviousPeriod() {
        let timed = connected()
        #expect(timed.timer.setTimeout(5) == nil)
        #expect(timed.timer.setTimeout(10) == 5)
        #expect(timed.timer.setTimeout(nil) == 10)
        #expect(timed.timer.setTimeout(nil) == nil)
        #expect(timed.timer.period == nil)
    }

    @Test func setTimeoutNilCancelsThePendingCall() throws {
        let timed = connected()
        timed.timer.setTimeout(5)
        #expect(clock.pendingCalls.count == 1)
        timed.timer.setTimeout(nil)
        #expect(clock.pendingCalls.isEmpty)
        try clock.advance(100)
        #expect(timed.timeouts == 0)
    }

    @Test func cancellingTwiceOrWithNothingPendingIsHarmless() throws {
        let timed = connected()
        timed.timer.setTimeout(nil)
        timed.timer.setTimeout(5)
        timed.timer.setTimeout(nil)
        timed.timer.setTimeout(nil)
        try clock.advance(10)
        #expect(timed.timeouts == 0)
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func aSecondSetTimeoutMovesThePendingCallInsteadOfAddingOne() throws {
        let timed = connected()
        timed.timer.setTimeout(10)
        try clock.advance(4)
        timed.timer.setTimeout(3)
        #expect(clock.pendingCalls.count == 1, "the same call, moved")
        #expect(clock.pendingCalls.first?.time == 7, "now (4) + 3")
        try clock.advance(3)
        #expect(timed.timeouts == 1)
        try clock.advance(20)
        #expect(timed.timeouts == 1, "fired once")
    }

    @Test func resetWithNoPendingCallDoesNothing() throws {
        let timed = connected()
        timed.timer.resetTimeout()
        #expect(clock.pendingCalls.isEmpty, "no period: nothing armed")
        timed.timer.setTimeout(2)
        try clock.advance(2)
        #expect(timed.timeouts == 1)
        timed.timer.resetTimeout()
        #expect(clock.pendingCalls.isEmpty, "expired: reset does not re-arm")
        try clock.advance(10)
        #expect(timed.timeouts == 1)
    }

    @Test func aLaterSetTimeoutReArmsAfterExpiry() throws {
        let timed = connected()
        timed.timer.setTimeout(2)
        try clock.advance(2)
        #expect(timed.timer.setTimeout(3) == 2)
        try clock.advance(3)
        #expect(timed.timeouts == 2)
    }

    @Test func theActionMayReArmFromInsideItself() throws {
        let timed = connected()
        timed.onTimeout = { owner in if owner.timeouts < 3 { owner.timer.setTimeout(1) } }
        timed.timer.setTimeout(1)
        try clock.advance(1)
        try clock.advance(1)
        try clock.advance(1)
        try clock.advance(1)
        #expect(timed.timeouts == 3)
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func beforeTheOwnerIsConnectedTheTimerRunsAndTheDefaultDoesNothing() throws {
        let mixin = DefaultMixin(clock: clock)
        mixin.setTimeout(1)
        try clock.advance(1)
        #expect(mixin.connectionTimeout.isPending == false)
        transport.connect(mixin)
        #expect(mixin.connectionTimeout.isPending, "connectionMade armed it again")
    }

    // MARK: spec 60 — the deliberate difference: no firing after connectionLost

    @Test func aTimerPendingAtConnectionLostDoesNotFire() throws {
        let timed = connected()
        timed.timer.setTimeout(5)
        transport.loseConnection()
        #expect(!timed.isConnected)
        try clock.advance(10)
        #expect(timed.timeouts == 0, "Twisted would fire here")
        #expect(clock.pendingCalls.isEmpty)
    }

    @Test func resetOrSetAfterConnectionLostDropsThePendingCallAndArmsNothing() throws {
        let timed = connected()
        timed.timer.setTimeout(5)
        transport.loseConnection()
        timed.timer.resetTimeout()
        #expect(clock.pendingCalls.isEmpty, "dropped at once")
        #expect(timed.timer.setTimeout(7) == 5)
        #expect(clock.pendingCalls.isEmpty, "nothing armed on a lost connection")
        #expect(timed.timer.period == 7)
        try clock.advance(10)
        #expect(timed.timeouts == 0)
    }

    @Test func thePendingCallLeavesTheClockWhenTheOwnerIsReleased() throws {
        do {
            let timed = connected()
            timed.timer.setTimeout(5)
            #expect(clock.pendingCalls.count == 1)
            transport.loseConnection()
        }
        #expect(clock.pendingCalls.isEmpty, "the transport let go of the protocol: the timer went with it")
        try clock.advance(10)
    }

    @Test func theTimerDoesNotKeepItsOwnerAlive() {
        weak var weakOwner: Timed?
        do {
            let timed = connected()
            timed.timer.setTimeout(5)
            weakOwner = timed
        }
        #expect(weakOwner == nil, "no cycle through the action or the pending call")
    }
}
