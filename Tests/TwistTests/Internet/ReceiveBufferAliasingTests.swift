import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// A protocol that writes back a view of what it received (an echo) to a peer that does not read:
/// what is left queued is copied out of the reactor's shared receive buffer, so the buffer is
/// neither kept alive by the slow connection nor copied whole by the next read; and every byte
/// still arrives, in order.
@Suite(.timeLimit(.minutes(1))) struct ReceiveBufferAliasingTests {
    /// Drives the slow peer on the reactor thread: sends everything it can without reading,
    /// then reads the whole echo back.
    private final class SlowPeer {
        let fd: Int32
        let payload: [UInt8]
        var sent = 0
        var received: [UInt8] = []
        var addressesSeen: Set<Int> = []

        init(fd: Int32, payload: [UInt8]) {
            self.fd = fd
            self.payload = payload
        }

        /// One step: write while the socket takes bytes; once all is sent, read what came back.
        /// Returns true when the whole echo is in.
        func step(_ reactor: Reactor) -> Bool {
            addressesSeen.insert(reactor.ioResources.receiveBufferAddress)
            while sent < payload.count {
                let count = payload[sent...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, min($0.count, 65_536)) }
                guard count > 0 else { return false }  // full: the echo side is backed up
                sent += count
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                received += chunk[..<count]
            }
            return received.count == payload.count
        }
    }

    @Test func anEchoThatASlowPeerHasNotTakenDoesNotPinTheSharedReceiveBuffer() async {
        let (a, b) = rawSocketPair()
        defer { close(a); close(b) }
        _ = fcntl(b, F_SETFL, fcntl(b, F_GETFL) | O_NONBLOCK)
        let payload = (0..<(2 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let outcome = Shared<(received: [UInt8], addresses: Int)>(([], 0))
        let stopped = await runReactor(timeout: 30) { reactor in
            try reactor.adoptStreamConnection(a, family: .unix, Factory { EchoProtocol() })
            let peer = SlowPeer(fd: b, payload: payload)
            func next() {
                if peer.step(reactor) {
                    outcome.value = (peer.received, peer.addressesSeen.count)
                    try? reactor.stop()
                } else {
                    reactor.callLater(0.001) { next() }
                }
            }
            next()
        }
        #expect(stopped)
        #expect(outcome.value.received.count == payload.count)
        #expect(outcome.value.received == payload)
        // Before the fix, every read after a backed-up echo found the buffer shared, copied it,
        // and kept the copy: the buffer's address changed again and again.
        #expect(outcome.value.addresses == 1, "the receive buffer moved \(outcome.value.addresses - 1) times")
    }
}
