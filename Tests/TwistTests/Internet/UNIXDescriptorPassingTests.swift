import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// Passing descriptors over UNIX connections (SCM_RIGHTS): each travels with one byte, arrives
/// before that byte's delivery, and is closed when nobody takes it.
@Suite(.timeLimit(.minutes(1))) struct UNIXDescriptorPassingTests {
    /// A server protocol recording descriptors and bytes in arrival order; it keeps (and finally
    /// closes) the descriptors, after writing `mark` into each.
    final class Taker: Protocol, FileDescriptorReceiver {
        let events: Shared<[String]>
        let expectedBytes: Int
        let reactor: Reactor
        var received = 0

        init(_ events: Shared<[String]>, expectedBytes: Int, _ reactor: Reactor) {
            self.events = events
            self.expectedBytes = expectedBytes
            self.reactor = reactor
        }

        func fileDescriptorReceived(_ descriptor: Int32) {
            events.mutate { $0.append("fd") }
            _ = write(descriptor, "!", 1)
            close(descriptor)
        }

        override func dataReceived(_ data: ArraySlice<UInt8>) throws {
            events.mutate { $0.append(String(decoding: data, as: UTF8.self)) }
            received += data.count
            if received == expectedBytes { try reactor.stop() }
        }
    }

    /// A client that sends on connect with `body`.
    final class Sender: Protocol {
        let body: (any UNIXTransport) throws -> Void
        init(_ body: @escaping (any UNIXTransport) throws -> Void) { self.body = body }
        override func connectionMade() {
            do { try body(transport as! any UNIXTransport) } catch { Issue.record("\(error)") }
        }
    }

    @Test func aDescriptorArrivesBeforeTheByteThatCarriedItAndWorks() async {
        let directory = TemporaryDirectory()
        let path = directory.file("fd.sock")
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd) }
        let events = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { Taker(events, expectedBytes: 1, reactor) })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                Sender { transport in
                    try transport.sendFileDescriptor(writeEnd)
                    transport.write("d".utf8)
                }
            })
        }
        close(writeEnd)  // ours; the sender's duplicate was closed once sent, the taker's by it
        #expect(stopped)
        #expect(events.value == ["fd", "d"])
        let (text, eof) = drain(readEnd)
        #expect(text == "!")
        #expect(eof)
    }

    @Test func severalDescriptorsEachTakeOneByteInOrder() async {
        let directory = TemporaryDirectory()
        let path = directory.file("fds.sock")
        let pipes = (0..<3).map { _ in makePipe() }
        defer { for (r, _) in pipes { close(r) } }
        let events = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { Taker(events, expectedBytes: 5, reactor) })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                Sender { transport in
                    for (_, w) in pipes { try transport.sendFileDescriptor(w) }
                    transport.write("xyzuv".utf8)
                }
            })
        }
        for (_, w) in pipes { close(w) }
        #expect(stopped)
        // Each descriptor comes just before its byte; the bytes after the last one may come
        // together with it.
        let joined = events.value.joined(separator: " ")
        #expect(events.value.filter { $0 == "fd" }.count == 3, "\(events.value)")
        #expect(joined.hasPrefix("fd x fd y fd z"), "\(joined)")
        #expect(events.value.filter { $0 != "fd" }.joined() == "xyzuv")
        for (r, _) in pipes { #expect(drain(r) == ("!", true)) }
    }

    @Test func moreDescriptorsThanBytesCloseWithFileDescriptorOverrunAndThePeerSeesACleanClose() async {
        let directory = TemporaryDirectory()
        let path = directory.file("overrun.sock")
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd); close(writeEnd) }
        let server = Shared(ConnectionLog())
        let client = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { RecordingClient(log: server) })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: client, onConnected: { me in
                    try (me.transport as! any UNIXTransport).sendFileDescriptor(writeEnd)
                    try (me.transport as! any UNIXTransport).sendFileDescriptor(writeEnd)
                    me.transport?.write("a".utf8)
                })
            })
            func stopOnceBothLost() {
                if server.value.lostReason != nil && client.value.lostReason != nil {
                    try? reactor.stop()
                } else {
                    reactor.callLater(0.01) { stopOnceBothLost() }
                }
            }
            stopOnceBothLost()
        }
        #expect(stopped)
        #expect(client.value.lostReason == "FileDescriptorOverrun")
        // The server saw the first descriptor's byte (its descriptor closed: no receiver), then
        // a clean close.
        #expect(server.value.received == Array("a".utf8))
        #expect(server.value.lostReason == "ConnectionDone")
    }

    @Test func aProtocolThatTakesNoDescriptorsHasThemClosedAndStillGetsTheBytes() async {
        let directory = TemporaryDirectory()
        let path = directory.file("noreceiver.sock")
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd) }
        let server = Shared(ConnectionLog())
        let capture = LogCapture()
        let stopped = await runReactor(logger: capture.logger()) { reactor in
            _ = try reactor.listenUNIX(path, Factory {
                RecordingClient(log: server, onData: { _, _ in try reactor.stop() })
            })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                Sender { transport in
                    try transport.sendFileDescriptor(writeEnd)
                    transport.write("z".utf8)
                }
            })
        }
        close(writeEnd)
        #expect(stopped)
        #expect(server.value.received == Array("z".utf8))
        // Every write end is closed (ours, the sender's duplicate, the server's copy): end of file.
        #expect(drain(readEnd) == ("", true))
        let lines = capture.records.map(\.message)
        #expect(lines.contains("closed descriptors passed to a protocol that takes none"), "\(lines)")
    }

    @Test func aStreamingProducerIsPausedOnceMoreThan64DescriptorsWait() async {
        let directory = TemporaryDirectory()
        let path = directory.file("pause.sock")
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd); close(writeEnd) }
        let pausedAt = Shared<[Int]>([])
        let stopped = await runReactor { reactor in
            final class Streaming: PushProducer {
                var sent = 0
                let pausedAt: Shared<[Int]>
                init(_ pausedAt: Shared<[Int]>) { self.pausedAt = pausedAt }
                func pauseProducing() { pausedAt.mutate { $0.append(sent) } }
                func resumeProducing() {}
                func stopProducing() {}
            }
            _ = try reactor.listenUNIX(path, Factory { EchoProtocol() })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                Sender { transport in
                    let producer = Streaming(pausedAt)
                    try transport.registerProducer(.push(producer))
                    for _ in 0..<70 {
                        producer.sent += 1
                        try transport.sendFileDescriptor(writeEnd)
                    }
                    transport.write([UInt8](repeating: 0, count: 70))
                    reactor.callLater(0.05) { try reactor.stop() }
                }
            })
        }
        #expect(stopped)
        #expect(pausedAt.value == [65])
    }

    @Test func aProtocolReadingDirectlyHasPassedDescriptorsClosedAndGetsItsBytes() async {
        let directory = TemporaryDirectory()
        let path = directory.file("direct.sock")
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd) }
        let log = Shared(DirectReadLog())
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { DirectBlockReader(size: 4, log: log) })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                Sender { transport in
                    try transport.sendFileDescriptor(writeEnd)
                    transport.write("abcdef".utf8)
                    transport.loseConnection()
                }
            })
            func stopOnceLost() {
                if log.value.reason.isEmpty { reactor.callLater(0.01) { stopOnceLost() } } else { try? reactor.stop() }
            }
            stopOnceLost()
        }
        close(writeEnd)
        #expect(stopped)
        #expect(log.value.block == Array("abcd".utf8))
        #expect(log.value.afterBlock == Array("ef".utf8))
        #expect(drain(readEnd) == ("", true))  // the passed duplicate was closed, not leaked
    }
}
