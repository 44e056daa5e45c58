import Glibc
import Testing
@testable import Twist
@testable import TwistCore
import TwistTestSupport
import TwistTesting

/// Records the standard I/O protocol's life; half-closeable when asked.
private class StdioRecorder: Protocol {
    let events: Shared<[String]>
    let onData: (StdioRecorder, ArraySlice<UInt8>) -> Void

    init(_ events: Shared<[String]>, onData: @escaping (StdioRecorder, ArraySlice<UInt8>) -> Void = { _, _ in }) {
        self.events = events
        self.onData = onData
    }

    override func connectionMade() { events.mutate { $0.append("made \(transport!.peer)") } }
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        events.mutate { $0.append("data \(String(decoding: data, as: UTF8.self))") }
        onData(self, data)
    }
    override func connectionLost(reason: Failure) { events.mutate { $0.append("lost \(type(of: reason.error))") } }
}

private final class HalfCloseableStdioRecorder: StdioRecorder, HalfCloseableProtocol {
    func readConnectionLost() throws {
        events.mutate { $0.append("readConnectionLost") }
        transport?.write(Array("bye".utf8))
        transport?.loseConnection()
    }
    func writeConnectionLost() throws { events.mutate { $0.append("writeConnectionLost") } }
}

/// `stdio:` (Twisted's `StandardIOEndpoint`) over pipes the test makes in place of descriptors 0
/// and 1: the test writes the input pipe and reads the output pipe.
@Suite(.timeLimit(.minutes(1))) struct StandardIOTests {
    /// Writes `input` (and closes the input's writing end when `endInput`), runs the endpoint
    /// with `make`'s protocol until `connectionLost` stops the reactor, and returns what the
    /// output pipe carried, whether it ended, and the protocol's events.
    private func serve(
        input: String, endInput: Bool, _ make: @escaping @Sendable (Shared<[String]>) -> Protocol
    ) async -> (stopped: Bool, output: String, outputEnded: Bool, events: [String], inputClosed: Bool) {
        let inputPipe = rawPipe()
        let outputPipe = rawPipe()
        defer { close(outputPipe.read) }
        _ = Array(input.utf8).withUnsafeBytes { write(inputPipe.write, $0.baseAddress, $0.count) }
        if endInput { close(inputPipe.write) }
        let events = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let endpoint = StandardIOServerEndpoint(reactor: reactor, input: inputPipe.read, output: outputPipe.write)
            let protocolInstance = make(events)
            let listening = endpoint.listen(Factory { protocolInstance })
            #expect((try? listening.currentResult?.get()) != nil)
            reactor.callLater(0) {
                // Stop once the protocol has heard connectionLost.
                func check() {
                    if events.value.last?.hasPrefix("lost") == true { try? reactor.stop() } else { reactor.callLater(0.01, check) }
                }
                check()
            }
        }
        var inputClosed = false
        if !endInput {
            // The transport closed its reading end: a write now fails with EPIPE.
            inputClosed = Array("z".utf8).withUnsafeBytes { write(inputPipe.write, $0.baseAddress, 1) } == -1 && errno == EPIPE
            close(inputPipe.write)
        }
        let output = readToEnd(outputPipe.read)
        return (stopped, String(decoding: output.bytes, as: UTF8.self), output.endOfFile, events.value, inputClosed)
    }

    @Test func theProtocolEchoesOverStandardIOAndLoseConnectionClosesBoth() async {
        let outcome = await serve(input: "hello", endInput: false) { events in
            StdioRecorder(events) { protocolInstance, data in
                protocolInstance.transport?.write(data)
                protocolInstance.transport?.loseConnection()
            }
        }
        #expect(outcome.stopped)
        #expect(outcome.events == ["made \(Address.unix(.unnamed))", "data hello", "lost ConnectionDone"])
        #expect(outcome.output == "hello" && outcome.outputEnded, "the output is closed after what was queued")
        #expect(outcome.inputClosed)
    }

    @Test func theEndOfInputClosesTheConnectionForAPlainProtocol() async {
        let outcome = await serve(input: "x", endInput: true) { StdioRecorder($0) }
        #expect(outcome.stopped)
        #expect(outcome.events.prefix(2) == ["made \(Address.unix(.unnamed))", "data x"])
        #expect(outcome.events.count == 3 && outcome.events[2].hasPrefix("lost"))
        #expect(outcome.output.isEmpty && outcome.outputEnded)
    }

    @Test func aHalfCloseableProtocolHearsTheEndOfInputAndCanStillWrite() async {
        let outcome = await serve(input: "x", endInput: true) { HalfCloseableStdioRecorder($0) }
        #expect(outcome.stopped)
        #expect(outcome.events == ["made \(Address.unix(.unnamed))", "data x", "readConnectionLost", "lost ConnectionDone"])
        #expect(outcome.output == "bye" && outcome.outputEnded)
    }

    @Test func stopListeningClosesTheConnectionAndASecondListenFails() async {
        let inputPipe = rawPipe()
        let outputPipe = rawPipe()
        defer { close(inputPipe.write); close(outputPipe.read) }
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let endpoint = StandardIOServerEndpoint(reactor: reactor, input: inputPipe.read, output: outputPipe.write)
            let port = try #require(endpoint.listen(Factory { StdioRecorder(notes) }).currentResult).get()
            notes.mutate { $0.append("address \(port.address)") }
            endpoint.listen(Factory { StdioRecorder(notes) }).addErrback { failure -> any ListeningPort in
                notes.mutate { $0.append("second: \(type(of: failure.error))") }
                return port
            }
            port.stopListening()
            reactor.callLater(0.05) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(notes.value == [
            "made \(Address.unix(.unnamed))", "address \(Address.unix(.unnamed))", "second: AlreadyListened", "lost ConnectionDone",
        ])
        #expect(readToEnd(outputPipe.read).endOfFile)
    }

    @Test func aClosedDescriptorOrARefusingFactoryFailsTheDeferred() async {
        let notes = Shared<[String]>([])
        let outputPipe = rawPipe()
        defer { close(outputPipe.read); close(outputPipe.write) }
        let stopped = await runReactor { reactor in
            let bad = StandardIOServerEndpoint(reactor: reactor, input: -1, output: outputPipe.write)
            _ = bad.listen(Factory { StdioRecorder(notes) }).addBoth { result in
                if case .failure(let failure) = result { notes.mutate { $0.append("\(failure.error)") } }
            }
            let refusing = StandardIOServerEndpoint(reactor: reactor, input: -1, output: -1)
            _ = refusing.listen(Factory { nil }).addBoth { result in
                if case .failure(let failure) = result { notes.mutate { $0.append("\(type(of: failure.error))") } }
            }
            try reactor.stop()
        }
        #expect(stopped)
        #expect(notes.value.count == 2)
        #expect(notes.value.first?.contains("standard I/O: descriptor -1 is not open") == true, "\(notes.value)")
        #expect(notes.value.last == "NoProtocol")
    }

    @Test func theDescriptionStringMakesOne() async {
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            for text in ["stdio:", "stdio"] {
                let endpoint = try serverFromString(reactor, text)
                notes.mutate { $0.append("\(type(of: endpoint)) \(endpoint.description)") }
            }
            do {
                _ = try serverFromString(reactor, "stdio:extra")
            } catch {
                notes.mutate { $0.append("\(error)") }
            }
            do {
                _ = try serverFromString(MemoryReactor(), "STDIO")
            } catch {
                notes.mutate { $0.append("\(error)") }
            }
        }
        #expect(stopped)
        #expect(notes.value.count == 4)
        #expect(notes.value.prefix(2) == ["StandardIOServerEndpoint stdio:", "StandardIOServerEndpoint stdio:"])
        #expect(notes.value[2] == "\(EndpointDescriptionError.tooManyArguments(type: "stdio", piece: "extra"))")
        #expect(notes.value[3].contains("a reactor with standard I/O"), "\(notes.value)")
    }
}

