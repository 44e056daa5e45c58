import Glibc
import Testing
@testable import Twist
import TwistTestSupport
import TwistTesting

/// Multicast: joining and leaving groups (Deferreds), the socket options, sharing a port, and
/// two Twist ports of one group hearing a datagram sent to it over the loopback interface.
@Suite(.timeLimit(.minutes(1))) struct UDPMulticastTests {
    /// True when the loopback interface carries multicast (`IFF_MULTICAST` in its flags); many
    /// containers bring `lo` up without it, and then nothing sent to a group arrives on it.
    static let loopbackCarriesMulticast: Bool = {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return false }
        defer { freeifaddrs(list) }
        var entry = list
        while let current = entry {
            if String(cString: current.pointee.ifa_name) == "lo" {
                return current.pointee.ifa_flags & UInt32(IFF_MULTICAST) != 0
            }
            entry = current.pointee.ifa_next
        }
        return false
    }()

    /// What a fired Deferred holds: "ok" or the error's type name; "pending" when it has not fired.
    private func outcome(_ deferred: Deferred<Void>) -> String {
        switch deferred.currentResult {
        case .success: "ok"
        case .failure(let failure): "\(type(of: failure.error))"
        case nil: "pending"
        }
    }

    @Test func joinAndLeaveAnswerWithFiredDeferredsAndRefuseWhatTheKernelRefuses() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let port = try reactor.listenMulticast(0, DatagramProtocol(), interface: "", listenMultiple: false)
            for (what, deferred) in [
                ("join", port.joinGroup("228.0.0.17", interface: "127.0.0.1")),
                ("join again", port.joinGroup("228.0.0.17", interface: "127.0.0.1")),
                ("leave", port.leaveGroup("228.0.0.17", interface: "127.0.0.1")),
                ("leave not joined", port.leaveGroup("228.0.0.17", interface: "127.0.0.1")),
                ("join a unicast address", port.joinGroup("127.0.0.1")),
                ("join a name", port.joinGroup("all-hosts.example")),
                ("join IPv6 on IPv4", port.joinGroup("ff02::1")),
                ("interface by name", port.joinGroup("228.0.0.17", interface: "lo")),
            ] {
                log.mutate { $0.append("\(what): \(outcome(deferred))") }
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "join: ok", "join again: MulticastJoinError", "leave: ok", "leave not joined: MulticastJoinError",
            "join a unicast address: MulticastJoinError", "join a name: InvalidAddressError",
            "join IPv6 on IPv4: InvalidAddressError", "interface by name: InvalidAddressError",
        ])
    }

    @Test func ipv6GroupsAreJoinedAndLeftOnAnInterfaceGivenByName() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let port = try reactor.listenMulticast(0, DatagramProtocol(), interface: "::", listenMultiple: false)
            for (what, deferred) in [
                ("join", port.joinGroup("ff15::4242", interface: "lo")),
                ("leave", port.leaveGroup("ff15::4242", interface: "lo")),
                ("unknown interface", port.joinGroup("ff15::4242", interface: "no-such-if0")),
                ("IPv4 group", port.joinGroup("228.0.0.1")),
                ("outgoing lo", port.setOutgoingInterface("lo")),
            ] {
                log.mutate { $0.append("\(what): \(outcome(deferred))") }
            }
        }
        #expect(stopped)
        #expect(log.value == [
            "join: ok", "leave: ok", "unknown interface: InvalidAddressError", "IPv4 group: InvalidAddressError",
            "outgoing lo: ok",
        ])
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func theTTLAndLoopbackModeStartAtTwistedsDefaultsAndChange(interface: String) async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let port = try reactor.listenMulticast(0, DatagramProtocol(), interface: interface, listenMultiple: false)
            log.mutate { $0.append("ttl \(port.ttl) loopback \(port.loopbackMode)") }
            try port.setTTL(5)
            try port.setLoopbackMode(false)
            log.mutate { $0.append("ttl \(port.ttl) loopback \(port.loopbackMode)") }
            log.mutate { $0.append("ttl 256: \(thrownName { try port.setTTL(256) })") }
        }
        #expect(stopped)
        #expect(log.value == ["ttl 1 loopback true", "ttl 5 loopback false", "ttl 256: DatagramSendError"])
    }

    @Test func listenMultipleLetsTwoPortsShareANumberAndWithoutItTheSecondBindFails() async {
        let log = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            defer { try? reactor.stop() }
            let first = try reactor.listenMulticast(0, DatagramProtocol(), interface: "", listenMultiple: true)
            let number = first.address.port!
            log.mutate { $0.append("shared: \(thrownName { _ = try reactor.listenMulticast(number, DatagramProtocol(), interface: "", listenMultiple: true) })") }
            log.mutate { $0.append("alone: \(thrownName { _ = try reactor.listenMulticast(number, DatagramProtocol(), interface: "", listenMultiple: false) })") }
        }
        #expect(stopped)
        #expect(log.value == ["shared: no error", "alone: CannotListenError"])
    }

    @Test(.enabled(
        if: loopbackCarriesMulticast,
        "skipped: the lo interface lacks the MULTICAST flag here (`ip link set lo multicast on` enables it), so no group datagram can arrive over loopback"
    ))
    func twoPortsInOneGroupBothReceiveADatagramSentToTheGroup() async {
        // IPv4 only: an IPv6 group datagram (ff15::4242 via "lo") did not arrive over loopback
        // even in a network namespace with the flag set (not investigated further), so IPv6
        // groups are tested for join, leave and the outgoing interface only.
        let (bind, group, interface) = ("", "228.0.0.42", "127.0.0.1")
        let heard = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            var members: [any MulticastTransport] = []
            for name in ["a", "b"] {
                let member = RecordingDatagramProtocol(log: Shared([]), onDatagram: { _, data, _ in
                    heard.mutate { $0.append("\(name) \(text(data))") }
                    if heard.value.count == 2 { try reactor.stop() }
                })
                let port = try reactor.listenMulticast(
                    members.first?.address.port ?? 0, member, interface: bind, listenMultiple: true
                )
                port.joinGroup(group, interface: interface).addErrback { failure in
                    heard.mutate { $0.append("join failed: \(failure.error)") }
                }
                members.append(port)
            }
            let sender = try reactor.listenMulticast(0, DatagramProtocol(), interface: bind, listenMultiple: false)
            sender.setOutgoingInterface(interface).addErrback { failure in
                heard.mutate { $0.append("interface failed: \(failure.error)") }
            }
            let port = members[0].address.port!
            try sender.write(Array("hello group".utf8), to: bind.isEmpty ? .ipv4(group, port) : .ipv6(group, port))
        }
        #expect(stopped)
        #expect(heard.value.sorted() == ["a hello group", "b hello group"])
    }
}
