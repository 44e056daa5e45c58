import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// Connecting to UNIX sockets: every failure reaches `clientConnectionFailed`, on a later loop
/// pass, with the right error.
@Suite(.timeLimit(.minutes(1))) struct UNIXConnectorTests {
    /// Connects to `name` expecting failure; returns the notes, the errno, and whether the failure
    /// arrived after `connectUNIX` returned.
    private func failingConnect(_ name: String, checkPID: Bool = false) async -> (notes: [String], errno: Int32?, later: Bool) {
        let notes = Shared<[String]>([])
        let osErrors = Shared<[Int32?]>([])
        let returned = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            reactor.connectUNIX(name, FailureRecordingFactory(notes, osErrors, reactor), checkPID: checkPID)
            returned.value = notes.value
        }
        #expect(stopped)
        return (notes.value, osErrors.value.first ?? nil, returned.value == ["startedConnecting"])
    }

    @Test func aMissingPathIsAPlainConnectErrorWithENOENT() async {
        let directory = TemporaryDirectory()
        let result = await failingConnect(directory.file("nobody.sock"))
        #expect(result.notes == ["startedConnecting", "failed: ConnectError"])
        #expect(result.errno == ENOENT)
        #expect(result.later)
    }

    @Test func aStaleSocketFileIsConnectionRefused() async {
        let directory = TemporaryDirectory()
        let path = directory.file("stale.sock")
        makeStaleSocketFile(path)
        let result = await failingConnect(path)
        #expect(result.notes == ["startedConnecting", "failed: ConnectionRefusedError"])
        #expect(result.errno == ECONNREFUSED)
        #expect(result.later)
    }

    @Test func anAbstractNameNobodyListensOnIsConnectionRefused() async {
        let result = await failingConnect(uniqueAbstractName())
        #expect(result.notes == ["startedConnecting", "failed: ConnectionRefusedError"])
    }

    @Test func aFullBacklogIsConnectionRefused() async {
        let name = uniqueAbstractName()
        // A listener nobody accepts from, with the smallest backlog.
        let listener = rawUNIXSocket(boundTo: name)
        #expect(listener >= 0)
        #expect(listen(listener, 0) == 0)
        defer { close(listener) }
        let notes = Shared<[String]>([])
        let osErrors = Shared<[Int32?]>([])
        let stopped = await runReactor { reactor in
            // The first few fill the backlog; the next ones find it full (EAGAIN).
            for _ in 0..<4 {
                reactor.connectUNIX(name, RecordingFailures(notes, osErrors))
            }
            reactor.callLater(0.2) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(notes.value.contains("failed: ConnectionRefusedError"), "\(notes.value)")
        #expect(osErrors.value.contains(EAGAIN), "\(osErrors.value)")
    }

    @Test func checkPIDWithoutALiveLockIsBadFileError() async {
        let directory = TemporaryDirectory()
        let path = directory.file("nolock.sock")
        let dead = directory.file("dead.sock")
        #expect(symlink("2147483000", dead + ".lock") == 0)
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            // Listening, but without a lock: checkPID refuses it all the same.
            _ = try reactor.listenUNIX(path, Factory { EchoProtocol() })
            _ = try reactor.listenUNIX(dead, Factory { EchoProtocol() })
            reactor.connectUNIX(path, RecordingFailures(notes, Shared([])), checkPID: true)
            reactor.connectUNIX(dead, RecordingFailures(notes, Shared([])), checkPID: true)
            reactor.callLater(0.1) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "startedConnecting", "failed: BadFileError", "failed: BadFileError"])
    }

    @Test func aNameTooLongIsAConnectErrorSayingSo() async {
        let notes = Shared<[String]>([])
        let reason = Shared<String>("")
        let stopped = await runReactor { reactor in
            final class Recording: RecordingClientFactory {
                let reason: Shared<String>
                let reactor: Reactor
                init(_ notes: Shared<[String]>, _ reason: Shared<String>, _ reactor: Reactor) {
                    self.reason = reason
                    self.reactor = reactor
                    super.init(notes: notes) { nil }
                }
                override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
                    super.clientConnectionFailed(connector, reason: reason)
                    self.reason.value = "\(reason.error)"
                    try? reactor.stop()
                }
            }
            reactor.connectUNIX("/tmp/" + String(repeating: "q", count: 200), Recording(notes, reason, reactor))
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: ConnectError"])
        #expect(reason.value.contains("at most 108"), "\(reason.value)")
    }

    @Test func stopConnectingBeforeTheAttemptRunsFailsWithUserErrorOnly() async {
        let directory = TemporaryDirectory()
        let notes = Shared<[String]>([])
        let destination = Shared<Address?>(nil)
        let stopped = await runReactor { reactor in
            // Would fail with ENOENT on the next pass; stopping first wins, and only once.
            let connector = reactor.connectUNIX(directory.file("missing.sock"), RecordingFailures(notes, Shared([])))
            destination.value = connector.destination
            try connector.stopConnecting()
            reactor.callLater(0.05) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: UserError"])
        #expect(destination.value == .unix(directory.file("missing.sock")))
    }

    @Test func aConnectorCanReconnectAfterItsConnectionIsLost() async {
        let directory = TemporaryDirectory()
        let path = directory.file("again.sock")
        let notes = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { EchoProtocol() })
            final class Again: RecordingClientFactory {
                let reactor: Reactor
                var rounds = 0
                init(_ notes: Shared<[String]>, _ reactor: Reactor) {
                    self.reactor = reactor
                    super.init(notes: notes) {
                        RecordingClient(log: Shared(ConnectionLog()), onConnected: { $0.transport?.loseConnection() })
                    }
                }
                override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
                    super.clientConnectionLost(connector, reason: reason)
                    rounds += 1
                    if rounds < 2 { connector.connect() } else { try? reactor.stop() }
                }
            }
            reactor.connectUNIX(path, Again(notes, reactor))
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "lost: ConnectionDone", "startedConnecting", "lost: ConnectionDone"])
    }
}

/// A client factory that records failures and their `errno` without stopping anything.
final class RecordingFailures: RecordingClientFactory {
    let osErrors: Shared<[Int32?]>

    init(_ notes: Shared<[String]>, _ osErrors: Shared<[Int32?]>) {
        self.osErrors = osErrors
        super.init(notes: notes) { EchoProtocol() }
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        super.clientConnectionFailed(connector, reason: reason)
        osErrors.mutate { $0.append(reason.check(NetworkError.self)?.osError) }
    }
}
