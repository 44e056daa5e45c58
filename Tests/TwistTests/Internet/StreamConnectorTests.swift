import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// The connector engine itself, with a socket kind that never finds its address: the timeout and
/// a late answer for an abandoned attempt (UNIX connects never wait, so only this reaches them).
@Suite(.timeLimit(.minutes(1))) struct StreamConnectorTests {
    /// A kind whose resolution is held until the test completes it.
    struct HeldKind: StreamConnectorKind {
        let pending: Shared<[UncheckedTransfer<(Result<SystemAddress, NetworkError>) -> Void>]>

        var destination: Address { .unix("held") }

        func resolve(on reactor: Reactor, _ completion: @escaping (Result<SystemAddress, NetworkError>) -> Void) {
            pending.mutate { $0.append(UncheckedTransfer(completion)) }
        }

        func prepare(_ fd: Int32) -> NetworkError? { nil }
        func connectFailure(_ code: Int32) -> NetworkError { ConnectError(osError: code) }
        func connectedPeer(_ fd: Int32) -> Address { destination }

        func makeConnection(
            fd: Int32, peer: Address, protocol: Protocol, reactor: Reactor, onClosed: @escaping (Failure) -> Void
        ) -> StreamConnection {
            UNIXConnection(fd: fd, host: .unix(.unnamed), peer: peer, protocol: `protocol`, reactor: reactor, onClosed: onClosed)
        }
    }

    @Test func theTimeoutEndsAnAttemptThatNeverGetsAnAddressAndALateAnswerIsIgnored() async {
        let notes = Shared<[String]>([])
        let pending = Shared<[UncheckedTransfer<(Result<SystemAddress, NetworkError>) -> Void>]>([])
        let stopped = await runReactor { reactor in
            let connector = StreamConnector(
                kind: HeldKind(pending: pending), factory: RecordingFailures(notes, Shared([])), timeout: 0.05,
                reactor: reactor
            )
            connector.connect()
            reactor.callLater(0.2) {
                // The abandoned attempt hears its answer now: nothing happens.
                pending.value.first?.value(.failure(ConnectError("late")))
                reactor.callLater(0.05) { try reactor.stop() }
            }
        }
        #expect(stopped)
        #expect(notes.value == ["startedConnecting", "failed: ConnectTimeoutError"])
    }
}