/// Throws from `dataReceived` or `readConnectionLost`, as the test says.
private final class ThrowingStdioProtocol: Protocol, HalfCloseableProtocol {
    let events: Shared<[String]>
    let throwsOnData: Bool

    init(_ events: Shared<[String]>, throwsOnData: Bool) {
        self.events = events
        self.throwsOnData = throwsOnData
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        events.mutate { $0.append("data") }
        transport?.write(Array("queued".utf8))
        if throwsOnData { throw ConnectionLost("bad input from the test") }
    }

    func readConnectionLost() throws {
        events.mutate { $0.append("readConnectionLost") }
        throw ConnectionLost("half-close refused by the test")
    }

    func writeConnectionLost() throws {}

    override func connectionLost(reason: Failure) {
        events.mutate { $0.append("lost \(reason.error)") }
    }
}

extension StandardIOTests {
    @Test func anErrorInDataReceivedClosesBothSidesAndTheProtocolHearsIt() async {
        let outcome = await serve(input: "boom", endInput: false) { ThrowingStdioProtocol($0, throwsOnData: true) }
        #expect(outcome.stopped)
        #expect(outcome.events.count == 2 && outcome.events[0] == "data")
        #expect(outcome.events.last?.contains("bad input from the test") == true, "\(outcome.events)")
        #expect(outcome.outputEnded, "the output is closed (aborted: what was queued may be dropped)")
        #expect(outcome.inputClosed)
    }

    @Test func anErrorInReadConnectionLostAbortsAndTheProtocolHearsIt() async {
        let outcome = await serve(input: "x", endInput: true) { ThrowingStdioProtocol($0, throwsOnData: false) }
        #expect(outcome.stopped)
        #expect(outcome.events.prefix(2) == ["data", "readConnectionLost"])
        #expect(outcome.events.count == 3 && outcome.events[2].contains("half-close refused by the test"), "\(outcome.events)")
        #expect(outcome.outputEnded)
    }
}
