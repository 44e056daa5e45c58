import Foundation
import Testing
import Twist

/// A reactor gives back its loop, its descriptors and its memory once it is dropped.
@Suite struct ReactorResourceTests {
    /// Open descriptors of this process.
    static func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    @Test func aStoppedReactorThatIsDroppedIsFreedAndClosesItsDescriptors() async {
        // In a child process, so that other tests' descriptors do not blur the count.
        await #expect(processExitsWith: .exitCode(0)) {
            let before = ReactorResourceTests.openDescriptorCount()
            weak var lastReactor: Reactor?
            for _ in 0..<20 {
                let reactor = Reactor()
                lastReactor = reactor
                // Closures that capture the reactor: a trigger that runs, a call that never does.
                reactor.callWhenRunning { try reactor.stop() }
                reactor.callLater(3_600) { try reactor.stop() }
                reactor.addSystemEventTrigger(.after, SystemEvent("never fired")) { _ = reactor }
                try reactor.run()
            }
            let after = ReactorResourceTests.openDescriptorCount()
            exit(lastReactor == nil && before == after && before > 0 ? 0 : 1)
        }
    }
}
