import Foundation
import Testing
import Twist
import TwistTestSupport

/// Wire compatibility with Python Twisted over UNIX sockets, both ways: Twisted's
/// `clientFromString("unix:path=…")` netstring client against Twist's `netstring-echo --listen
/// unix:…` executable, and Twist's `connectUNIX` client against a Twisted server listening with
/// `serverFromString("unix:…")`. Skipped, not passed, without Python Twisted.
@Suite(
    .serialized,
    .enabled(if: TwistedPeer.isAvailable, "Python Twisted is not installed (python3 -m pip install twisted)")
)
struct NetstringUNIXInteropTests {
    /// A fresh directory for one test's socket, removed afterwards by the caller.
    static func socketDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("twist-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        return directory
    }

    @Test func twistedConnectsWithClientFromStringToTheNetstringEchoExecutable() async throws {
        let directory = try Self.socketDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("echo.sock").path

        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("netstring-echo")
        server.arguments = ["--listen", "unix:\(path)"]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        let peer = PeerProcess(process: server, output: output)
        defer { peer.terminateIfRunning() }
        #expect(await peer.readLine() == "Serving netstring echo on unix:\(path).")

        let result = try await TwistedPeer.run(["echo-client", "unix:path=\(path)", "2000", "5", "\(NetstringReceiver.defaultMaxLength)"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("echoed 2000 netstrings"), "\(result.output)")
    }

    @Test func aTwistClientConnectsOverUNIXToATwistedServer() async throws {
        let directory = try Self.socketDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("twisted.sock").path
        var random = SeededGenerator(state: 23)
        var messages = (0..<1_998).map { _ in (0..<Int.random(in: 0...3_000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) } }
        messages += [[], [UInt8](repeating: 0x3a, count: NetstringReceiver.defaultMaxLength)]

        let server = try TwistedPeer.start(["echo-server", "\(NetstringReceiver.defaultMaxLength)", "unix:\(path)"])
        defer { server.terminateIfRunning() }
        #expect(await server.readLine() == "LISTENING")

        let reactor = Reactor()
        let outcome = Shared<String?>(nil)
        let client = EchoCheckingClient(messages: messages) { verdict in
            outcome.value = verdict
            try? reactor.stop()
        }
        reactor.callWhenRunning {
            reactor.connectUNIX(path, ClientCreatorFactory(onFailure: client.finish) { client })
        }
        let run = await runReactor(reactor, timeout: 90)
        #expect(!run.timedOut)
        #expect(outcome.value == "echoed 2000")
        #expect(await server.waitForExit(timeout: 10) == 0, "the Twisted server saw its client leave cleanly")
    }
}
