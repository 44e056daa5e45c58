import Twist

/// Sends `count` datagrams (``TwistedUDPPeer/datagram(_:)``) to an echo server one at a time and
/// checks that each comes back byte for byte, from the server's address, within `echoTimeout`
/// seconds, before sending the next. Reports exactly one verdict: "echoed N", or what went
/// wrong. With `connected`, the port first connects to the server and writes with no address.
final class UDPEchoChecker: DatagramProtocol {
    /// Where the exchange stands.
    private enum Phase {
        case idle
        case awaiting(index: Int, timer: DelayedCall)
        case finished
    }

    private let reactor: Reactor
    private let server: Address
    private let count: Int
    private let connected: Bool
    private let echoTimeout: Double
    private let report: (String) -> Void
    private var phase = Phase.idle

    init(reactor: Reactor, server: Address, count: Int, connected: Bool, echoTimeout: Double = 10, report: @escaping (String) -> Void) {
        self.reactor = reactor
        self.server = server
        self.count = count
        self.connected = connected
        self.echoTimeout = echoTimeout
        self.report = report
    }

    override func startProtocol() {
        do {
            if connected { try transport?.connect(host: server.ip!.host, port: server.port!) }
            try send(0)
        } catch {
            finish("could not start: \(error)")
        }
    }

    override func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {
        guard case .awaiting(let index, _) = phase else { return }
        let expected = TwistedUDPPeer.datagram(index)
        guard sender == server else { return finish("datagram \(index) came back from \(sender)") }
        guard data.elementsEqual(expected) else {
            return finish("datagram \(index) differs: \(data.count) bytes, expected \(expected.count)")
        }
        if index + 1 == count {
            finish("echoed \(count)")
        } else {
            cancelTimer()
            try send(index + 1)
        }
    }

    override func connectionRefused() {
        guard case .awaiting(let index, _) = phase else { return }
        finish("refused at datagram \(index)")
    }

    private func send(_ index: Int) throws {
        let data = TwistedUDPPeer.datagram(index)
        if connected {
            try transport?.write(data)
        } else {
            try transport?.write(data, to: server)
        }
        let timer = reactor.callLater(echoTimeout) { [weak self] in
            self?.finish("no echo for datagram \(index) (\(data.count) bytes) within \(self?.echoTimeout ?? 0) s")
        }
        phase = .awaiting(index: index, timer: timer)
    }

    private func cancelTimer() {
        if case .awaiting(_, let timer) = phase, timer.isActive { try? timer.cancel() }
    }

    private func finish(_ verdict: String) {
        if case .finished = phase { return }
        cancelTimer()
        phase = .finished
        report(verdict)
    }
}
