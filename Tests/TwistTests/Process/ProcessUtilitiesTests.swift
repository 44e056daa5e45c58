import Glibc
import Testing
import Twist
import TwistTestSupport

/// getProcessOutput, getProcessValue, getProcessOutputAndValue with real children.
@Suite(.timeLimit(.minutes(1))) struct ProcessUtilitiesTests {
    /// Runs `start` on a fresh reactor and returns what its Deferred fired with.
    private func outcome<Value>(_ start: @escaping (Reactor) -> Deferred<Value>) async -> Result<Value, Failure>? {
        let reactor = Reactor()
        let box = UncheckedBox(Box<Result<Value, Failure>>())
        let starter = UncheckedBox(start)
        _ = await runRunning(reactor) {
            _ = starter.value(reactor).addBoth { (result: Result<Value, Failure>) -> Void in
                box.value.value = result
                try reactor.stop()
            }
        }
        return box.value.value
    }

    @Test func getProcessOutputFiresWithStdoutWhateverTheExitCode() async throws {
        let result = await outcome { $0.getProcessOutput("/bin/sh", args: ["-c", "echo out; exit 4"]) }
        #expect(try result?.get() == Array("out\n".utf8))
    }

    @Test func getProcessOutputFailsAtTheFirstStderrBytesUnlessErrorToo() async throws {
        let failed = await outcome { $0.getProcessOutput("/bin/sh", args: ["-c", "echo out; echo bad >&2"]) }
        guard case .failure(let failure)? = failed else {
            Issue.record("expected a failure, got \(String(describing: failed))")
            return
        }
        #expect(failure.check(UnexpectedErrorOutput.self)?.errorOutput == Array("bad\n".utf8))
        let collected = await outcome {
            $0.getProcessOutput("/bin/sh", args: ["-c", "echo out; sleep 0.05; echo bad >&2"], errorToo: true)
        }
        #expect(try collected?.get() == Array("out\nbad\n".utf8))
    }

    @Test func getProcessValueReportsTheExitCodeOrTheSignal() async throws {
        let exited = await outcome { $0.getProcessValue("/bin/sh", args: ["-c", "exit 7"]) }
        #expect(try exited?.get() == .exited(7))
        let killed = await outcome { $0.getProcessValue("/bin/sh", args: ["-c", "kill -9 $$"]) }
        #expect(try killed?.get() == .signalled(SIGKILL))
    }

    @Test func getProcessOutputAndValueWritesStdinAndCollectsBothStreams() async throws {
        let result = await outcome {
            $0.getProcessOutputAndValue("/bin/sh", args: ["-c", "cat; echo e >&2; exit 2"], stdin: Array("in".utf8))
        }
        #expect(try result?.get() == ProcessOutputAndValue(output: Array("in".utf8), errorOutput: Array("e\n".utf8), exitCode: 2))
    }

    @Test func getProcessOutputAndValueFailsWithTheSignalAndTheOutputSoFar() async throws {
        let result = await outcome { $0.getProcessOutputAndValue("/bin/sh", args: ["-c", "echo x; kill -TERM $$"]) }
        guard case .failure(let failure)? = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.check(ProcessSignalled.self) == ProcessSignalled(output: Array("x\n".utf8), errorOutput: [], signal: SIGTERM))
    }

    @Test func aMissingExecutableFailsTheDeferredInsteadOfThrowing() async throws {
        let result = await outcome { $0.getProcessValue("/nonexistent/twist-none") }
        guard case .failure(let failure)? = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.check(ProcessSpawnError.self)?.osError == ENOENT)
    }
}

/// A mutable slot, read after the reactor stopped.
final class Box<Value> {
    var value: Value?
}
