import Glibc
import Testing

/// The programs under `Tests/Snippets`, written as a user writes them, run end to end.
@Suite struct SnippetExecutableTests {
    /// Top-level code is main-actor isolated in Swift 6, and the reactor occupies the main thread:
    /// a Deferred body formed there must still run while the reactor runs (the reactor serves the
    /// main actor's queue), and its Deferred fire before the timeout and the two-second fallback.
    @Test func aDeferredBodyFormedInMainActorCodeRunsWhileTheReactorRunsOnTheMainThread() async throws {
        let result = try await runTool("main-actor-deferred", [], timeout: 20)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "body\nfired: success(1)\n")
    }

    /// Docs/GettingStarted.md's two programs: the same exchange, with callbacks and with async.
    @Test(arguments: ["getting-started-callbacks", "getting-started-async"])
    func theGettingStartedProgramsPrintTheReply(program: String) async throws {
        let result = try await runTool(program, [], timeout: 20)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "reply: HELLO, TWIST\n")
        #expect(!result.stderr.contains("info"), "quiet at the default level: \(result.stderr)")
    }

    /// Its logging program: bootstrapped at debug, the port's opening and closing show.
    @Test func theGettingStartedLoggingProgramShowsDebugLines() async throws {
        let result = try await runTool("getting-started-logging", [], timeout: 20)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("debug") && result.stderr.contains("starting on"), "\(result.stderr)")
        #expect(result.stderr.contains("Closed)"))
    }

    /// `react` around an async main: the process's exit status is the main function's outcome.
    @Test func reactExitsWithTheMainFunctionsOutcome() async throws {
        let ok = try await runTool("react-snippet", ["ok"], timeout: 20)
        #expect(ok.status == 0, "stderr: \(ok.stderr)")
        #expect(ok.stdout == "main finished on the reactor thread: true\n")
        let exit5 = try await runTool("react-snippet", ["exit5"], timeout: 20)
        #expect(exit5.status == 5)
        #expect(!exit5.stderr.contains("main function encountered error"), "SystemExit is not logged: \(exit5.stderr)")
        let failed = try await runTool("react-snippet", ["fail"], timeout: 20)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("main function encountered error"), "\(failed.stderr)")
    }

    /// A Twist server in a swift-service-lifecycle ServiceGroup: SIGTERM shuts the group down
    /// gracefully, the plain service first and the Twist services last, and the program exits 0.
    @Test func aServiceGroupWithATwistServerStopsGracefullyOnSIGTERM() async throws {
        let server = try await ServerProcess("lifecycle-snippet", [])
        defer { server.stop() }
        let echo = try BlockingClient(port: server.port)
        try echo.send("ping")
        #expect(try echo.receive(4) == "ping")
        #expect(try await server.signal(SIGTERM, waitingAtMost: 10) == 0)
        #expect(server.printed.hasSuffix("plain service: shut down\ntwist: services stopped\n"), "\(server.printed)")
    }
}
