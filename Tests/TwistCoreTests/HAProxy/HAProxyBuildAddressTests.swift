import Testing
import TwistCore
import TwistTesting

/// A factory that records the addresses it is asked to build for, and may refuse.
final class AddressRecordingFactory: Factory {
    var addresses: [Address] = []
    var refuses = false
    var built: [ProxiedRecorder] = []

    override func buildProtocol(address: Address) -> Protocol? {
        addresses.append(address)
        if refuses { return nil }
        let made = ProxiedRecorder()
        built.append(made)
        return made
    }
}

/// `HAProxyWrappingFactory.buildProtocol(address:)` asks the application's factory only once the
/// header is in, with the client's address.
@Suite("haproxy: the factory sees the client")
struct HAProxyBuildAddressTests {
    let capture = LogCapture()
    let application = AddressRecordingFactory()
    let factory: HAProxyWrappingFactory
    let transport = StringTransport(host: .ipv4("10.0.0.1", 8080), peer: .ipv4("10.0.0.9", 40000), disconnectsProtocol: true)

    init() {
        application.logger = capture.logger()
        factory = HAProxyWrappingFactory(wrapping: application)
    }

    var warnings: [String] { capture.records.filter { $0.level == .warning }.map(\.message) }

    @Test func theFactoryIsAskedAfterTheHeaderWithTheClientsAddress() throws {
        let wrapper = try #require(factory.buildProtocol(address: .ipv4("10.0.0.9", 40000)) as? HAProxyProtocolWrapper)
        #expect(application.addresses.isEmpty, "not before the header")
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nhi".utf8)[...])
        #expect(application.addresses == [.ipv4("192.0.2.1", 56324)])
        let built = try #require(application.built.first)
        #expect(wrapper.wrappedProtocol === built)
        #expect(built.peerAtConnectionMade == .ipv4("192.0.2.1", 56324))
        #expect(built.chunks == [Array("hi".utf8)])
    }

    @Test func aHeaderThatKeepsTheRealAddressesBuildsForTheRealPeer() throws {
        let wrapper = try #require(factory.buildProtocol(address: .ipv4("10.0.0.9", 40000)) as? HAProxyProtocolWrapper)
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("PROXY UNKNOWN\r\n".utf8)[...])
        #expect(application.addresses == [.ipv4("10.0.0.9", 40000)])
    }

    @Test func aRefusingFactoryAbortsTheConnectionWithAWarning() throws {
        application.refuses = true
        let wrapper = try #require(factory.buildProtocol(address: .ipv4("10.0.0.9", 40000)) as? HAProxyProtocolWrapper)
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nhi".utf8)[...])
        #expect(transport.isDisconnecting)
        #expect(warnings == [
            "AddressRecordingFactory (HalfCloseableHAProxyProtocolWrapper) from 10.0.0.9:40000: the factory built no protocol for 192.0.2.1:56324; closing the connection",
        ])
        try wrapper.dataReceived(Array("more".utf8)[...])
        #expect(application.addresses.count == 1)
        #expect(factory.protocolCount == 0)
    }

    @Test func aBadHeaderNeverAsksTheFactory() throws {
        let wrapper = try #require(factory.buildProtocol(address: .ipv4("10.0.0.9", 40000)) as? HAProxyProtocolWrapper)
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("GET / HTTP/1.1\r\n".utf8)[...])
        #expect(transport.isDisconnecting)
        #expect(application.addresses.isEmpty)
        #expect(warnings.count == 1 && warnings[0].hasPrefix("AddressRecordingFactory (HalfCloseableHAProxyProtocolWrapper) from 10.0.0.9:40000: "))
    }

    @Test func theEndOfInputClosesAProtocolThatIsNotHalfCloseable() throws {
        let wrapper = try #require(factory.buildProtocol(address: .ipv4("10.0.0.9", 40000)) as? any HAProxyProtocolWrapper & HalfCloseableProtocol)
        transport.connect(wrapper)
        try wrapper.dataReceived(Array("PROXY UNKNOWN\r\n".utf8)[...])
        try wrapper.readConnectionLost()
        #expect(transport.isDisconnecting)
        let built = try #require(application.built.first)
        #expect(built.reasons.count == 1 && built.reasons[0].check(ConnectionDone.self) != nil)
    }
}
