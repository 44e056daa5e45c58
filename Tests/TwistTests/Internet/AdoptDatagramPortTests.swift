import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// `adoptDatagramPort` on the libev reactor (spec item 42): serving bound datagram sockets made
/// elsewhere on the datagram engine, refusing descriptors of the wrong kind, and leaving the
/// original to its owner.
@Suite(.timeLimit(.minutes(1))) struct AdoptDatagramPortTests {
    @Test func anAdoptedUDPSocketEchoesOnItsOwnAddressAndTheOriginalStaysOpen() async throws {
        let (original, bound) = rawSocket(AF_INET, SOCK_DGRAM, boundTo: "127.0.0.1")
        defer { close(original) }
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.adoptDatagramPort(original, family: .inet, UDPEchoProtocol())
            let duplicate = try #require(port as? DatagramPort).fd
            log.mutate {
                $0.append("address is the socket's \(port.address == .ip(bound!.ipAddress))")
                $0.append("duplicate \(duplicate != original) cloexec \(fcntl(duplicate, F_GETFD) & FD_CLOEXEC != 0)")
                $0.append("non-blocking \(fcntl(original, F_GETFL) & O_NONBLOCK != 0) multicast \(port is any MulticastTransport)")
            }
            let client = RecordingDatagramProtocol(log: log, onStart: { me in
                try me.transport!.write(Array("hello".utf8), to: port.address)
            }, onDatagram: { me, data, sender in
                me.note("'\(text(data))' from the adopted port \(sender == port.address)")
                port.stopListening().addCallback { try reactor.stop() }
            })
            _ = try reactor.listenUDP(0, client, interface: "127.0.0.1")
        }
        #expect(stopped)
        #expect(log.value == [
            "address is the socket's true", "duplicate true cloexec true", "non-blocking true multicast true",
            "start", "'hello' from the adopted port true", "stop",
        ])
        #expect(isOpenDescriptor(original))
        #expect(SystemAddress.local(of: original)?.ipAddress == bound?.ipAddress)
    }

    @Test func anAdoptedUNIXSocketServesAndItsFileStays() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("adopted.sock")
        let original = rawSocket(AF_UNIX, SOCK_DGRAM, boundTo: path).fd
        defer { close(original) }
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.adoptDatagramPort(original, family: .unix, UDPEchoProtocol())
            log.mutate { $0.append("at \(port.address) multicast \(port is any MulticastTransport)") }
            let client = RecordingDatagramProtocol(log: log, onStart: { me in
                try me.transport!.write(Array("hi".utf8))
            }, onDatagram: { me, data, _ in
                me.note("'\(text(data))'")
                port.stopListening().addCallback {
                    me.note("file stays \(isSocket(path))")
                    try reactor.stop()
                }
            })
            _ = try reactor.connectUNIXDatagram(path, client, bindAddress: directory.file("client.sock"))
        }
        #expect(stopped)
        #expect(log.value == ["at unix:\(path) multicast false", "start", "'hi'", "file stays true", "stop"])
        #expect(isOpenDescriptor(original))
    }

    @Test func anAdoptedConnectedSocketIsServedConnected() async throws {
        let peer = rawSocket(AF_INET, SOCK_DGRAM, boundTo: "127.0.0.1")
        defer { close(peer.fd) }
        let original = rawSocket(AF_INET, SOCK_DGRAM, boundTo: "127.0.0.1").fd
        defer { close(original) }
        #expect(peer.address!.withSockAddr { connect(original, $0, $1) } == 0)
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let port = try reactor.adoptDatagramPort(original, family: .inet, DatagramProtocol())
            log.mutate { $0.append("connected to the peer \(port.connectedAddress == .ip(peer.address!.ipAddress))") }
            try port.write(Array("to peer".utf8))
        }
        #expect(stopped)
        #expect(log.value == ["connected to the peer true"])
        var buffer = [UInt8](repeating: 0, count: 32)
        var waiting = pollfd(fd: peer.fd, events: Int16(POLLIN), revents: 0)
        #expect(poll(&waiting, 1, 2000) == 1)
        let count = recv(peer.fd, &buffer, buffer.count, 0)
        #expect(count == 7 && String(decoding: buffer[0..<7], as: UTF8.self) == "to peer")
    }

    @Test func descriptorsOfTheWrongKindAreRefusedNamingTheDescriptorAndStayOpen() async {
        let stream = rawSocket(AF_INET, SOCK_STREAM, boundTo: "127.0.0.1").fd
        let unbound = rawSocket(AF_INET, SOCK_DGRAM).fd
        let inet = rawSocket(AF_INET, SOCK_DGRAM, boundTo: "127.0.0.1").fd
        let pipeEnds = rawPipe()
        let closed: Int32 = -1  // never a descriptor (closing a real one would race other tests for its number)
        defer { for fd in [stream, unbound, inet, pipeEnds.read, pipeEnds.write] { close(fd) } }
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            for (fd, family) in [
                (stream, .inet), (unbound, .inet), (inet, .unix), (inet, .inet6), (pipeEnds.read, .inet), (closed, .inet),
            ] as [(Int32, AddressFamily)] {
                do {
                    _ = try reactor.adoptDatagramPort(fd, family: family, DatagramProtocol())
                    log.mutate { $0.append("\(fd): adopted") }
                } catch let error as CannotAdoptError {
                    let named = error.detail?.hasPrefix("cannot adopt descriptor \(fd) as a bound AF_\(family) datagram socket: ") == true
                    let reason = error.detail?.split(separator: ":", maxSplits: 1).last.map { $0.dropFirst() } ?? ""
                    log.mutate { $0.append("named \(named): \(reason)") }
                } catch {
                    log.mutate { $0.append("\(fd): \(type(of: error))") }
                }
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "named true: it is a stream (SOCK_STREAM) socket, not a datagram socket",
            "named true: it is not bound (bind(2) was not called)",
            "named true: it is an AF_INET socket, not AF_UNIX",
            "named true: it is an AF_INET socket, not AF_INET6",
            "named true: it is not a socket",
            "named true: cannot duplicate it: Bad file descriptor",
        ])
        for fd in [stream, unbound, inet, pipeEnds.read] { #expect(isOpenDescriptor(fd)) }
    }
}
