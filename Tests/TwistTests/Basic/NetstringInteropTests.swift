import Foundation
import Testing
import Twist
import TwistTestSupport

/// Wire compatibility with Python Twisted's `NetstringReceiver`, over loopback: Twisted's client
/// against Twist's server, Twist's client against Twisted's server, and Twisted's malformed
/// inputs answered by Twist exactly as by Twisted. Needs `python3` with Twisted
/// (`python3 -m pip install twisted`); without it these tests are skipped, not passed.
///
/// Serialized, and every wait for the Python process is an async poll: blocking a thread of
/// Swift's small cooperative pool would starve the other tests running meanwhile.
@Suite(
    .serialized,
    .enabled(if: TwistedPeer.isAvailable, "Python Twisted is not installed (python3 -m pip install twisted)")
)
struct NetstringInteropTests {
    @Test func twistedSendsTenThousandNetstringsToATwistEchoServer() async throws {
        let reactor = Reactor()
        let port = Shared(0)
        reactor.callWhenRunning {
            port.value = Int(try reactor.listenTCP(0, Factory { NetstringEcho() }, interface: "127.0.0.1").address.port!)
        }
        let running = startReactorThread(reactor, timeout: 90)
        try await waitUntil { port.value != 0 }
        let result = try await TwistedPeer.run(["echo-client", "\(port.value)", "10000", "7", "\(NetstringReceiver.defaultMaxLength)"])
        stopFromOutside(reactor)
        _ = await running.value
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("echoed 10000 netstrings"))
    }

    @Test func aTwistClientSendsTenThousandNetstringsToATwistedEchoServer() async throws {
        // Random sizes skewed toward small ones, random bytes: slices of one random pool at random
        // offsets (building 100 MB byte by byte would dominate a debug-build test).
        var random = SeededGenerator(state: 11)
        let maxLength = NetstringReceiver.defaultMaxLength
        let pool = (0..<(2 * maxLength)).map { _ in UInt8.random(in: 0...255, using: &random) }
        var messages = (0..<9_998).map { _ in
            let size = min(maxLength, Int(Double(maxLength) * pow(Double.random(in: 0..<1, using: &random), 8)))
            let offset = Int.random(in: 0...maxLength, using: &random)
            return Array(pool[offset..<(offset + size)])
        }
        messages += [[], [UInt8](repeating: 0x2c, count: maxLength)]
        messages.shuffle(using: &random)

        let server = try TwistedPeer.start(["echo-server", "\(maxLength)"])
        defer { server.terminateIfRunning() }
        let port = try await server.readPort()

        let reactor = Reactor()
        let outcome = Shared<String?>(nil)
        let client = EchoCheckingClient(messages: messages) { verdict in
            outcome.value = verdict
            try? reactor.stop()
        }
        reactor.callWhenRunning {
            reactor.connectTCP("127.0.0.1", port, ClientCreatorFactory(onFailure: client.finish) { client })
        }
        let run = await runReactor(reactor, timeout: 90)
        #expect(!run.timedOut)
        #expect(outcome.value == "echoed 10000")
        #expect(await server.waitForExit(timeout: 10) == 0, "the Twisted server saw its client leave cleanly")
    }

    @Test func twistedMalformedInputsAreAnsweredByTwistExactlyAsByTwisted() async throws {
        let reactor = Reactor()
        let port = Shared(0)
        reactor.callWhenRunning {
            port.value = Int(try reactor.listenTCP(0, Factory { NetstringEcho() }, interface: "127.0.0.1").address.port!)
        }
        let running = startReactorThread(reactor, timeout: 90)
        try await waitUntil { port.value != 0 }
        let result = try await TwistedPeer.run(["malformed", "\(port.value)"])
        stopFromOutside(reactor)
        _ = await running.value
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("clean close"))
        #expect(!result.output.contains("differs"), "\(result.output)")
    }
}

/// Echoes every netstring back.
final class NetstringEcho: NetstringReceiver {
    override func stringReceived(_ string: ArraySlice<UInt8>) throws { sendString(string) }
}

/// Sends its messages with up to 16 in flight and checks each echo in order; reports once.
final class EchoCheckingClient: NetstringReceiver {
    let messages: [[UInt8]]
    let report: (String) -> Void
    var sent = 0
    var received = 0
    var reported = false

    init(messages: [[UInt8]], report: @escaping (String) -> Void) {
        self.messages = messages
        self.report = report
    }

    override func connectionMade() {
        for _ in 0..<16 { sendNext() }
    }

