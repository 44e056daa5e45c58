import ArgumentParser
import Foundation
import Twist

/// A small tour of a live reactor: delayed calls, a hand-off from another thread, async code on
/// the reactor's executor, and a graceful shutdown whose `before` trigger holds it back.
@main
struct TwistDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twist-demo",
        abstract: "Runs a Twist reactor for a moment and narrates what it does.",
        discussion: """
            The reactor ticks a few times with callLater, takes a message from a background \
            thread through callFromThread, runs an async function isolated to the reactor, then \
            stops: its shutdown triggers run in Twisted's order (before, during, after). \
            Ctrl-C (SIGINT) or SIGTERM stops it early, just as gracefully.
            """
    )

    @Option(help: "How many ticks before the reactor stops by itself.")
    var ticks: Int = 5

    @Option(help: "Seconds between ticks.")
    var interval: Double = 0.2

    func validate() throws {
        guard ticks >= 1 else { throw ValidationError("--ticks must be at least 1") }
        guard interval >= 0, interval.isFinite else { throw ValidationError("--interval must be a non-negative number of seconds") }
    }

    func run() throws {
        let reactor = Reactor()
        let start = reactor.seconds()
        @Sendable func say(_ text: String) {
            let elapsed = (reactor.seconds() - start) * 1000
            let line = "[\(String(Int(elapsed.rounded())).leftPadded(to: 5)) ms] \(text)\n"
            FileHandle.standardOutput.write(Data(line.utf8))  // unbuffered: lines appear as they happen
        }

        reactor.addSystemEventTrigger(.before, .startup) { say("starting up (running: \(reactor.isRunning))") }
        reactor.callWhenRunning { say("the reactor is running (pid \(getpid())); press Ctrl-C to stop early") }

        // Delayed calls: a tick that reschedules itself, then stops the reactor.
        var tick = 0
        func scheduleTick() {
            reactor.callLater(interval) {
                tick += 1
                say("tick \(tick) of \(ticks)")
                if tick < ticks { scheduleTick() } else { try reactor.stop() }
            }
        }
        reactor.callWhenRunning { scheduleTick() }

        // A cancelled call never runs.
        let neverRuns = reactor.callLater(interval / 2) { say("this line never prints") }
        try neverRuns.cancel()

        // Another thread hands work to the reactor.
        Thread {
            Thread.sleep(forTimeInterval: interval * 1.5)
            reactor.callFromThread { say("a background thread says hello through callFromThread") }
        }.start()

        // Async code isolated to the reactor resumes on the reactor thread after each await.
        reactor.callWhenRunning {
            Task { await Self.narrateAsync(on: reactor, say: say) }
        }

        // Shutdown: a `before` trigger holds shutdown back until its (simulated) flush completes.
        reactor.addSystemEventTrigger(.before, .shutdown, waitingFor: {
            say("shutdown: before — flushing, shutdown waits")
            let flushed = TriggerCompletionSource()
            reactor.callLater(0.05) {
                say("shutdown: flush complete")
                flushed.complete()
            }
            return flushed
        })
        reactor.addSystemEventTrigger(.during, .shutdown) { say("shutdown: during") }
        reactor.addSystemEventTrigger(.after, .shutdown) { say("shutdown: after — goodbye") }

        try reactor.run(installSignalHandlers: true)
        if let signal = reactor.receivedSignal {
            print("stopped by signal \(signal)")
        } else {
            print("the reactor stopped after \(tick) ticks")
        }
    }

    /// Runs on the reactor's executor: each line proves where it resumed.
    static func narrateAsync(on reactor: isolated Reactor, say: @Sendable (String) -> Void) async {
        say("async: started on the reactor thread: \(reactor.isInReactorThread)")
        try? await Task.sleep(for: .milliseconds(100))
        say("async: resumed after Task.sleep on the reactor thread: \(reactor.isInReactorThread)")
    }
}

extension String {
    /// The string with spaces in front, to at least `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
