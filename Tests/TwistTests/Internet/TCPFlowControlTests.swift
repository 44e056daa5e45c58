import Glibc
import Testing
import Twist
import TwistTestSupport

/// Producers, consumers and the transport's own reading side, over loopback.
@Suite(.timeLimit(.minutes(1))) struct TCPFlowControlTests {
    /// Writes 16 KiB chunks while not paused; records pause/resume/stop.
    final class StreamingSource: PushProducer {
        let transport: any Transport
        let events: Shared<[String]>
        var paused = false
        var written = 0

        init(_ transport: any Transport, _ events: Shared<[String]>) {
            self.transport = transport
            self.events = events
        }

        func pump(upTo limit: Int) {
            while !paused, written < limit {
                transport.write([UInt8](repeating: 0x61, count: 16_384))
                written += 16_384
            }
        }

        func pauseProducing() {
            paused = true
            events.mutate { $0.append("pause") }
        }

        func resumeProducing() {
            paused = false
            events.mutate { $0.append("resume") }
        }

        func stopProducing() {
            events.mutate { $0.append("stop") }
        }
    }

    @Test func aStreamingProducerIsPausedWhileThePeerDoesNotReadAndResumedWhenItDoes() async {
        let events = Shared<[String]>([])
        let receivedBytes = Shared(0)
        let stopped = await runReactor(timeout: 20) { reactor in
            final class SlowReader: Protocol {
                let received: Shared<Int>
                init(_ received: Shared<Int>) { self.received = received }
                override func connectionMade() { transport?.pauseProducing() }  // do not read at first
                override func dataReceived(_ data: ArraySlice<UInt8>) throws { received.value += data.count }
            }
            var reader: SlowReader?
            let port = try reactor.listenTCP(0, Factory {
                let made = SlowReader(receivedBytes)
                reader = made
                return made
            }, interface: "127.0.0.1")
            final class Writer: ClientFactory {
                let events: Shared<[String]>
                let started: (StreamingSource) -> Void
                init(_ events: Shared<[String]>, _ started: @escaping (StreamingSource) -> Void) {
                    self.events = events
                    self.started = started
                    super.init()
                }
                override func buildProtocol(address: Address) -> Protocol? {
                    final class Holder: Protocol {
                        let events: Shared<[String]>
                        let started: (StreamingSource) -> Void
                        init(_ events: Shared<[String]>, _ started: @escaping (StreamingSource) -> Void) {
                            self.events = events
                            self.started = started
                        }
                        override func connectionMade() {
                            let source = StreamingSource(transport!, events)
                            try? transport!.registerProducer(.push(source))
                            started(source)
                        }
                    }
                    return Holder(events, started)
                }
            }
            let total = 8 << 20
            reactor.connectTCP("127.0.0.1", port.address.port!, Writer(events) { source in
                source.pump(upTo: total)
                // The kernel buffers fill, the queue passes the high-water mark: paused.
                reactor.callLater(0.2) {
                    events.mutate { $0.append("reader resumes") }
                    reader?.transport?.resumeProducing()
                    LoopingCall(clock: reactor) {
                        source.pump(upTo: total)
                        if receivedBytes.value == total { try reactor.stop() }
                    }.start(interval: 0.005)
                }
            })
        }
        #expect(stopped)
        #expect(receivedBytes.value == 8 << 20)
        #expect(Array(events.value.prefix(2)) == ["pause", "reader resumes"])
        #expect(events.value.contains("resume"))
        #expect(events.value.last == "stop")  // the producer is stopped when the connection goes
    }

    @Test func aPullProducerIsAskedForMoreEachTimeTheQueueDrains() async {
        let chunks = Shared(0)
        let received = Shared(0)
        let stopped = await runReactor { reactor in
            final class Counter: Protocol {
                let received: Shared<Int>
                init(_ received: Shared<Int>) { self.received = received }
                override func dataReceived(_ data: ArraySlice<UInt8>) throws { received.value += data.count }
            }
            let port = try reactor.listenTCP(0, Factory { Counter(received) }, interface: "127.0.0.1")
            final class TenChunks: PullProducer {
                let transport: any Transport
                let chunks: Shared<Int>
                init(_ transport: any Transport, _ chunks: Shared<Int>) { self.transport = transport; self.chunks = chunks }
                func resumeProducing() {
                    guard chunks.value < 10 else {
                        transport.unregisterProducer()
                        transport.loseConnection()
                        return
                    }
                    chunks.value += 1
                    transport.write([UInt8](repeating: 1, count: 100_000))
                }
                func stopProducing() {}
            }
            final class Client: ClientFactory {
                let chunks: Shared<Int>
                let reactor: Reactor
                init(_ chunks: Shared<Int>, _ reactor: Reactor) { self.chunks = chunks; self.reactor = reactor; super.init() }
                override func buildProtocol(address: Address) -> Protocol? {
                    final class Registering: Protocol {
                        let chunks: Shared<Int>
                        init(_ chunks: Shared<Int>) { self.chunks = chunks }
                        override func connectionMade() { try? transport!.registerProducer(.pull(TenChunks(transport!, chunks))) }
                    }
                    return Registering(chunks)
                }
                override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
                    reactor.callLater(0.05) { try self.reactor.stop() }
                }
            }
            reactor.connectTCP("127.0.0.1", port.address.port!, Client(chunks, reactor))
        }
        #expect(stopped)
        #expect(chunks.value == 10)
        #expect(received.value == 1_000_000)
    }

    @Test func aSecondProducerIsRefused() async {
        let refused = Shared(false)
        let stopped = await runReactor { reactor in
            final class Idle: PushProducer {
                func pauseProducing() {}
                func resumeProducing() {}
                func stopProducing() {}
            }
            final class Twice: Protocol {
                let refused: Shared<Bool>
                let reactor: Reactor
                init(_ refused: Shared<Bool>, _ reactor: Reactor) { self.refused = refused; self.reactor = reactor }
                override func connectionMade() {
                    try? transport!.registerProducer(.push(Idle()))
                    do { try transport!.registerProducer(.push(Idle())) } catch { refused.value = error is ProducerRegistrationError }
                    try? reactor.stop()
                }
            }
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            let factory = RecordingClientFactory(notes: Shared([])) { Twice(refused, reactor) }
            reactor.connectTCP("127.0.0.1", port.address.port!, factory)
        }
        #expect(stopped)
        #expect(refused.value)
    }

    @Test func aConnectAttemptThatHangsFailsWithConnectTimeoutError() async throws {
        // A listener whose accept queue is full drops further SYNs: the connect neither succeeds nor fails.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        try #require(ok)
        defer { close(listener) }
        let port = Int(UInt16(bigEndian: address.sin_port))
        // Fill the queue with connections nobody accepts.
        var fillers: [Int32] = []
        defer { for fd in fillers { close(fd) } }
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
            fillers.append(fd)
        }
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            reactor.connectTCP("127.0.0.1", port, StopOnFailureFactory(notes, reactor), timeout: 0.3)
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: ConnectTimeoutError"])
    }
}

