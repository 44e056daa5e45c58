import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// Listening on UNIX sockets: the socket file's mode, what is already at the path, stopping, the
/// lock file, and names the kernel cannot take.
@Suite(.timeLimit(.minutes(1))) struct UNIXPortTests {
    /// Runs `body` on a fresh reactor, stopping it afterwards; the result is what `body` stored.
    private func onReactor(_ body: @escaping @Sendable (Reactor) throws -> Void) async -> Bool {
        await runReactor { reactor in
            defer { reactor.callLater(0.05) { try reactor.stop() } }
            try body(reactor)
        }
    }

    /// What `listenUNIX` threw, as "<type> <errno> <detail>".
    private func listenError(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as NetworkError {
            return "\(type(of: error)) \(error.osError.map(String.init) ?? "-") \(error.detail ?? "")"
        } catch {
            return "\(error)"
        }
    }

    @Test(arguments: [0o600, 0o666, 0o640, 0o777])
    func theSocketFileGetsExactlyTheModeWhateverTheUmask(mode: Int) async {
        let directory = TemporaryDirectory()
        let path = directory.file("mode.sock")
        let seen = Shared<mode_t?>(nil)
        let stopped = await onReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { EchoProtocol() }, mode: mode)
            seen.value = fileStatus(path).map { $0.st_mode & 0o7777 }
        }
        #expect(stopped)
        #expect(seen.value == mode_t(mode))
    }

    @Test func anythingAtThePathWithoutWantPIDIsCannotListenErrorAndIsLeftAlone() async {
        let directory = TemporaryDirectory()
        let regular = directory.file("regular")
        let stale = directory.file("stale.sock")
        let live = directory.file("live.sock")
        let fd = open(regular, O_CREAT | O_WRONLY, 0o644)
        _ = write(fd, "keep", 4)
        close(fd)
        makeStaleSocketFile(stale)
        let errors = Shared<[String?]>([])
        let stopped = await onReactor { reactor in
            _ = try reactor.listenUNIX(live, Factory { EchoProtocol() })
            for path in [regular, stale, live] {
                let error = listenError { _ = try reactor.listenUNIX(path, Factory { EchoProtocol() }) }
                errors.mutate { $0.append(error) }
            }
        }
        #expect(stopped)
        for error in errors.value {
            #expect(error?.hasPrefix("CannotListenError \(EADDRINUSE) ") == true, "\(error ?? "no error")")
        }
        #expect(fileStatus(regular)?.st_size == 4)
        #expect(isSocket(stale))
    }

    @Test func stoppingRemovesTheFileFiresLaterAndIsHarmlessTwiceOrWhenTheFileIsGone() async {
        let directory = TemporaryDirectory()
        let path = directory.file("stop.sock")
        let other = directory.file("other.sock")
        let order = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            final class Counting: Factory {
                let order: Shared<[String]>
                init(_ order: Shared<[String]>) { self.order = order; super.init { EchoProtocol() } }
                override func stopFactory() { order.mutate { $0.append("stopFactory") } }
            }
            let port = try reactor.listenUNIX(path, Counting(order))
            order.mutate { $0.append("exists \(isSocket(path))") }
            port.stopListening().addCallback { order.mutate { $0.append("first fired") } }
            order.mutate { $0.append("returned, exists \(isSocket(path))") }
            port.stopListening().addCallback { order.mutate { $0.append("second fired") } }
            // Someone else removes the file of a second port before it stops.
            let second = try reactor.listenUNIX(other, Factory { EchoProtocol() })
            unlink(other)
            second.stopListening().addCallback {
                order.mutate { $0.append("gone fired") }
                try? reactor.stop()
            }
        }
        #expect(stopped)
        #expect(order.value == [
            "exists true", "stopFactory", "returned, exists false", "first fired", "second fired", "gone fired",
        ])
    }

    @Test func anAcceptedConnectionKeepsWorkingAfterThePortStops() async {
        let directory = TemporaryDirectory()
        let path = directory.file("survive.sock")
        let log = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            let port = try reactor.listenUNIX(path, Factory { EchoProtocol() })
            let client = RecordingClientFactory(notes: Shared([])) {
                // The echo of "a" shows the server accepted; then the port stops, and the
                // connection goes on.
                RecordingClient(log: log, onConnected: { $0.transport?.write("a".utf8) }, onData: { me, _ in
                    if log.value.received.count == 1 {
                        port.stopListening().addCallback {
                            #expect(!isSocket(path))
                            me.transport?.write(" still here".utf8)
                        }
                    }
                    if log.value.received.count == 12 { try reactor.stop() }
                })
            }
            reactor.connectUNIX(path, client)
        }
        #expect(stopped)
        #expect(log.value.received == Array("a still here".utf8))
    }

    @Test func aNameLongerThanTheKernelTakesIsCannotListenErrorWithAClearReason() async {
        let directory = TemporaryDirectory()
        let long = directory.file(String(repeating: "x", count: 120))
        let abstract = "\0" + String(repeating: "y", count: 120)
        let errors = Shared<[String?]>([])
        let stopped = await onReactor { reactor in
            for name in [long, abstract, ""] {
                let error = listenError { _ = try reactor.listenUNIX(name, Factory { EchoProtocol() }) }
                errors.mutate { $0.append(error) }
            }
        }
        #expect(stopped)
        #expect(errors.value[0]?.contains("at most 108") == true, "\(errors.value)")
        #expect(errors.value[1]?.contains("at most 108") == true, "\(errors.value)")
        #expect(errors.value[2]?.hasPrefix("CannotListenError") == true, "\(errors.value)")
    }

    @Test func theLongestPathTheKernelTakesWorks() async {
        let directory = TemporaryDirectory()
        let base = directory.path + "/"
        let path = base + String(repeating: "z", count: 108 - base.utf8.count)
        let log = Shared(ConnectionLog())
        let stopped = await runReactor { reactor in
            let port = try reactor.listenUNIX(path, Factory { EchoProtocol() })
            #expect(port.address == .unix(path))
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: log, onConnected: { $0.transport?.write([7]) }, onData: { _, _ in try reactor.stop() })
            })
        }
        #expect(stopped)
        #expect(log.value.received == [7])
    }

    // MARK: The lock file (wantPID)

    @Test func wantPIDTakesTheLockAndReleasesItWhenThePortStops() async {
        let directory = TemporaryDirectory()
        let path = directory.file("locked.sock")
        let seen = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenUNIX(path, Factory { EchoProtocol() }, wantPID: true)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = readlink(path + ".lock", &buffer, 63)
            seen.mutate { $0.append(String(decoding: buffer.prefix(max(count, 0)).map(UInt8.init), as: UTF8.self)) }
            // Held by a live process (this one): a second port cannot take it.
            let again = listenError { _ = try reactor.listenUNIX(path, Factory { EchoProtocol() }, wantPID: true) }
            seen.mutate { $0.append(again ?? "no error") }
            port.stopListening().addCallback {
                seen.mutate { $0.append("lock after stop: \(fileStatus(path + ".lock") != nil)") }
                try? reactor.stop()
            }
        }
        #expect(stopped)
        #expect(seen.value.count == 3)
        #expect(seen.value.first == String(getpid()))
        #expect(seen.value.dropFirst().first?.hasPrefix("CannotListenError - Cannot acquire lock") == true, "\(seen.value)")
        #expect(seen.value.last == "lock after stop: false")
    }

    @Test func aStaleLockIsReplacedAndTheStaleSocketRemoved() async {
        let directory = TemporaryDirectory()
        let path = directory.file("stale.sock")
        makeStaleSocketFile(path)
        // A process ID above any pid_max: certainly dead.
        #expect(symlink("2147483000", path + ".lock") == 0)
        let log = Shared(ConnectionLog())
        let lockTarget = Shared<String>("")
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { EchoProtocol() }, wantPID: true)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = readlink(path + ".lock", &buffer, 63)
            lockTarget.value = String(decoding: buffer.prefix(max(count, 0)).map(UInt8.init), as: UTF8.self)
            reactor.connectUNIX(path, RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: log, onConnected: { $0.transport?.write([1]) }, onData: { _, _ in try reactor.stop() })
            }, checkPID: true)
        }
        #expect(stopped)
        #expect(lockTarget.value == String(getpid()))
        #expect(log.value.received == [1])
    }

    @Test func aStaleLockNeverRemovesARegularFile() async {
        let directory = TemporaryDirectory()
        let path = directory.file("regular")
        close(open(path, O_CREAT | O_WRONLY, 0o644))
        #expect(symlink("2147483000", path + ".lock") == 0)
        let error = Shared<String?>(nil)
        let stopped = await onReactor { reactor in
            error.value = listenError { _ = try reactor.listenUNIX(path, Factory { EchoProtocol() }, wantPID: true) }
        }
        #expect(stopped)
        #expect(error.value?.hasPrefix("CannotListenError \(EADDRINUSE)") == true, "\(error.value ?? "no error")")
        #expect(fileStatus(path).map { $0.st_mode & S_IFMT == S_IFREG } == true)
        // The failed port let go of the lock it took.
        #expect(fileStatus(path + ".lock") == nil)
    }

    @Test func anAbstractNameWithWantPIDThrowsInvalidAddressError() async {
        let error = Shared<String?>(nil)
        let stopped = await onReactor { reactor in
            error.value = listenError { _ = try reactor.listenUNIX(uniqueAbstractName(), Factory { EchoProtocol() }, wantPID: true) }
        }
        #expect(stopped)
        #expect(error.value?.hasPrefix("InvalidAddressError") == true, "\(error.value ?? "no error")")
    }

    @Test func theLogLinesNameThePath() async {
        let directory = TemporaryDirectory()
        let path = directory.file("log.sock")
        let capture = LogCapture()
        let stopped = await runReactor(logger: capture.logger()) { reactor in
            let port = try reactor.listenUNIX(path, Factory { EchoProtocol() })
            _ = port.stopListening().addCallback { try? reactor.stop() }
        }
        #expect(stopped)
        let messages = capture.records.map(\.message)
        #expect(messages.contains { $0.hasSuffix("starting on \(path)") }, "\(messages)")
        #expect(messages.contains("(UNIX Port \(path) Closed)"), "\(messages)")
    }
}
