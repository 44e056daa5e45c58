import Foundation
import Testing
import Twist
import TwistTestSupport

/// UDP wire compatibility with Python Twisted's `DatagramProtocol`, over loopback, both ways: a
/// Twist client (plain and connected UDP) against a Twisted echo server, a Twisted client (plain
/// and connected) against a Twist echo server, over 127.0.0.1 and ::1; datagrams longer than the
/// reader's limit cut to it on both sides; a multicast group with a Twisted member and a Twist
/// member. Every echo is checked byte for byte, for datagrams of 0 to 8,192 bytes. Needs
/// `python3` with Twisted (`python3 -m pip install twisted`); without it these tests are skipped,
/// not passed.
@Suite(
    .serialized, .timeLimit(.minutes(1)),
    .enabled(if: TwistedUDPPeer.isAvailable, "Python Twisted is not installed (python3 -m pip install twisted)")
)
struct TwistedUDPInteropTests {
    /// Ten rounds of every size in ``TwistedUDPPeer/sizes``.
    static let count = 10 * TwistedUDPPeer.sizes.count

    @Test func aTwistClientChecksEveryEchoOfATwistedEchoServer() async throws {
        let result = try await twistClientAgainstTwistedServer(connected: false)
        #expect(result.verdict == "echoed \(Self.count)")
        #expect(result.serverStatus == 0)
        #expect(result.serverSaid == "ECHOED \(Self.count)", "the Twisted server echoed each datagram once")
    }

    @Test func aConnectedTwistClientChecksEveryEchoOfATwistedEchoServer() async throws {
        let result = try await twistClientAgainstTwistedServer(connected: true)
        #expect(result.verdict == "echoed \(Self.count)")
        #expect(result.serverStatus == 0)
        #expect(result.serverSaid == "ECHOED \(Self.count)", "the Twisted server echoed each datagram once")
    }

