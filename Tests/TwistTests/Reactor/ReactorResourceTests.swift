import Foundation
import Testing
import Twist

/// A reactor gives back its loop, its descriptors and its memory once it is dropped.
@Suite struct ReactorResourceTests {
    /// Open epoll descriptors of this process: each reactor's libev loop holds one.
    static func openEpollDescriptors() -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) == "anon_inode:[eventpoll]"
        }.count
    }

    @Test func aStoppedReactorThatIsDroppedIsFreedAndClosesItsLoop() async {
        // In a child process, so that other tests' reactors do not blur the count.
        await #expect(processExitsWith: .exitCode(0)) {
            let before = ReactorResourceTests.openEpollDescriptors()
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
            if lastReactor != nil { exit(2) }  // a reference cycle kept the reactor alive
            // 20 leaked loops would leave 20 more; the runtime may open one or two of its own.
            let extra = ReactorResourceTests.openEpollDescriptors() - before
            exit(extra <= 2 ? 0 : 3)
        }
    }
}
