import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// UNIX datagram sockets (spec item 26) over real sockets in a temporary directory: exchanges
/// both ways, the errors of listening and connecting, the file left after a stop, the size
/// limits, errors in callbacks, abstract names.
@Suite(.timeLimit(.minutes(1))) struct UNIXDatagramTests {
    @Test func aConnectedClientAndAListenerExchangeBothWaysAndSeeEachOthersNames() async {
        let directory = TemporaryDirectory()
        let serverPath = directory.file("server.sock")
        let clientPath = directory.file("client.sock")
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUNIXDatagram(serverPath, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, data, sender in
                log.mutate { $0.append("server got '\(text(data))' from \(sender)") }
                try me.transport!.write(Array("pong".utf8), to: sender)
            }))
            log.mutate { $0.append("server at \(server.address)") }
            let client = RecordingDatagramProtocol(log: log, onStart: { me in
                try me.transport!.write(Array("ping".utf8))
            }, onDatagram: { me, data, sender in
                me.note("client got '\(text(data))' from \(sender)")
                try reactor.stop()
            })
            let port = try reactor.connectUNIXDatagram(serverPath, client, bindAddress: clientPath)
            log.mutate { $0.append("client at \(port.address) connected to \(port.connectedAddress.map { "\($0)" } ?? "-")") }
        }
        #expect(stopped)
        #expect(log.value == [
            "server at unix:\(serverPath)", "start", "client at unix:\(clientPath) connected to unix:\(serverPath)",
            "server got 'ping' from unix:\(clientPath)", "client got 'pong' from unix:\(serverPath)", "stop",
        ])
    }

    @Test func twoListenersWriteToEachOtherByNameAndEmptyDatagramsArrive() async {
        let directory = TemporaryDirectory()
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let echo = try reactor.listenUNIXDatagram(directory.file("echo.sock"), UDPEchoProtocol())
            let sender = RecordingDatagramProtocol(log: log, onStart: { me in
                for message in ["one", "", "three"] { try me.transport!.write(Array(message.utf8), to: echo.address) }
            }, onDatagram: { me, data, from in
                me.note("'\(text(data))' from echo \(from == echo.address)")
                if me.received == 3 { try reactor.stop() }
            })
            _ = try reactor.listenUNIXDatagram(directory.file("sender.sock"), sender)
        }
        #expect(stopped)
        #expect(log.value == ["start", "'one' from echo true", "'' from echo true", "'three' from echo true", "stop"])
    }

    @Test func anUnboundSenderIsUnnamedAndCannotBeAnswered() async {
        let directory = TemporaryDirectory()
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let path = directory.file("server.sock")
            _ = try reactor.listenUNIXDatagram(path, RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, _, sender in
                log.mutate { $0.append("from \(sender)") }
                let answer = thrownName { try me.transport!.write([1], to: sender) }
                log.mutate { $0.append("answer: \(answer)") }
                try reactor.stop()
            }))
            let client = try reactor.connectUNIXDatagram(path, RecordingDatagramProtocol(log: Shared([])))
            log.mutate { $0.append("client at \(client.address)") }
            try client.write(Array("hi".utf8))
        }
        #expect(stopped)
        #expect(log.value == ["client at unix:(unnamed)", "from unix:(unnamed)", "answer: InvalidAddressError"])
    }

    @Test func aTakenPathCannotBeListenedOnAndIsLeftAlone() async {
        let directory = TemporaryDirectory()
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let socketPath = directory.file("taken.sock")
            _ = try reactor.listenUNIXDatagram(socketPath, DatagramProtocol())
            let filePath = directory.file("plain")
            let fd = open(filePath, O_CREAT | O_WRONLY, 0o644)
            close(fd)
            let stalePath = directory.file("stale.sock")
            makeStaleSocketFile(stalePath)
            for (what, path) in [("bound", socketPath), ("file", filePath), ("stale", stalePath)] {
                do {
                    _ = try reactor.listenUNIXDatagram(path, DatagramProtocol())
                    log.mutate { $0.append("\(what): listened") }
                } catch let error as CannotListenError {
                    log.mutate { $0.append("\(what): CannotListenError errno \(error.osError ?? 0) at \(error.address)") }
                }
            }
            log.mutate { $0.append("still there: \(isSocket(socketPath)) \(fileStatus(filePath) != nil) \(isSocket(stalePath))") }
            let missing = directory.file("no/such/dir.sock")
            log.mutate { $0.append("missing directory: \(thrownName { _ = try reactor.listenUNIXDatagram(missing, DatagramProtocol()) })") }
            log.mutate { $0.append("empty: \(thrownName { _ = try reactor.listenUNIXDatagram("", DatagramProtocol()) })") }
            let long = directory.file(String(repeating: "x", count: 120))
            log.mutate { $0.append("too long: \(thrownName { _ = try reactor.listenUNIXDatagram(long, DatagramProtocol()) })") }
            log.mutate { $0.append("size 0: \(thrownName { _ = try reactor.listenUNIXDatagram(directory.file("a"), DatagramProtocol(), maxPacketSize: 0) })") }
            log.mutate { $0.append("nothing made for size 0: \(fileStatus(directory.file("a")) == nil)") }
        }
        #expect(stopped)
        #expect(log.value == [
            "bound: CannotListenError errno \(EADDRINUSE) at unix:\(directory.file("taken.sock"))",
            "file: CannotListenError errno \(EADDRINUSE) at unix:\(directory.file("plain"))",
            "stale: CannotListenError errno \(EADDRINUSE) at unix:\(directory.file("stale.sock"))",
            "still there: true true true",
            "missing directory: CannotListenError", "empty: CannotListenError", "too long: CannotListenError",
            "size 0: InvalidAddressError", "nothing made for size 0: true",
        ])
    }

    @Test func connectingToAMissingOrDeadNameCallsConnectionFailedOnALaterPass() async {
        let directory = TemporaryDirectory()
        let log = Shared<[String]>([])
        let stale = directory.file("stale.sock")
        makeStaleSocketFile(stale)
        let bound = directory.file("bound.sock")
        let stopped = await runReactor { reactor in
            var failures = 0
            for (what, path, bindAddress) in [
                ("missing", directory.file("missing.sock"), nil), ("stale", stale, nil),
                ("missing, bound", directory.file("missing.sock"), bound),
            ] as [(String, String, String?)] {
                let proto = RecordingDatagramProtocol(log: log, onFailed: { me, _ in
                    me.note("\(what): transport nil \(me.transport == nil)")
                    failures += 1
                    if failures == 3 { try reactor.stop() }
                })
                let port = try reactor.connectUNIXDatagram(path, proto, bindAddress: bindAddress)
                proto.note("\(what): returned, stop fired \(port.stopListening().hasFired)")
                proto.note("\(what): write \(thrownName { try port.write([1]) })")
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "missing: returned, stop fired true", "missing: write DatagramStateError",
            "stale: returned, stop fired true", "stale: write DatagramStateError",
            "missing, bound: returned, stop fired true", "missing, bound: write DatagramStateError",
            "failed ConnectError errno \(ENOENT)", "missing: transport nil true",
            "failed ConnectionRefusedError errno \(ECONNREFUSED)", "stale: transport nil true",
            "failed ConnectError errno \(ENOENT)", "missing, bound: transport nil true",
        ])
        #expect(fileStatus(bound) == nil)  // the local name made for the failed connect is gone
    }

    @Test func theSocketFileIsKeptAfterStoppingWithItsModeAndStoppingTwiceStopsOnce() async {
        let directory = TemporaryDirectory()
        let path = directory.file("kept.sock")
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let proto = RecordingDatagramProtocol(log: log)
            let port = try reactor.listenUNIXDatagram(path, proto, mode: 0o600)
            proto.note("mode \(String((fileStatus(path)?.st_mode ?? 0) & 0o777, radix: 8))")
            let first = port.stopListening()
            let second = port.stopListening()
            proto.note("fired at once \(first.hasFired) \(second.hasFired)")
            second.addCallback { proto.note("second fired") }
            first.addCallback {
                proto.note("file kept \(isSocket(path))")
                proto.note("again: \(thrownName { _ = try reactor.listenUNIXDatagram(path, DatagramProtocol()) })")
                unlink(path)
                let again = try reactor.listenUNIXDatagram(path, proto)
                again.stopListening().addCallback { try reactor.stop() }
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "start", "mode 600", "fired at once false false", "stop", "file kept true", "again: CannotListenError",
            "start", "second fired", "stop",
        ])
    }

    @Test func anOversizeDatagramThrowsMessageLengthErrorAndLargeOnesArriveWhole() async {
        let directory = TemporaryDirectory()
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let path = directory.file("big.sock")
            _ = try reactor.listenUNIXDatagram(path, RecordingDatagramProtocol(log: Shared([]), onDatagram: { _, data, _ in
                log.mutate { $0.append("got \(data.count)") }
                try reactor.stop()
            }), maxPacketSize: 100_000)
            let client = try reactor.connectUNIXDatagram(path, RecordingDatagramProtocol(log: Shared([])))
            log.mutate { $0.append("1 MiB: \(thrownName { try client.write([UInt8](repeating: 1, count: 1 << 20)) })") }
            try client.write([UInt8](repeating: 2, count: 90_000))
        }
        #expect(stopped)
        #expect(log.value == ["1 MiB: MessageLengthError", "got 90000"])
    }

    @Test func anErrorInDatagramReceivedDropsOnlyThatDatagram() async {
        struct Boom: Error {}
        let directory = TemporaryDirectory()
        let capture = LogCapture()
        let log = Shared<[String]>([])
        let stopped = await runReactor(logger: capture.logger()) { reactor in
            let path = directory.file("server.sock")
            _ = try reactor.listenUNIXDatagram(path, RecordingDatagramProtocol(log: log, onDatagram: { me, data, _ in
                me.note(text(data))
                if text(data) == "bad" { throw Boom() }
                try reactor.stop()
            }))
            let client = try reactor.connectUNIXDatagram(path, RecordingDatagramProtocol(log: Shared([])))
            try client.write(Array("bad".utf8))
            try client.write(Array("good".utf8))
        }
        #expect(stopped)
        #expect(log.value == ["start", "bad", "good", "stop"])
        let errors = capture.records.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.metadata["error"].map { "\($0)" }?.contains("Boom") == true)
    }

    @Test func anAbstractNameExchangesWithNoFile() async {
        let name = uniqueAbstractName()
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = try reactor.listenUNIXDatagram(name, UDPEchoProtocol(), mode: 0o600)
            log.mutate { $0.append("abstract \(server.address.unix?.isAbstract == true) text kept \(server.address.unix?.text == name)") }
            let client = RecordingDatagramProtocol(log: log, onStart: { me in
                try me.transport!.write(Array("hello".utf8))
            }, onDatagram: { me, data, sender in
                me.note("'\(text(data))' from server \(sender == server.address)")
                try reactor.stop()
            })
            _ = try reactor.connectUNIXDatagram(name, client, bindAddress: uniqueAbstractName())
        }
        #expect(stopped)
        #expect(log.value == ["abstract true text kept true", "start", "'hello' from server true", "stop"])
    }

    @Test func aFullPeerDropsTheDatagramWithATypedErrorAndThePortKeepsServing() async {
        let directory = TemporaryDirectory()
        let deaf = rawSocket(AF_UNIX, SOCK_DGRAM, boundTo: directory.file("deaf.sock"))  // never reads
        defer { close(deaf.fd) }
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let echo = try reactor.listenUNIXDatagram(directory.file("echo.sock"), UDPEchoProtocol())
            let proto = RecordingDatagramProtocol(log: log, onDatagram: { me, data, _ in
                me.note("echo '\(text(data))'")
                try reactor.stop()
            })
            let port = try reactor.listenUNIXDatagram(directory.file("me.sock"), proto)
            var sent = 0
            var dropped: (any Error)?
            while dropped == nil, sent < 100_000 {
                do {
                    try port.write(Array("x".utf8), to: .unix(directory.file("deaf.sock")))
                    sent += 1
                } catch {
                    dropped = error
                }
            }
            proto.note("sent some \(sent > 0), then \(dropped.map { "\(type(of: $0)) errno \(($0 as? NetworkError)?.osError ?? 0)" } ?? "nothing")")
            try port.write(Array("still here".utf8), to: echo.address)
        }
        #expect(stopped)
        #expect(log.value == ["start", "sent some true, then DatagramDroppedError errno \(EAGAIN)", "echo 'still here'", "stop"])
    }

    @Test func sendingToANameNobodyServesThrowsAndAConnectedPortHearsItsPeerGo() async {
        let directory = TemporaryDirectory()
        let stale = directory.file("stale.sock")
        makeStaleSocketFile(stale)
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let path = directory.file("server.sock")
            let port = try reactor.listenUNIXDatagram(directory.file("me.sock"), DatagramProtocol())
            for (what, target) in [("missing", directory.file("missing.sock")), ("stale", stale)] {
                do {
                    try port.write([1], to: .unix(target))
                    log.mutate { $0.append("\(what): sent") }
                } catch let error as DatagramSendError {
                    log.mutate { $0.append("\(what): \(type(of: error)) errno \(error.osError ?? 0)") }
                }
            }
            log.mutate { $0.append("udp address: \(thrownName { try port.write([1], to: .ipv4("127.0.0.1", 9)) })") }
            log.mutate { $0.append("connect host: \(thrownName { try port.connect(host: "127.0.0.1", port: 9) })") }
            log.mutate { $0.append("multicast: \(port is any MulticastTransport)") }
            let server = try reactor.listenUNIXDatagram(path, DatagramProtocol())
            let client = try reactor.connectUNIXDatagram(path, RecordingDatagramProtocol(log: log))
            server.stopListening().addCallback {
                log.mutate { $0.append("server stopped") }
                let written = thrownName { try client.write([1]) }  // outside mutate: it notes "refused" first
                log.mutate { $0.append("write: \(written)") }
                try reactor.stop()
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "missing: DatagramSendError errno \(ENOENT)", "stale: DatagramSendError errno \(ECONNREFUSED)",
            "udp address: InvalidAddressError", "connect host: InvalidAddressError", "multicast: false",
            "start", "server stopped", "refused", "write: no error", "stop",
        ])
    }
}
