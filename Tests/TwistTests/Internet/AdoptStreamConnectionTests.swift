import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// A factory that counts `buildProtocol` calls and builds with `make` (nil refuses).
private final class CountingFactory: Factory {
    let asked: Shared<[String]>
    let make: () -> Protocol?

    init(_ asked: Shared<[String]>, _ make: @escaping () -> Protocol?) {
        self.asked = asked
        self.make = make
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        asked.mutate { $0.append("build \(address)") }
        return make()
    }

    override func startFactory() { asked.mutate { $0.append("doStart") } }
}

/// `adoptStreamConnection` on the libev reactor (Twisted's `IReactorSocket`): a connected socket
/// made elsewhere becomes a normal transport; a descriptor of the wrong kind is refused; the
/// caller's descriptor stays the caller's.
@Suite(.timeLimit(.minutes(1))) struct AdoptStreamConnectionTests {
    /// Adopts both ends of a connected pair in one reactor: `a` with an echo server, `b` with a
    /// client that sends "hello" and stops the reactor when the echo is back. Returns what the
    /// client saw, the addresses, and whether the reactor stopped by itself.
    private func echoThroughAdoptedPair(_ a: Int32, _ b: Int32, _ family: AddressFamily)
        async -> (stopped: Bool, log: ConnectionLog, notes: [String])
    {
        let log = Shared(ConnectionLog())
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            try reactor.adoptStreamConnection(a, family: family, Factory { EchoProtocol() })
            try reactor.adoptStreamConnection(b, family: family, Factory {
                RecordingClient(log: log, onConnected: { client in
                    notes.mutate { $0.append("made: host \(client.transport!.host), peer \(client.transport!.peer)") }
                    client.transport?.write(Array("hello".utf8)[...])
                }, onData: { client, _ in
                    guard log.value.received.count >= 5 else { return }
                    client.transport?.loseConnection()
                    reactor.callLater(0) { try reactor.stop() }
                })
            })
            notes.mutate { $0.append("made before return: \(log.value.events == ["made"])") }
        }
        return (stopped, log.value, notes.value)
    }

    @Test func bothEndsOfASocketpairServeAsUNIXTransportsAndTheOriginalsStayOpen() async {
        let (a, b) = rawSocketPair()
        defer { close(a); close(b) }
        let outcome = await echoThroughAdoptedPair(a, b, .unix)
        #expect(outcome.stopped)
        #expect(outcome.log.received == Array("hello".utf8))
        let unnamed = Address.unix(.unnamed)
        #expect(outcome.notes == ["made: host \(unnamed), peer \(unnamed)", "made before return: true"])
        #expect(outcome.log.events == ["made", "lost"])
        #expect(isOpenDescriptor(a) && isOpenDescriptor(b))
    }

    @Test func anAcceptedTCPSocketServesWithItsRealAddressesAndTheCallerClosesTheOriginal() async throws {
        let pair = rawTCPPair()
        defer { close(pair.client); close(pair.server) }
        let serverLocal = try #require(SystemAddress.local(of: pair.server)).ipAddress
        let clientLocal = try #require(SystemAddress.local(of: pair.client)).ipAddress
        let outcome = await echoThroughAdoptedPair(pair.server, pair.client, .inet)
        #expect(outcome.stopped)
        #expect(outcome.log.received == Array("hello".utf8))
        #expect(outcome.notes.first == "made: host \(Address.ip(clientLocal)), peer \(Address.ip(serverLocal))")
        #expect(isOpenDescriptor(pair.client) && isOpenDescriptor(pair.server))
    }

    @Test func closingTheTransportClosesOnlyTheDuplicate() async {
        let (mine, theirs) = rawSocketPair()
        defer { close(theirs) }
        let stopped = await runReactor { reactor in
            try reactor.adoptStreamConnection(mine, family: .unix, Factory {
                RecordingClient(log: Shared(ConnectionLog()), onConnected: { client in
                    client.transport?.write(Array("bye".utf8)[...])
                    client.transport?.loseConnection()
                    reactor.callLater(0.05) { try reactor.stop() }
                })
            })
        }
        #expect(stopped)
        // The duplicate is closed, but the socket lives on through the caller's descriptor: the
        // peer sees the bytes and no end of file until the caller closes it too.
        let before = readToEnd(theirs, timeout: 0.2)
        #expect(before.bytes == Array("bye".utf8) && !before.endOfFile)
        close(mine)
        #expect(readToEnd(theirs).endOfFile)
    }

    @Test func aFactoryThatRefusesGetsNoConnectionAndTheDuplicateIsClosed() async {
        let (mine, theirs) = rawSocketPair()
        defer { close(theirs) }
        let asked = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            try reactor.adoptStreamConnection(mine, family: .unix, CountingFactory(asked) { nil })
            try reactor.stop()
        }
        #expect(stopped)
        #expect(asked.value == ["build \(Address.unix(.unnamed))"])  // and no doStart
        #expect(isOpenDescriptor(mine))
        close(mine)
        #expect(readToEnd(theirs).endOfFile)  // no other descriptor of the socket is left open
    }

    @Test func aDescriptorOfTheWrongKindIsCannotAdoptErrorSayingWhatItIsAndStaysOpen() async {
        let ends = rawPipe()
        let datagram = rawSocket(AF_INET, SOCK_DGRAM).fd
        let listener = rawSocket(AF_INET, boundTo: "127.0.0.1", listening: true).fd
        let unconnected = rawSocket(AF_INET).fd
        let (unixA, unixB) = rawSocketPair()
        let all = [ends.read, ends.write, datagram, listener, unconnected, unixA, unixB]
        defer { for fd in all { close(fd) } }
        let cases: [(Int32, AddressFamily, String)] = [
            (ends.read, .inet, "it is not a socket"),
            (datagram, .inet, "it is a datagram (SOCK_DGRAM) socket, not a stream socket"),
            (listener, .inet, "it is a listening socket, not a connected one"),
            (unconnected, .inet, "it is not connected"),
            (unixA, .inet6, "it is an AF_UNIX socket, not AF_"),
            (-1, .unix, "cannot duplicate it"),
        ]
        let notes = Shared<[String]>([])
        let built = Shared(0)
        let stopped = await runReactor { reactor in
            for (fd, family, expected) in cases {
                do {
                    try reactor.adoptStreamConnection(fd, family: family, Factory {
                        built.mutate { $0 += 1 }
                        return EchoProtocol()
                    })
                    notes.mutate { $0.append("fd \(fd): adopted") }
                } catch let error as CannotAdoptError {
                    let text = "\(error)"
                    notes.mutate { $0.append(text.contains(expected) && text.contains("descriptor \(fd)") ? "ok" : text) }
                }
            }
            // The reactor keeps serving: a good descriptor is still adopted afterwards.
            try reactor.adoptStreamConnection(unixB, family: .unix, Factory {
                built.mutate { $0 += 1 }
                return EchoProtocol()
            })
            try reactor.stop()
        }
        #expect(stopped)
        #expect(notes.value == Array(repeating: "ok", count: cases.count))
        #expect(built.value == 1)
        #expect(all.allSatisfy(isOpenDescriptor))
    }
}
