import Glibc
import Testing
import Twist
import TwistTestSupport

/// `writeSequence` outside a delivery goes out as one write of the parts' concatenation would:
/// one `writev`, not one system call per part (a long netstring is a header, the payload by
/// reference and a comma); inside a delivery, or behind queued bytes, it joins the queue.
@Suite(.timeLimit(.minutes(1))) struct WriteSequenceTests {
    /// Counts the system calls that sent bytes (the reactor reports each one).
    private final class SendCounter: ReactorInstrumentation {
        var sends: [Int] = []
        func connectionAccepted() {}
        func connectionRefusedByFactory() {}
        func connectionOpened() {}
        func connectionClosed(_ reason: ConnectionCloseReason) {}
        func bytesReceived(_ count: Int) {}
        func bytesSent(_ count: Int) { sends.append(count) }
    }

    /// Sends a three-part sequence and a long netstring from outside any delivery.
    private final class Sender: NetstringReceiver {
        static let parts: [[UInt8]] = [Array("head".utf8), [UInt8](repeating: 7, count: 5_000), [UInt8(ascii: "!")]]
        static let payload = (0..<4_000).map { UInt8(truncatingIfNeeded: $0) }

        override func connectionMade() {
            super.connectionMade()
            transport?.writeSequence(Self.parts.map { $0[...] })
            sendString(Self.payload)
        }
    }

    @Test func aSequenceWrittenOutsideADeliveryIsOneSystemCall() async {
        let (a, b) = rawSocketPair()
        defer { close(a); close(b) }
        let sends = Shared<[Int]>([])
        let stopped = await runReactor { reactor in
            let counter = SendCounter()
            reactor.instrumentation = counter
            try reactor.adoptStreamConnection(a, family: .unix, Factory { Sender() })
            reactor.callLater(0) {
                sends.value = counter.sends
                try reactor.stop()
            }
        }
        #expect(stopped)
        let expected = Sender.parts.flatMap { $0 } + Array("4000:".utf8) + Sender.payload + [UInt8(ascii: ",")]
        #expect(sends.value == [5_005, 4_006], "one send per writeSequence: \(sends.value)")
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        _ = fcntl(b, F_SETFL, fcntl(b, F_GETFL) | O_NONBLOCK)
        while received.count < expected.count {
            let count = chunk.withUnsafeMutableBytes { read(b, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        #expect(received == expected)
    }

    /// Writes a sequence to a peer that has already closed, and records how the connection ended.
    private final class LateWriter: Protocol {
        let lost: Shared<[String]>
        init(lost: Shared<[String]>) { self.lost = lost }

        override func connectionMade() {
            transport?.writeSequence([Array("head".utf8)[...], [UInt8](repeating: 1, count: 5_000)[...]])
            // Written after the failure closed the connection: ignored, no second report.
            transport?.writeSequence([Array("more".utf8)[...], Array("!".utf8)[...]])
        }

        override func connectionLost(reason: Failure) {
            lost.mutate { $0.append(reason.check(ConnectionLost.self) != nil ? "ConnectionLost" : "\(reason)") }
        }
    }

    @Test func aSequenceToAPeerThatHasGoneLosesOnlyThatConnectionOnce() async {
        let (a, b) = rawSocketPair()
        defer { close(a) }
        close(b)
        let lost = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            try reactor.adoptStreamConnection(a, family: .unix, Factory { LateWriter(lost: lost) })
            reactor.callLater(0.05) { try reactor.stop() }
        }
        #expect(stopped)
        #expect(lost.value == ["ConnectionLost"])
    }
}
