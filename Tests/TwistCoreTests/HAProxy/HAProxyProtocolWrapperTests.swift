import Testing
import TwistCore
import TwistTesting

private typealias F = PROXYFixtures

/// Records what the application protocol behind the wrapper sees.
final class ProxiedRecorder: Protocol {
    var peerAtConnectionMade: Address?
    var hostAtConnectionMade: Address?
    var connectionsMade = 0
    var chunks: [[UInt8]] = []
    var reasons: [Failure] = []
    var echo = false

    override func connectionMade() {
        connectionsMade += 1
        peerAtConnectionMade = transport?.peer
        hostAtConnectionMade = transport?.host
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        chunks.append(Array(data))
        if echo { transport?.write(data) }
    }

    override func connectionLost(reason: Failure) { reasons.append(reason) }
}

/// A recorder that is half-closeable.
final class HalfCloseableProxiedRecorder: Protocol, HalfCloseableProtocol {
    var readsLost = 0
    func readConnectionLost() throws { readsLost += 1 }
    func writeConnectionLost() throws {}
}

@Suite("HAProxyProtocolWrapper")
struct HAProxyProtocolWrapperTests {
    let capture = LogCapture()
    let recorder = ProxiedRecorder()
    let factory: HAProxyWrappingFactory
    let wrapper: HAProxyProtocolWrapper
    let transport = StringTransport(host: .ipv4("10.0.0.1", 8080), peer: .ipv4("10.0.0.9", 40000), disconnectsProtocol: true)

    init() throws {
        let application = Factory()
        application.logger = capture.logger()
        factory = HAProxyWrappingFactory(wrapping: application)
        wrapper = try #require(factory.makeWrapper(around: recorder) as? HAProxyProtocolWrapper)
    }

    var warnings: [String] { capture.records.filter { $0.level == .warning }.map(\.message) }

    @Test func theApplicationSeesTheProxiedPeerInConnectionMade() throws {
        transport.connect(wrapper)
        #expect(recorder.connectionsMade == 0, "not before the header")
        #expect(factory.protocolCount == 1)
        try wrapper.dataReceived((F.v1("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n") + Array("hello".utf8))[...])
        #expect(recorder.connectionsMade == 1)
        #expect(recorder.peerAtConnectionMade == F.ipv4Source)
        #expect(recorder.hostAtConnectionMade == F.ipv4Destination)
        #expect(recorder.chunks == [Array("hello".utf8)], "the bytes after the header, in one call")
        #expect(wrapper.header?.version == .v1)
        try wrapper.dataReceived(Array(" world".utf8)[...])
        #expect(recorder.chunks == [Array("hello".utf8), Array(" world".utf8)])
        #expect(warnings.isEmpty)
    }

    @Test func aV2HeaderOneByteAtATimeThenDataAndWrites() throws {
        recorder.echo = true
        transport.connect(wrapper)
        let header = F.v2(0x21, 0x21, F.ipv6Block + F.tlvs)
        for byte in header.dropLast() {
            try wrapper.dataReceived([byte][...])
            #expect(recorder.connectionsMade == 0)
        }
        try wrapper.dataReceived([header.last!][...])
        #expect(recorder.connectionsMade == 1)
        #expect(recorder.peerAtConnectionMade == .ipv6("2001:db8::1", 5000))
        #expect(recorder.chunks.isEmpty, "no empty delivery when the header ends a read")
        try wrapper.dataReceived(Array("ping".utf8)[...])
        #expect(transport.valueString == "ping", "writes pass to the transport below")
        #expect(wrapper.peer == .ipv6("2001:db8::1", 5000))
        transport.loseConnection()
        #expect(recorder.reasons.count == 1)
        #expect(factory.protocolCount == 0)
    }

    @Test(arguments: [
        F.v1("PROXY UNKNOWN\r\n"), F.v2(0x20, 0x00, []), F.v2(0x20, 0x11, F.ipv4Block), F.v2(0x21, 0x00, []),
    ])
    func headersThatKeepTheRealAddresses(_ header: [UInt8]) throws {
        transport.connect(wrapper)
        try wrapper.dataReceived(header[...])
        #expect(recorder.connectionsMade == 1)
        #expect(recorder.peerAtConnectionMade == .ipv4("10.0.0.9", 40000))
        #expect(recorder.hostAtConnectionMade == .ipv4("10.0.0.1", 8080))
    }