    @Test func aTwistedClientChecksEveryEchoOfATwistEchoServer() async throws {
        let result = try await twistedClientAgainstTwistServer(["client"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ECHOED \(Self.count)"), "\(result.output)")
        #expect(result.echoed == Self.count, "the Twist server echoed each datagram once")
    }

    @Test func aConnectedTwistedClientChecksEveryEchoOfATwistEchoServer() async throws {
        let result = try await twistedClientAgainstTwistServer(["client", "connected"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ECHOED \(Self.count)"), "\(result.output)")
        #expect(result.echoed == Self.count, "the Twist server echoed each datagram once")
    }

    @Test func aTwistClientChecksEveryEchoOfATwistedEchoServerOverIPv6() async throws {
        let result = try await twistClientAgainstTwistedServer(connected: false, host: "::1")
        #expect(result.verdict == "echoed \(Self.count)")
        #expect(result.serverStatus == 0)
        #expect(result.serverSaid == "ECHOED \(Self.count)", "the Twisted server echoed each datagram once")
    }

    @Test func aConnectedTwistedClientChecksEveryEchoOfATwistEchoServerOverIPv6() async throws {
        let result = try await twistedClientAgainstTwistServer(["client", "connected", "::1"], interface: "::1")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ECHOED \(Self.count)"), "\(result.output)")
        #expect(result.echoed == Self.count, "the Twist server echoed each datagram once")
    }

    @Test func aDatagramLongerThanATwistPortsLimitReachesItCutToTheLimitAsInTwisted() async throws {
        let reactor = Reactor()
        let port = Shared(0)
        reactor.callWhenRunning {
            port.value = try reactor.listenUDP(0, UDPEchoProtocol(), interface: "127.0.0.1", maxPacketSize: 1000).address.port!
        }
        let running = startReactorThread(reactor, timeout: 50)
        try await waitUntil { port.value != 0 }
        let result = try await TwistedUDPPeer.run(["oversize", "\(port.value)", "1200"])
        stopFromOutside(reactor)
        #expect(!(await running.value).timedOut)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output == "ECHO 1000 prefix\n")
    }

    @Test func aDatagramLongerThanATwistedPortsLimitComesBackCutToItsEightKilobytes() async throws {
        let server = try TwistedUDPPeer.start(["echo-server"])
        defer { server.terminateIfRunning() }
        let port = try await server.readPort()
        let sent = (0..<9000).map { UInt8($0 % 251) }
        let answer = Shared<[UInt8]?>(nil)
        let stopped = await runReactor(timeout: 30) { reactor in
            let serverAddress = Address.ipv4("127.0.0.1", port)
            let client = RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, data, _ in
                answer.value = Array(data)
                try me.transport?.write(TwistedUDPPeer.stopDatagram, to: serverAddress)
                try reactor.stop()
            })
            try reactor.listenUDP(0, client, interface: "127.0.0.1").write(sent, to: serverAddress)
        }
        #expect(stopped)
        #expect(answer.value == Array(sent.prefix(8192)), "Twisted reads 8,192 bytes by default; got \(answer.value?.count ?? 0)")
        #expect(await server.readLine() == "ECHOED 1")
        #expect(await server.waitForExit(timeout: 10) == 0)
    }

    @Test(.enabled(
        if: UDPMulticastTests.loopbackCarriesMulticast,
        "skipped: the lo interface lacks the MULTICAST flag here (`ip link set lo multicast on` enables it), so no group datagram can arrive over loopback"
    ))
    func aTwistMemberAndATwistedMemberOfOneGroupHearEachOther() async throws {
        let group = "228.0.0.43"
        let reactor = Reactor()
        let port = Shared(0)
        let twistedJoined = Shared(false)
        let heard = Shared<[String]>([])
        reactor.callWhenRunning {
            let listener = RecordingDatagramProtocol(log: Shared([]), onDatagram: { _, data, _ in
                heard.mutate { $0.append(text(data)) }
            })
            let member = try reactor.listenMulticast(0, listener, interface: "", listenMultiple: true)
            for deferred in [member.joinGroup(group, interface: "127.0.0.1"), member.setOutgoingInterface("127.0.0.1")] {
                deferred.addErrback { failure in heard.mutate { $0.append("failed: \(failure.error)") } }
            }
            port.value = member.address.port!
            // The port stays on the reactor thread: it speaks once the Twisted member has joined.
            func speakOnceTwistedJoined() {
                guard twistedJoined.value else {
                    _ = reactor.callLater(0.01) { speakOnceTwistedJoined() }
                    return
                }
                do {
                    try member.write(Array("hello from twist".utf8), to: .ipv4(group, member.address.port!))
                } catch {
                    heard.mutate { $0.append("write failed: \(error)") }
                }
            }
            speakOnceTwistedJoined()
        }
        let running = startReactorThread(reactor, timeout: 40)
        var twistedHeard = "", twistedStatus: Int32?
        do {
            try await waitUntil { port.value != 0 }
            let twisted = try TwistedUDPPeer.start(["multicast-member", group, "\(port.value)"])
            defer { twisted.terminateIfRunning() }
            let joined = await twisted.readLine()
            #expect(joined == "JOINED", "the Twisted member could not join")
            twistedJoined.value = true
            twistedHeard = await twisted.readLine()
            try? await waitUntil { heard.value.contains("hello from twisted") }
            twistedStatus = await twisted.waitForExit(timeout: 10)
        } catch {
            Issue.record("the Twist member never listened: \(error)")
        }
        stopFromOutside(reactor)
        let outcome = await running.value
        #expect(!outcome.timedOut)
        #expect(twistedHeard == "HEARD hello from twist")
        #expect(twistedStatus == 0)
        // The Twist member hears its own datagram too (loopback mode is on by default).
        #expect(heard.value == ["hello from twist", "hello from twisted"])
    }

    /// Runs a ``UDPEchoChecker`` against the script's echo server, then tells the server to stop.
    private func twistClientAgainstTwistedServer(
        connected: Bool, host: String = "127.0.0.1"
    ) async throws -> (verdict: String?, serverStatus: Int32?, serverSaid: String) {
        let server = try TwistedUDPPeer.start(["echo-server", host])
        defer { server.terminateIfRunning() }
        let port = try await server.readPort()
        let verdict = Shared<String?>(nil)
        let stopped = await runReactor(timeout: 30) { reactor in
            let serverAddress = host.contains(":") ? Address.ipv6(host, port) : Address.ipv4(host, port)
            var transport: (any DatagramTransport)?
            let checker = UDPEchoChecker(reactor: reactor, server: serverAddress, count: Self.count, connected: connected) { outcome in
                verdict.value = outcome
                try? transport?.write(TwistedUDPPeer.stopDatagram, to: serverAddress)
                try? reactor.stop()
            }
            transport = try reactor.listenUDP(0, checker, interface: host)
        }
        #expect(stopped)
        let said = await server.readLine()
        return (verdict.value, await server.waitForExit(timeout: 10), said)
    }

    /// Runs the script's client against a Twist echo server that counts what it echoed.
    private func twistedClientAgainstTwistServer(_ mode: [String], interface: String = "127.0.0.1") async throws -> (status: Int32, output: String, echoed: Int) {
        let reactor = Reactor()
        let port = Shared(0)
        let echoed = Shared(0)
        reactor.callWhenRunning {
            let echo = RecordingDatagramProtocol(log: Shared([]), onDatagram: { me, data, sender in
                try me.transport?.write(data, to: sender)
                echoed.mutate { $0 += 1 }
            })
            port.value = try reactor.listenUDP(0, echo, interface: interface).address.port!
        }
        let running = startReactorThread(reactor, timeout: 50)
        try await waitUntil { port.value != 0 }
        let arguments = [mode[0], "\(port.value)", "\(Self.count)"] + mode.dropFirst()
        let result = try await TwistedUDPPeer.run(arguments)
        stopFromOutside(reactor)
        let outcome = await running.value
        #expect(!outcome.timedOut)
        return (result.status, result.output, echoed.value)
    }
}