/// TCP socket options through the transport.
@Suite(.timeLimit(.minutes(1))) struct TCPSocketOptionTests {
    @Test func noDelayAndKeepAliveAreOffByDefaultAndCanBeSetOnBothEnds() async {
        let seen = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            final class Options: Protocol {
                let seen: Shared<[String]>
                let side: String
                let reactor: Reactor?
                init(_ side: String, _ seen: Shared<[String]>, stopping reactor: Reactor? = nil) {
                    self.side = side
                    self.seen = seen
                    self.reactor = reactor
                }
                override func connectionMade() {
                    guard let tcp = transport as? any TCPTransport else {
                        seen.mutate { $0.append("\(side): not TCP") }
                        return
                    }
                    let before = "\(tcp.noDelay) \(tcp.keepAlive)"
                    tcp.noDelay = true
                    tcp.keepAlive = true
                    seen.mutate { $0.append("\(side): \(before) -> \(tcp.noDelay) \(tcp.keepAlive)") }
                    if let reactor { reactor.callLater(0.02) { try reactor.stop() } }
                }
            }
            let port = try reactor.listenTCP(0, Factory { Options("server", seen) }, interface: "127.0.0.1")
            reactor.connectTCP("127.0.0.1", port.address.port!, RecordingClientFactory(notes: Shared([])) {
                Options("client", seen, stopping: reactor)
            })
        }
        #expect(stopped)
        #expect(Set(seen.value) == ["server: false false -> true true", "client: false false -> true true"])
    }
}
