import Testing
import TwistCore
import TwistTesting

/// A DatagramProtocol tested with no socket: the fake transport and the memory reactor.
@Suite struct UDPDatagramProtocolTests {
    /// Answers "ping" with "pong" to the sender; counts starts and stops; rejects other input.
    final class PingPong: DatagramProtocol {
        struct Unexpected: Error {}
        var events: [String] = []

        override func startProtocol() { events.append("start") }
        override func stopProtocol() { events.append("stop") }
        override func connectionRefused() { events.append("refused") }

        override func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {
            guard data.elementsEqual("ping".utf8) else { throw Unexpected() }
            try transport?.write(Array("pong".utf8), to: sender)
        }
    }

    @Test func aProtocolAnswersThroughTheFakeTransportWithNoSocket() throws {
        let transport = FakeDatagramTransport()
        let proto = PingPong()
        try transport.attach(proto)
        try transport.deliver("ping".utf8, from: .ipv4("10.0.0.2", 5353))
        #expect(throws: PingPong.Unexpected.self) { try transport.deliver("junk".utf8, from: .ipv4("10.0.0.2", 5353)) }
        #expect(transport.written.map(\.description) == ["10.0.0.2:5353 pong"])
        transport.stopListening()
        transport.stopListening()
        #expect(proto.events == ["start", "stop"])
        #expect(proto.transport == nil)
        try transport.deliver("ping".utf8, from: .ipv4("10.0.0.2", 5353))
        #expect(transport.written.count == 1, "a stopped port delivers nothing")
    }

    @Test func oneProtocolCannotServeTwoPortsButCanServeAgainAfterAStop() throws {
        let proto = PingPong()
        let first = FakeDatagramTransport()
        try first.attach(proto)
        #expect(throws: DatagramStateError.self) { try FakeDatagramTransport().attach(proto) }
        first.stopListening()
        try FakeDatagramTransport().attach(proto)
        #expect(proto.events == ["start", "stop", "start"])
    }

    @Test func theFakeChecksWritesAsTheRealPortDoes() throws {
        let transport = FakeDatagramTransport()
        try transport.attach(DatagramProtocol())
        #expect(throws: InvalidAddressError.self) { try transport.write([1], to: .hostname("example.com", port: 53)) }
        #expect(throws: InvalidAddressError.self) { try transport.write([1], to: .ipv4("example.com", 53)) }
        #expect(throws: InvalidAddressError.self) { try transport.write([1], to: .ipv6("::1", 53)) }
        #expect(throws: MessageLengthError.self) { try transport.write([UInt8](repeating: 0, count: 65_508), to: .ipv4("10.0.0.1", 53)) }
        #expect(throws: DatagramStateError.self) { try transport.write([1]) }
        transport.failWrites = DatagramDroppedError("full")
        #expect(throws: DatagramDroppedError.self) { try transport.write([1], to: .ipv4("10.0.0.1", 53)) }
        transport.failWrites = nil
        try transport.write([2], to: .ipv4("10.0.0.1", 53))
        #expect(transport.written == [.init(data: [2], destination: .ipv4("10.0.0.1", 53))])
    }

    @Test func writeSequenceSendsThePartsJoinedAsOneDatagram() throws {
        let transport = FakeDatagramTransport()
        try transport.attach(DatagramProtocol())
        try transport.writeSequence([Array("he".utf8)[...], [], Array("llo".utf8)[...]], to: .ipv4("10.0.0.1", 53))
        #expect(transport.written.map(\.description) == ["10.0.0.1:53 hello"])
        let half = [UInt8](repeating: 0, count: 40_000)[...]
        #expect(throws: MessageLengthError.self, "the limit applies to the joined datagram") {
            try transport.writeSequence([half, half], to: .ipv4("10.0.0.1", 53))
        }
        #expect(throws: DatagramStateError.self) { try transport.writeSequence([[1]]) }
        try transport.connect(host: "10.0.0.9", port: 53)
        try transport.writeSequence([[0x61], [0x62]])
        #expect(transport.written.map(\.description) == ["10.0.0.1:53 hello", "10.0.0.9:53 ab"])
    }

    @Test func aConnectedFakeHearsOnlyItsPeerAndReportsRefusals() throws {
        let transport = FakeDatagramTransport()
        let proto = PingPong()
        try transport.attach(proto)
        transport.deliverRefusal()  // unconnected: ignored
        #expect(throws: InvalidAddressError.self) { try transport.connect(host: "example.com", port: 53) }
        try transport.connect(host: "10.0.0.9", port: 53)
        #expect(throws: DatagramStateError.self) { try transport.connect(host: "10.0.0.9", port: 53) }
        try transport.deliver("ping".utf8, from: .ipv4("10.0.0.8", 53))  // a stranger: dropped
        try transport.deliver("ping".utf8, from: .ipv4("10.0.0.9", 53))
        try transport.write(Array("hi".utf8))
        transport.deliverRefusal()
        #expect(transport.written.map(\.description) == ["10.0.0.9:53 pong", "10.0.0.9:53 hi"])
        #expect(proto.events == ["start", "refused"])
    }

    @Test func theMemoryReactorAttachesUDPProtocolsToFakePorts() throws {
        let reactor = MemoryReactor()
        let proto = PingPong()
        let port = try reactor.listenUDP(5353, proto, interface: "::1", maxPacketSize: 512)
        let call = try #require(reactor.udpListenCalls.first)
        #expect(call.port == 5353 && call.interface == "::1" && call.maxPacketSize == 512 && !call.listenMultiple)
        #expect(port.address == .ipv6("::1", 5353))
        #expect(proto.events == ["start"])
        try call.transport.deliver("ping".utf8, from: .ipv6("::2", 9))
        #expect(call.transport.written.map(\.description) == ["[::2]:9 pong"])
        let group = try reactor.listenMulticast(0, DatagramProtocol(), interface: "", listenMultiple: true)
        #expect(group.address == .ipv4("0.0.0.0", 0))
        #expect(reactor.udpListenCalls.last?.listenMultiple == true)
        group.joinGroup("228.0.0.1")
        #expect(reactor.udpListenCalls.last?.transport.groups == ["228.0.0.1@"])
    }
}