    func sendNext() {
        guard sent < messages.count else { return }
        sendString(messages[sent])
        sent += 1
    }

    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        let expected = messages[received]
        let same = string.count == expected.count && string.withUnsafeBytes { got in
            expected.withUnsafeBytes { want in got.count == 0 || memcmp(got.baseAddress!, want.baseAddress!, got.count) == 0 }
        }
        guard same else {
            return finish("echo \(received) differs")
        }
        received += 1
        if received == messages.count {
            transport?.loseConnection()
            finish("echoed \(received)")
        } else {
            sendNext()
        }
    }

    override func connectionLost(reason: Failure) {
        finish("lost after \(received) echoes: \(reason)")
    }

    func finish(_ verdict: String) {
        guard !reported else { return }
        reported = true
        report(verdict)
    }
}

/// A client factory that hands out one given protocol and reports a failed connection.
final class ClientCreatorFactory: ClientFactory {
    let make: () -> Protocol
    let onFailure: (String) -> Void
    init(onFailure: @escaping (String) -> Void, _ make: @escaping () -> Protocol) {
        self.make = make
        self.onFailure = onFailure
        super.init()
    }
    override func buildProtocol(address: Address) -> Protocol? { make() }
    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        onFailure("connection failed: \(reason)")
    }
}

/// Waits (polling, bounded) until `condition` holds.
func waitUntil(timeout: Double = 10, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(timeout)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut() }
        try await Task.sleep(for: .milliseconds(5))
    }
}

struct WaitTimedOut: Error {}

/// `twisted_netstring_peer.py` (next to this file), run under `python3`.
enum TwistedPeer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("twisted_netstring_peer.py").path

    /// True when `python3 -c "import twisted"` succeeds (checked once, before the suite runs).
    static let isAvailable: Bool = {
        guard let process = try? start(["-c", "import twisted"], script: nil) else { return false }
        process.process.waitUntilExit()
        return process.process.terminationStatus == 0
    }()

    /// Starts the script (or python with `arguments` alone when `script` is nil).
    static func start(_ arguments: [String], script: String? = TwistedPeer.script) throws -> PeerProcess {
        try PeerProcess.start("python3", (script.map { [$0] } ?? []) + arguments)
    }

    /// Runs the script to its end (it bounds itself to 60 s; killed after 80 s).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let peer = try start(arguments)
        let collected = peer.collectOutput()
        let status = await peer.waitForExit(timeout: 80)
        return (status ?? -1, await collected.value)
    }
}

/// A running peer process.
final class PeerProcess: @unchecked Sendable {
    let process: Process
    let output: Pipe

    /// The input the peer reads, when it was started with one.
    let input: Pipe?

    init(process: Process, output: Pipe, input: Pipe? = nil) {
        self.process = process
        self.output = output
        self.input = input
    }

    /// Starts `command` (found on the PATH) with `arguments`, its standard output and error
    /// joined in ``output``; with `withInput`, its standard input is a pipe (``input``) the test
    /// writes to, otherwise it inherits the test's.
    static func start(_ command: String, _ arguments: [String], withInput: Bool = false) throws -> PeerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let input = withInput ? Pipe() : nil
        if let input { process.standardInput = input }
        try process.run()
        return PeerProcess(process: process, output: output, input: input)
    }

    /// Reads the first line, which must be `PORT <n>`.
    func readPort() async throws -> Int {
        let text = await readLine()
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else { throw WaitTimedOut() }
        return port
    }

    /// Reads one line, without its end. The read blocks a thread of its own, never one of the
    /// cooperative pool's; it ends at the end of the line or the peer's exit.
    func readLine() async -> String {
        let handle = output.fileHandleForReading
        let text = await onOwnThread { () -> String in
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let byte = handle.readData(ofLength: 1)
                guard !byte.isEmpty else { break }
                line.append(byte)
            }
            return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return text
    }

    /// The exit status, or nil (after killing it) if it did not exit within `timeout` seconds.
    func waitForExit(timeout: Double) async -> Int32? {
        try? await waitUntil(timeout: timeout) { !process.isRunning }
        guard !process.isRunning else {
            terminateIfRunning()
            return nil
        }
        return process.terminationStatus
    }

    /// Collects everything the peer prints until it exits, on a thread of its own.
    func collectOutput() -> Task<String, Never> {
        let handle = output.fileHandleForReading
        return Task { await onOwnThread { String(decoding: handle.readDataToEndOfFile(), as: UTF8.self) } }
    }

    func terminateIfRunning() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
