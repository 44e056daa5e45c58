import Testing
import TwistCore
import TwistTesting

/// `MemoryReactor` records UNIX datagram ports and adopted datagram ports, attaching their
/// protocols to UNIX (or UDP) fakes that check writes as the real ports do.
@Suite struct UNIXDatagramMemoryReactorTests {
    /// Echoes each datagram to its sender; notes starts and stops.
    final class Echo: ConnectedDatagramProtocol {
        var events: [String] = []
        override func startProtocol() { events.append("start") }
        override func stopProtocol() { events.append("stop") }
        override func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {
            try transport?.write(data, to: sender)
        }
    }

    @Test func listenUNIXDatagramIsRecordedAndItsFakeTakesOnlyNamedUNIXDestinations() throws {
        let reactor = MemoryReactor()
        let proto = Echo()
        let port = try reactor.listenUNIXDatagram("/run/app.sock", proto, maxPacketSize: 512, mode: 0o600)
        let call = try #require(reactor.unixDatagramListenCalls.first)
        #expect(call.path == "/run/app.sock" && call.maxPacketSize == 512 && call.mode == 0o600 && call.bindAddress == nil)
        #expect(port.address == .unix("/run/app.sock"))
        #expect(proto.events == ["start"])
        try call.transport.deliver("hi".utf8, from: .unix("/run/peer.sock"))
        #expect(call.transport.written.map(\.description) == ["unix:/run/peer.sock hi"])
        #expect(throws: InvalidAddressError.self) { try port.write([1], to: .unix(.unnamed)) }
        #expect(throws: InvalidAddressError.self) { try port.write([1], to: .ipv4("127.0.0.1", 9)) }
        #expect(throws: InvalidAddressError.self) { try port.connect(host: "127.0.0.1", port: 9) }
        #expect(throws: DatagramStateError.self) { _ = try reactor.listenUNIXDatagram("/run/other.sock", proto) }
        port.stopListening()
        #expect(proto.events == ["start", "stop"])
    }

    @Test func connectUNIXDatagramIsRecordedConnectedToItsPath() throws {
        let reactor = MemoryReactor()
        let port = try reactor.connectUNIXDatagram("/run/app.sock", Echo(), bindAddress: "/run/me.sock")
        let call = try #require(reactor.unixDatagramConnectCalls.first)
        #expect(call.path == "/run/app.sock" && call.bindAddress == "/run/me.sock" && call.mode == nil)
        #expect(port.address == .unix("/run/me.sock"))
        #expect(port.connectedAddress == .unix("/run/app.sock"))
        try port.write(Array("ping".utf8))
        #expect(throws: DatagramStateError.self) { try port.write([1], to: .unix("/run/elsewhere.sock")) }
        try call.transport.deliver("dropped".utf8, from: .unix("/run/stranger.sock"))
        #expect(call.transport.written.map(\.description) == ["unix:/run/app.sock ping"])
        let unbound = try reactor.connectUNIXDatagram("/run/app.sock", Echo())
        #expect(unbound.address == .unix(.unnamed))
    }

    @Test func adoptDatagramPortIsRecordedWithTheFamilysAnyAddress() throws {
        let reactor = MemoryReactor()
        let proto = Echo()
        let udp = try reactor.adoptDatagramPort(7, family: .inet6, proto, maxPacketSize: 1000)
        let unix = try reactor.adoptDatagramPort(8, family: .unix, Echo())
        #expect(reactor.adoptedDatagramPorts.map(\.fileDescriptor) == [7, 8])
        #expect(reactor.adoptedDatagramPorts.map(\.family) == [.inet6, .unix])
        #expect(reactor.adoptedDatagramPorts.map(\.maxPacketSize) == [1000, 8192])
        #expect(udp.address == .ipv6("::", 0) && unix.address == .unix(.unnamed))
        #expect(proto.events == ["start"])
    }
}
