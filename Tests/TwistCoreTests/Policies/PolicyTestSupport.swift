import Testing
import TwistCore
import TwistTesting

/// Records what the protocol behind a policy wrapper sees.
class PolicyRecorder: Protocol {
    /// Thrown by ``dataReceived(_:)`` when set.
    var dataError: (any Error)?
    var connectionsMade = 0
    var received: [UInt8] = []
    var reasons: [Failure] = []

    override func connectionMade() { connectionsMade += 1 }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        received.append(contentsOf: data)
        if let dataError { throw dataError }
    }

    override func connectionLost(reason: Failure) { reasons.append(reason) }
}

/// A recorder that is half-closeable.
final class HalfCloseablePolicyRecorder: PolicyRecorder, HalfCloseableProtocol {
    var readsLost = 0
    func readConnectionLost() throws { readsLost += 1 }
    func writeConnectionLost() throws {}
}

/// A factory of recorders that counts how often it was asked, and can refuse.
final class CountingFactory: Factory {
    var asked = 0
    var built: [PolicyRecorder] = []
    var refuses = false
    var halfCloseable = false

    override func buildProtocol(address: Address) -> Protocol? {
        asked += 1
        guard !refuses else { return nil }
        let recorder = halfCloseable ? HalfCloseablePolicyRecorder() : PolicyRecorder()
        recorder.factory = self
        built.append(recorder)
        return recorder
    }
}

/// What a test protocol throws.
struct PolicyTestError: Error, Equatable {}

/// A push producer that records how it was driven.
final class RecordingPushProducer: PushProducer {
    var pauses = 0
    var resumes = 0
    var stops = 0
    var isPaused = false
    func pauseProducing() { pauses += 1; isPaused = true }
    func resumeProducing() { resumes += 1; isPaused = false }
    func stopProducing() { stops += 1 }
}

/// A pull producer that records how it was driven.
final class RecordingPullProducer: PullProducer {
    var resumes = 0
    func resumeProducing() { resumes += 1 }
    func stopProducing() {}
}

/// Builds a protocol from `factory` for `peer` and connects it to a fresh `StringTransport`
/// (with that peer) that delivers `connectionLost` when closed.
func connectPolicy(_ factory: Factory, peer: Address = .ipv4("192.0.2.1", 40000)) throws -> (wrapper: Protocol, transport: StringTransport) {
    let built = try #require(factory.buildProtocol(address: peer))
    let transport = StringTransport(peer: peer, disconnectsProtocol: true)
    transport.connect(built)
    return (built, transport)
}

extension Array where Element == UInt8 {
    /// The bytes of `text` in UTF-8.
    static func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }
}
