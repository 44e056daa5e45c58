import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// True when `fd` is open and a listening socket.
private func isListeningSocket(_ fd: Int32) -> Bool {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 && value == 1
}

/// Connects a blocking client to `address`, then accepts it on `listener` (waiting at most 2 s):
/// true when both worked.
private func connectAndAccept(_ address: SystemAddress, on listener: Int32) -> Bool {
    let client = socket(Int32(address.family), Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(client) }
    guard address.withSockAddr({ connect(client, $0, $1) }) == 0 else { return false }
    var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
    guard poll(&waiting, 1, 2000) == 1 else { return false }
    let accepted = accept(listener, nil, nil)
    defer { if accepted >= 0 { close(accepted) } }
    return accepted >= 0
}

/// `adoptStreamPort` on the libev reactor (spec item 20): serving on listening sockets made
/// elsewhere, refusing descriptors of the wrong kind, and leaving the original to its owner.
@Suite(.timeLimit(.minutes(1))) struct AdoptStreamPortTests {
    /// Adopts `original` in a running reactor, sends "hello" through `connect` (which must connect
    /// a client factory to the port), and stops the port once the echo came back. Returns what
    /// happened, in order.
    private func adoptAndEcho(
        _ original: Int32, _ family: AddressFamily,
        connect: @escaping @Sendable (Reactor, ClientFactory) -> Void
    ) async -> (stopped: Bool, notes: [String]) {
        let notes = Shared<[String]>([])
        let log = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            let port = try reactor.adoptStreamPort(original, family: family, Factory { EchoProtocol() })
            notes.mutate { $0.append("address \(port.address)") }
            connect(reactor, RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: log, onConnected: { client in
                    client.transport?.write(Array("hello".utf8)[...])
                }, onData: { client, _ in
                    guard log.value.received.count >= 5 else { return }
                    notes.mutate { $0.append("echoed \(String(decoding: log.value.received, as: UTF8.self))") }
                    client.transport?.loseConnection()
                    port.stopListening().addCallback {
                        notes.mutate { $0.append("stopped") }
                        try reactor.stop()
                    }
                })
            })
        }
        return (stopped, notes.value)
    }

    @Test func anAdoptedTCPListenerServesAndTheOriginalStaysOpenAndUsableAfterThePortStops() async throws {
        let (original, bound) = rawSocket(AF_INET, boundTo: "127.0.0.1", listening: true)
        defer { close(original) }
        let address = try #require(bound)
        let number = address.ipAddress.port
        let (stopped, notes) = await adoptAndEcho(original, .inet) { reactor, factory in
            reactor.connectTCP("127.0.0.1", number, factory)
        }
        #expect(stopped)
        #expect(notes == ["address 127.0.0.1:\(number)", "echoed hello", "stopped"])
        // The reactor closed its duplicate only: the original still listens, and accepts.
        #expect(isListeningSocket(original))
        #expect(connectAndAccept(address, on: original))
    }

    @Test func anAdoptedUNIXListenerServesAndItsFileStaysAfterThePortStops() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("adopted.sock")
        let (original, bound) = rawSocket(AF_UNIX, boundTo: path, listening: true)
        defer { close(original) }
        let (stopped, notes) = await adoptAndEcho(original, .unix) { reactor, factory in
            reactor.connectUNIX(path, factory)
        }
        #expect(stopped)
        #expect(notes == ["address unix:\(path)", "echoed hello", "stopped"])
        #expect(isSocket(path))
        #expect(isListeningSocket(original))
        #expect(connectAndAccept(try #require(bound), on: original))
    }

    @Test func aDescriptorOfTheWrongKindIsCannotListenErrorSayingWhatItIsAndStaysOpen() async {
        let ends = rawPipe()
        let datagram = rawSocket(AF_INET, SOCK_DGRAM, boundTo: "127.0.0.1").fd
        let notListening = rawSocket(AF_INET, boundTo: "127.0.0.1").fd
        let unixListener = rawSocket(AF_UNIX, boundTo: uniqueAbstractName(), listening: true).fd
        let cases: [(Int32, AddressFamily, String)] = [
            (datagram, .inet, "it is a datagram (SOCK_DGRAM) socket, not a stream socket"),
            (notListening, .inet, "it is not listening (listen(2) was not called)"),
            (ends.read, .inet, "it is not a socket"),
            (unixListener, .inet, "it is an AF_UNIX socket, not AF_INET"),
            (notListening, .inet6, "it is an AF_INET socket, not AF_INET6"),
        ]
        defer { for fd in [ends.read, ends.write, datagram, notListening, unixListener] { close(fd) } }
        let seen = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            for (fd, family, _) in cases {
                do {
                    let port = try reactor.adoptStreamPort(fd, family: family, Factory { EchoProtocol() })
                    seen.mutate { $0.append("adopted \(port.address)") }
                } catch let error as CannotListenError {
                    seen.mutate { $0.append(error.detail ?? "") }
                }
            }
        }
        #expect(stopped)
        #expect(seen.value == cases.map { fd, family, reason in
            "cannot adopt descriptor \(fd) as an AF_\(family) listening socket: \(reason)"
        })
        for (fd, _, _) in cases { #expect(fcntl(fd, F_GETFD) >= 0, "descriptor \(fd) was closed") }
    }

    @Test func theErrorNamesTheSocketsAddressWhenItHasOneAndTheErrnoForAPipe() async throws {
        let (datagram, bound) = rawSocket(AF_INET, SOCK_DGRAM, boundTo: "127.0.0.1")
        defer { close(datagram) }
        let ends = rawPipe()
        defer { close(ends.read); close(ends.write) }
        let errors = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            for (fd, family) in [(datagram, AddressFamily.inet), (ends.read, .unix)] {
                do {
                    _ = try reactor.adoptStreamPort(fd, family: family, Factory { EchoProtocol() })
                } catch let error as CannotListenError {
                    errors.mutate { $0.append("\(error.address) \(error.osError.map(String.init) ?? "-")") }
                }
            }
        }
        #expect(stopped)
        #expect(errors.value == ["127.0.0.1:\(try #require(bound).ipAddress.port) -", "unix:(unnamed) \(ENOTSOCK)"])
    }
}
