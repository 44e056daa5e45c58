import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// UNIX stream connections over real sockets: the TCP engine on another socket family, with UNIX
/// addresses and peer credentials.
@Suite(.timeLimit(.minutes(1))) struct UNIXConnectionTests {
    /// Connects to `name`, writes `payload`, and stops the reactor once it came back.
    private func echo(_ name: String, payload: [UInt8], reactor: Reactor, into log: Shared<ConnectionLog>) {
        let client = RecordingClientFactory(notes: Shared([])) {
            RecordingClient(log: log, onConnected: { $0.transport?.write(payload) }, onData: { _, _ in
                if log.value.received.count == payload.count { try reactor.stop() }
            })
        }
        reactor.connectUNIX(name, client)
    }

    @Test func bytesMakeTheRoundTripOverAPath() async {
        let directory = TemporaryDirectory()
        let path = directory.file("echo.sock")
        let payload = pattern(200_000)
        let log = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { EchoProtocol() })
            echo(path, payload: payload, reactor: reactor, into: log)
        }
        #expect(stopped)
        #expect(sameBytes(log.value.received, payload))
    }

    @Test func bytesMakeTheRoundTripOverAnAbstractNameAndNoFileIsMade() async {
        let name = uniqueAbstractName()
        let log = Shared(ConnectionLog())
        let portAddress = Shared<Address?>(nil)
        let stopped = await runReactor { reactor in
            let port = try reactor.listenUNIX(name, Factory { EchoProtocol() })
            portAddress.value = port.address
            echo(name, payload: Array("hello".utf8), reactor: reactor, into: log)
        }
        #expect(stopped)
        #expect(log.value.received == Array("hello".utf8))
        #expect(portAddress.value == .unix(name))
        #expect(portAddress.value?.unix?.isAbstract == true)
    }

    @Test func addressesOfAnUnnamedClientAndItsServer() async {
        let directory = TemporaryDirectory()
        // Relative to nothing: the path is reported exactly as given, even with a redundant "/./".
        let path = directory.path + "/./addr.sock"
        let built = Shared<[Address]>([])
        let clientBuilt = Shared<[Address]>([])
        let seen = Shared<[String: Address]>([:])
        let destination = Shared<Address?>(nil)
        let portAddress = Shared<Address?>(nil)
        let stopped = await runReactor { reactor in
            final class Server: Protocol {
                let seen: Shared<[String: Address]>
                init(_ seen: Shared<[String: Address]>) { self.seen = seen }
                override func connectionMade() {
                    seen.mutate { $0["server host"] = transport!.host; $0["server peer"] = transport!.peer }
                }
            }
            final class Client: Protocol {
                let seen: Shared<[String: Address]>
                let reactor: Reactor
                init(_ seen: Shared<[String: Address]>, _ reactor: Reactor) { self.seen = seen; self.reactor = reactor }
                override func connectionMade() {
                    seen.mutate { $0["client host"] = transport!.host; $0["client peer"] = transport!.peer }
                    reactor.callLater(0.05) { try self.reactor.stop() }
                }
            }
            final class ClientFactoryRecording: RecordingClientFactory {
                let built: Shared<[Address]>
                init(_ built: Shared<[Address]>, _ make: @escaping () -> Protocol?) {
                    self.built = built
                    super.init(notes: Shared([]), make)
                }
                override func buildProtocol(address: Address) -> Protocol? {
                    built.mutate { $0.append(address) }
                    return super.buildProtocol(address: address)
                }
            }
            let port = try reactor.listenUNIX(path, AddressRecordingFactory(built) { Server(seen) })
            portAddress.value = port.address
            let connector = reactor.connectUNIX(path, ClientFactoryRecording(clientBuilt) { Client(seen, reactor) })
            destination.value = connector.destination
        }
        #expect(stopped)
        let named = Address.unix(path)
        #expect(portAddress.value == named)
        #expect(destination.value == named)
        #expect(built.value == [.unix(.unnamed)])
        #expect(clientBuilt.value == [named])
        #expect(seen.value["server host"] == named)
        #expect(seen.value["server peer"] == .unix(.unnamed))
        #expect(seen.value["client host"] == .unix(.unnamed))
        #expect(seen.value["client peer"] == named)
    }

    @Test func aBoundClientIsReportedByItsNameOnTheServerSide() async {
        let directory = TemporaryDirectory()
        let path = directory.file("server.sock")
        let clientPath = directory.file("client.sock")
        let built = Shared<[Address]>([])
        let peer = Shared<Address?>(nil)
        let stopped = await runReactor { reactor in
            final class Server: Protocol {
                let peer: Shared<Address?>
                let reactor: Reactor
                init(_ peer: Shared<Address?>, _ reactor: Reactor) { self.peer = peer; self.reactor = reactor }
                override func connectionMade() {
                    peer.value = transport!.peer
                    try? reactor.stop()
                }
            }
            _ = try reactor.listenUNIX(path, AddressRecordingFactory(built) { Server(peer, reactor) })
            // A plain blocking client, bound first (connectUNIX cannot bind); the connect completes
            // at once because the listener's backlog has room.
            let fd = rawUNIXSocket(boundTo: clientPath)
            let connected = SystemAddress(unix: UNIXAddress(path))!.withSockAddr { Glibc.connect(fd, $0, $1) }
            #expect(connected == 0)
            reactor.addSystemEventTrigger(.after, .shutdown) { close(fd) }
        }
        #expect(stopped)
        #expect(built.value == [.unix(clientPath)])
        #expect(peer.value == .unix(clientPath))
    }

    @Test func bothEndsSeeThisProcesssCredentials() async {
        let directory = TemporaryDirectory()
        let path = directory.file("cred.sock")
        let credentials = Shared<[String: PeerCredentials?]>([:])
        let stopped = await runReactor { reactor in
            final class Recorder: Protocol {
                let side: String
                let credentials: Shared<[String: PeerCredentials?]>
                let reactor: Reactor
                init(_ side: String, _ credentials: Shared<[String: PeerCredentials?]>, _ reactor: Reactor) {
                    self.side = side
                    self.credentials = credentials
                    self.reactor = reactor
                }
                override func connectionMade() {
                    let unix = transport as? any UNIXTransport
                    credentials.mutate { $0[side] = unix?.peerCredentials }
                    #expect(!(transport is any TCPTransport))
                    if credentials.value.count == 2 { try? reactor.stop() }
                }
            }
            _ = try reactor.listenUNIX(path, Factory { Recorder("server", credentials, reactor) })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) { Recorder("client", credentials, reactor) })
        }
        #expect(stopped)
        let me = PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid())
        #expect(credentials.value["server"] == me)
        #expect(credentials.value["client"] == me)
    }

    @Test func aHalfCloseFromTheClientLetsTheServerReply() async {
        let directory = TemporaryDirectory()
        let path = directory.file("half.sock")
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory {
                HalfCloser("server", log) { me in
                    me.transport?.write("ack".utf8)
                    me.transport?.loseConnection()
                }
            })
            final class Client: HalfCloser {
                let reactor: Reactor
                init(_ log: Shared<[String]>, _ reactor: Reactor) {
                    self.reactor = reactor
                    super.init("client", log) { $0.transport?.loseConnection() }
                }
                override func connectionMade() {
                    transport?.write("request".utf8)
                    (transport as? any HalfCloseableTransport)?.loseWriteConnection()
                    transport?.write("dropped".utf8)
                }
                override func connectionLost(reason: Failure) {
                    super.connectionLost(reason: reason)
                    reactor.callLater(0.05) { try self.reactor.stop() }
                }
            }
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) { Client(log, reactor) })
        }
        #expect(stopped)
        let events = log.value
        #expect(events.contains("client writeConnectionLost"))
        #expect(events.contains("server got request"))
        #expect(!events.contains { $0.contains("dropped") })
        #expect(events.firstIndex(of: "server got request")! < events.firstIndex(of: "server readConnectionLost")!)
        #expect(events.contains("client got ack"))
        #expect(events.contains("server lost ConnectionDone"))
        #expect(events.contains("client lost ConnectionDone"))
    }

    @Test func aHalfCloseFromTheServerReachesAnOrdinaryClientAsConnectionDone() async {
        let directory = TemporaryDirectory()
        let path = directory.file("half2.sock")
        let log = Shared<[String]>([])
        let client = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            final class Server: HalfCloser {
                override func connectionMade() {
                    transport?.write("bye".utf8)
                    (transport as? any UNIXTransport)?.loseWriteConnection()
                }
            }
            _ = try reactor.listenUNIX(path, Factory { Server("server", log) })
            reactor.connectUNIX(path, StopOnLostClientFactory(reactor) { RecordingClient(log: client) })
        }
        #expect(stopped)
        #expect(log.value.contains("server writeConnectionLost"))
        #expect(client.value.received == Array("bye".utf8))
        #expect(client.value.lostReason == "ConnectionDone")
    }

    @Test func abortingGivesUsConnectionAbortedAndThePeerConnectionDone() async {
        let directory = TemporaryDirectory()
        let path = directory.file("abort.sock")
        let server = Shared(ConnectionLog())
        let client = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory {
                RecordingClient(log: server, onConnected: { me in
                    me.transport?.write(pattern(300_000))  // more than the socket takes: some stays queued
                    me.transport?.abortConnection()
                })
            })
            reactor.connectUNIX(path, StopOnLostClientFactory(reactor) { RecordingClient(log: client) })
        }
        #expect(stopped)
        #expect(server.value.lostReason == "ConnectionAborted")
        #expect(client.value.lostReason == "ConnectionDone")
    }

    @Test func aRefusingFactoryClosesThatConnectionAndThePortServesTheNext() async {
        let directory = TemporaryDirectory()
        let path = directory.file("refuse.sock")
        let first = Shared(ConnectionLog())
        let second = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            var built = 0
            _ = try reactor.listenUNIX(path, Factory {
                built += 1
                return built == 1 ? nil : EchoProtocol()
            })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) { RecordingClient(log: first) })
            reactor.callLater(0.05) {
                echo(path, payload: [1, 2, 3], reactor: reactor, into: second)
            }
        }
        #expect(stopped)
        #expect(first.value.events == ["made", "lost"])
        #expect(first.value.lostReason == "ConnectionDone")
        #expect(second.value.received == [1, 2, 3])
    }

    @Test func aClientThatBreaksItsProtocolClosesOnlyItsConnection() async {
        let directory = TemporaryDirectory()
        let path = directory.file("bad.sock")
        let bad = Shared(ConnectionLog())
        let good = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            struct Malformed: Error {}
            // The server rejects any input starting with "!" by throwing from dataReceived.
            final class Picky: Protocol {
                override func dataReceived(_ data: ArraySlice<UInt8>) throws {
                    if data.first == UInt8(ascii: "!") { throw Malformed() }
                    transport?.write(data)
                }
            }
            _ = try reactor.listenUNIX(path, Factory { Picky() })
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: bad, onConnected: { $0.transport?.write("!garbage".utf8) })
            })
            reactor.callLater(0.05) { echo(path, payload: Array("fine".utf8), reactor: reactor, into: good) }
        }
        #expect(stopped)
        #expect(bad.value.events == ["made", "lost"])
        #expect(good.value.received == Array("fine".utf8))
    }
}