    @Test func aMalformedHeaderClosesTheConnectionAndLeavesTheApplicationUntouched() throws {
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("GET / HTTP/1.1\r\n".utf8)[...])
        #expect(transport.isDisconnecting)
        #expect(recorder.connectionsMade == 0 && recorder.reasons.isEmpty && recorder.chunks.isEmpty)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("from 10.0.0.9:40000: not a PROXY protocol header (bad signature); closing the connection") == true,
                "\(warnings)")
        try wrapper.dataReceived(Array("more".utf8)[...])
        #expect(recorder.chunks.isEmpty && warnings.count == 1)
        #expect(factory.protocolCount == 0)
    }

    @Test func aBadV2FieldIsNamedInTheLog() throws {
        transport.connect(wrapper)
        try wrapper.dataReceived(F.v2(0x21, 0x11, F.ipv4Block, length: 0xFFFF)[...])
        #expect(transport.isDisconnecting)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("PROXY v2 header length 65535 exceeds the limit of 16384 bytes") == true, "\(warnings)")
    }

    @Test func aConnectionClosedBeforeTheHeaderLeavesTheApplicationUntouched() throws {
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("PROXY".utf8)[...])
        transport.loseConnection()
        #expect(recorder.connectionsMade == 0 && recorder.reasons.isEmpty)
        #expect(warnings == ["ProxiedRecorder (HAProxyProtocolWrapper) from 10.0.0.9:40000: connection closed before a complete PROXY header (5 bytes received)"])
        #expect(factory.protocolCount == 0)
        #expect(wrapper.wrappedProtocol == nil)
    }

    @Test func theApplicationClosingInConnectionMadeGetsNoData() throws {
        final class Closer: Protocol {
            var chunks = 0
            override func connectionMade() { transport?.abortConnection() }
            override func dataReceived(_ data: ArraySlice<UInt8>) throws { chunks += 1 }
        }
        let closer = Closer()
        let wrapper = HAProxyProtocolWrapper(wrapping: closer, factory: factory)
        transport.connect(wrapper)
        try wrapper.dataReceived((F.v1("PROXY UNKNOWN\r\n") + [1, 2, 3])[...])
        #expect(closer.chunks == 0)
        #expect(!closer.isConnected)
        #expect(warnings.isEmpty)
    }

    @Test func halfCloseBeforeTheHeaderEndsTheConnectionAfterItReachesTheApplication() throws {
        let halfCloseable = HalfCloseableProxiedRecorder()
        let early = factory.makeWrapper(around: halfCloseable)
        #expect(early is any HalfCloseableProtocol)
        let first = StringTransport(disconnectsProtocol: true)
        first.connect(early)
        try early.readConnectionLost()
        #expect(first.isDisconnecting && halfCloseable.readsLost == 0)
        #expect(warnings.count == 1)

        let other = HalfCloseableProxiedRecorder()
        let late = factory.makeWrapper(around: other)
        StringTransport().connect(late)
        try late.dataReceived(F.v1("PROXY UNKNOWN\r\n")[...])
        try late.readConnectionLost()
        #expect(other.readsLost == 1)
    }

    @Test func theFactoryBuildsWrappersAroundTheApplicationsProtocols() throws {
        let application = Factory { ProxiedRecorder() }
        application.logger = capture.logger()
        let factory = HAProxyWrappingFactory(wrapping: application, maximumV2Length: 12)
        let built = try #require(factory.buildProtocol(address: .ipv4("10.0.0.9", 1)) as? HAProxyProtocolWrapper)
        #expect(built.wrappedProtocol == nil, "built once the header names the client")
        #expect(built is any HalfCloseableProtocol, "the application's protocol is not known yet")
        StringTransport().connect(built)
        try built.dataReceived(F.v2(0x21, 0x11, F.ipv4Block)[...])
        #expect(built.wrappedProtocol is ProxiedRecorder)
        #expect(built.peer == F.ipv4Source)
        let tooLong = try #require(factory.buildProtocol(address: .ipv4("10.0.0.9", 1)))
        let closing = StringTransport()
        closing.connect(tooLong)
        try tooLong.dataReceived(F.v2(0x21, 0x11, F.ipv4Block + F.tlvs)[...])
        #expect(closing.isDisconnecting)
        #expect(warnings.count == 1, "logged through the application factory's logger")
    }
}
