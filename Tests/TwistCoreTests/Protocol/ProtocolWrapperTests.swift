import Testing
import TwistCore
import TwistTesting

// MARK: Helpers

/// A wrapper that counts the bytes passing each way.
final class CountingWrapper: ProtocolWrapper {
    var bytesIn = 0
    var bytesOut = 0

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        bytesIn += data.count
        try super.dataReceived(data)
    }

    override func write(_ data: ArraySlice<UInt8>) {
        bytesOut += data.count
        super.write(data)
    }

    override func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        for chunk in chunks { bytesOut += chunk.count }
        super.writeSequence(chunks)
    }
}

/// A wrapper that XORs every byte with a key, both ways (its own inverse).
final class XORWrapper: ProtocolWrapper {
    static let key: UInt8 = 0x5A

    static func scramble(_ bytes: some Sequence<UInt8>) -> [UInt8] { bytes.map { $0 ^ key } }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        try super.dataReceived(Self.scramble(data)[...])
    }

    override func write(_ data: ArraySlice<UInt8>) {
        super.write(Self.scramble(data)[...])
    }

    override func writeSequence(_ chunks: [ArraySlice<UInt8>]) {
        super.writeSequence(chunks.map { Self.scramble($0)[...] })
    }
}

/// Sends every netstring back unchanged.
final class WrappedNetstringEcho: NetstringReceiver {
    override func stringReceived(_ string: ArraySlice<UInt8>) throws { sendString(string) }
}

/// Records the netstrings it receives.
final class WrappedNetstringCollector: NetstringReceiver {
    var strings: [String] = []
    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        strings.append(String(decoding: string, as: UTF8.self))
    }
}

/// A protocol that records half-closes and the rest.
final class WrappedHalfCloser: Protocol, HalfCloseableProtocol {
    var events: [String] = []
    func readConnectionLost() throws { events.append("readConnectionLost") }
    func writeConnectionLost() throws { events.append("writeConnectionLost") }
    override func connectionLost(reason: Failure) { events.append("lost \(type(of: reason.error))") }
}

/// A push producer that records what it is told.
final class RecordingProducer: PushProducer {
    var calls: [String] = []
    func pauseProducing() { calls.append("pause") }
    func resumeProducing() { calls.append("resume") }
    func stopProducing() { calls.append("stop") }
}

/// A TCP transport double that records the TCP-only calls.
final class RecordingTCPTransport: TCPTransport {
    var noDelay = false
    var keepAlive = false
    var halfClosed = false
    let host = Address.ipv4("127.0.0.1", 1)
    let peer = Address.ipv4("127.0.0.1", 2)
    var isDisconnecting = false
    func write(_ data: ArraySlice<UInt8>) {}
    func writeSequence(_ chunks: [ArraySlice<UInt8>]) {}
    func loseConnection() { isDisconnecting = true }
    func abortConnection() { isDisconnecting = true }
    func registerProducer(_ producer: RegisteredProducer) throws {}
    func unregisterProducer() {}
    func pauseProducing() {}
    func resumeProducing() {}
    func stopProducing() {}
    func loseWriteConnection() { halfClosed = true }
}

/// A connector that is never used, for the client-notification pass-through.
final class IdleConnector: Connector {
    let destination = Address.ipv4("127.0.0.1", 9)
    func stopConnecting() throws {}
    func disconnect() {}
    func connect() {}
}

/// A client factory that records its notifications.
final class NotedClientFactory: ClientFactory {
    var notes: [String] = []
    override func buildProtocol(address: Address) -> Protocol? { RecordingProtocol() }
    override func startFactory() { notes.append("start") }
    override func stopFactory() { notes.append("stop") }
    override func startedConnecting(_ connector: any Connector) { notes.append("started") }
    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        notes.append("failed \(type(of: reason.error))")
    }
    override func clientConnectionLost(_ connector: any Connector, reason: Failure) {
        notes.append("lost \(type(of: reason.error))")
    }
}

struct WrappedBoom: Error, Equatable {}

// MARK: Tests

@Suite struct ProtocolWrapperTests {
    @Test func theWrapperIsTheWrappedProtocolsTransportAndPassesDataBothWays() throws {
        let inner = Factory { RecordingProtocol() }
        let factory = WrappingFactory(wrapping: inner)
        let wrapper = try #require(factory.buildProtocol(address: .ipv4("192.168.1.1", 54321)) as? ProtocolWrapper)
        let proto = try #require(wrapper.wrappedProtocol as? RecordingProtocol)
        #expect(type(of: wrapper) == ProtocolWrapper.self)
        #expect(wrapper.factory === factory)
        #expect(proto.factory === inner)
        #expect(factory.protocolCount == 0)

        let transport = StringTransport()
        transport.connect(wrapper)
        #expect(proto.transport === wrapper)
        #expect(wrapper.transport === transport)
        #expect(proto.events == ["made"])
        #expect(factory.protocols.map(ObjectIdentifier.init) == [ObjectIdentifier(wrapper)])
        #expect(wrapper.host == transport.host)
        #expect(wrapper.peer == transport.peer)

        try wrapper.dataReceived("hello".utf8.map { $0 }[...])
        #expect(proto.received == Array("hello".utf8))
        proto.transport?.write("out".utf8)
        proto.transport?.writeSequence(["a".utf8.map { $0 }[...], "b".utf8.map { $0 }[...]])
        #expect(transport.valueString == "outab")
        #expect(wrapper.logPrefix == "RecordingProtocol (ProtocolWrapper)")
        #expect(factory.logPrefix == "Factory (WrappingFactory)")
    }

    @Test func aCountingWrapperCountsBytesBothWays() throws {
        final class CountingFactory: WrappingFactory {
            override func makeWrapper(around wrapped: Protocol) -> ProtocolWrapper {
                CountingWrapper(wrapping: wrapped, factory: self)
            }
        }
        let factory = CountingFactory(wrapping: Factory { MemoryEcho() })
        let server = try #require(factory.buildProtocol(address: .ipv4("127.0.0.1", 1)) as? CountingWrapper)
        let client = RecordingProtocol()
        let pair = ConnectedPair(server: server, client: client)
        client.transport?.write("twelve bytes".utf8)
        try pair.flush()
        client.transport?.write("four".utf8)
        try pair.flush()
        #expect(client.received == Array("twelve bytesfour".utf8))
        #expect(server.bytesIn == 16)
        #expect(server.bytesOut == 16)
        server.writeSequence(["ab".utf8.map { $0 }[...], "cde".utf8.map { $0 }[...]])
        #expect(server.bytesOut == 21)
    }

    @Test func anXORWrapperTransformsBytesBothWaysUnderANetstringReceiver() throws {
        let transport = StringTransport()
        let echo = WrappedNetstringEcho()
        let wrapper = XORWrapper(wrapping: echo)
        transport.connect(wrapper)
        // What arrives is scrambled; split across reads, the receiver still sees "3:abc,".
        let wire = XORWrapper.scramble("3:abc,5:hello,".utf8)
        try wrapper.dataReceived(wire[0..<4])
        try wrapper.dataReceived(wire[4...])
        #expect(transport.value == wire)
        #expect(XORWrapper.scramble(transport.value) == Array("3:abc,5:hello,".utf8))

        // Both ends wrapped: plain netstrings above, scrambled bytes between.
        let client = WrappedNetstringCollector()
        let pair = ConnectedPair(server: XORWrapper(wrapping: WrappedNetstringEcho()), client: XORWrapper(wrapping: client))
        client.sendString("one".utf8)
        client.sendString("two".utf8)
        try pair.flush()
        #expect(client.strings == ["one", "two"])
    }

    @Test func loseAndAbortPassThroughAndTheReasonReachesTheWrappedProtocol() throws {
        for abort in [false, true] {
            let factory = WrappingFactory(wrapping: Factory { RecordingProtocol() })
            let wrapper = try #require(factory.buildProtocol(address: .ipv4("127.0.0.1", 1)) as? ProtocolWrapper)
            let proto = try #require(wrapper.wrappedProtocol as? RecordingProtocol)
            let transport = StringTransport(disconnectsProtocol: true)
            transport.connect(wrapper)
            #expect(!proto.transport!.isDisconnecting)
            if abort { proto.transport?.abortConnection() } else { proto.transport?.loseConnection() }
            #expect(transport.isDisconnecting)
            #expect(transport.isDisconnected == abort)
            #expect(wrapper.isDisconnecting)
            #expect(proto.events == ["made", "lost"])
            #expect(proto.lostReason?.matches(abort ? ConnectionAborted.self : ConnectionDone.self) == true)
            #expect(factory.protocolCount == 0)
            #expect(wrapper.wrappedProtocol == nil)
        }
    }

    @Test func anyConnectionLostReasonIsPassedOnOnce() {
        let proto = RecordingProtocol()
        let wrapper = ProtocolWrapper(wrapping: proto)
        wrapper.makeConnection(StringTransport())
        wrapper.deliverConnectionLost(reason: Failure(WrappedBoom()))
        wrapper.deliverConnectionLost(reason: Failure(ConnectionDone()))
        #expect(proto.events == ["made", "lost"])
        #expect(proto.lostReason?.check(WrappedBoom.self) == WrappedBoom())
        #expect(!proto.isConnected)
        #expect(wrapper.isDisconnecting)
    }

    @Test func producerRegistrationAndPauseResumeStopPassThrough() throws {
        let transport = StringTransport()
        let proto = RecordingProtocol()
        let wrapper = ProtocolWrapper(wrapping: proto)
        transport.connect(wrapper)
        let producer = RecordingProducer()
        try proto.transport?.registerProducer(.push(producer))
        #expect(transport.producer?.producer === producer)
        #expect(throws: ProducerRegistrationError.self) { try proto.transport?.registerProducer(.pull(RecordingProducer())) }
        proto.transport?.unregisterProducer()
        #expect(transport.producer == nil)

        proto.transport?.pauseProducing()
        #expect(transport.producerState == .paused)
        proto.transport?.resumeProducing()
        #expect(transport.producerState == .producing)
        proto.transport?.stopProducing()
        #expect(transport.producerState == .stopped)
    }

    @Test func aNilProtocolFromTheWrappedFactoryStaysNil() {
        let factory = WrappingFactory(wrapping: Factory { nil })
        #expect(factory.buildProtocol(address: .ipv4("127.0.0.1", 1)) == nil)
        #expect(factory.protocolCount == 0)
    }

    @Test func anErrorThrownByTheWrappedProtocolsDataReceivedIsThrownOnAndClosesTheConnection() throws {
        final class Thrower: Protocol {
            var reason: Failure?
            override func dataReceived(_ data: ArraySlice<UInt8>) throws { throw WrappedBoom() }
            override func connectionLost(reason: Failure) { self.reason = reason }
        }
        let direct = ProtocolWrapper(wrapping: Thrower())
        direct.makeConnection(StringTransport())
        #expect(throws: WrappedBoom()) { try direct.dataReceived([1][...]) }

        let thrower = Thrower()
        let pair = ConnectedPair(server: ProtocolWrapper(wrapping: thrower), client: RecordingProtocol())
        pair.client.transport?.write("x".utf8)
        #expect(throws: WrappedBoom()) { try pair.flush() }
        #expect(thrower.reason?.check(WrappedBoom.self) == WrappedBoom())
    }

    @Test func aHalfCloseableProtocolGetsAHalfCloseableWrapperThatPassesHalfClosesIn() throws {
        let factory = WrappingFactory(wrapping: Factory { WrappedHalfCloser() })
        let wrapper = try #require(factory.buildProtocol(address: .ipv4("127.0.0.1", 1)) as? ProtocolWrapper)
        let halfCloseable = try #require(wrapper as? any HalfCloseableProtocol)
        #expect(wrapper is HalfCloseableProtocolWrapper)
        let proto = try #require(wrapper.wrappedProtocol as? WrappedHalfCloser)
        let transport = RecordingTCPTransport()
        wrapper.makeConnection(transport)

        try halfCloseable.readConnectionLost()
        #expect(proto.events == ["readConnectionLost"])
        #expect(!transport.isDisconnecting)
        (proto.transport as? any TCPTransport)?.loseWriteConnection()
        #expect(transport.halfClosed)
        try halfCloseable.writeConnectionLost()
        #expect(proto.events == ["readConnectionLost", "writeConnectionLost"])

        // A protocol that is not half-closeable gets a wrapper that is not either.
        let plain = WrappingFactory(wrapping: Factory { RecordingProtocol() }).buildProtocol(address: .ipv4("127.0.0.1", 1))
        #expect(plain != nil)
        #expect(!(plain is any HalfCloseableProtocol))
    }

    @Test func aHalfCloseableWrapperAroundAnOrdinaryProtocolClosesGracefullyAtEndOfInput() throws {
        let proto = RecordingProtocol()
        let wrapper = HalfCloseableProtocolWrapper(wrapping: proto)
        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(wrapper)
        try wrapper.readConnectionLost()
        #expect(transport.isDisconnecting)
        #expect(proto.lostReason?.matches(ConnectionDone.self) == true)
    }

    @Test func tcpOptionsPassToATCPTransportAndAreInertOverAnyOther() {
        let tcp = RecordingTCPTransport()
        let overTCP = ProtocolWrapper(wrapping: RecordingProtocol())
        overTCP.makeConnection(tcp)
        overTCP.noDelay = true
        overTCP.keepAlive = true
        #expect(tcp.noDelay && tcp.keepAlive)
        #expect(overTCP.noDelay && overTCP.keepAlive)

        let overString = ProtocolWrapper(wrapping: RecordingProtocol())
        let transport = StringTransport()
        overString.makeConnection(transport)
        overString.noDelay = true
        overString.loseWriteConnection()
        #expect(!overString.noDelay)
        #expect(!transport.isDisconnecting)
    }

    @Test func startStopAndClientNotificationsPassThroughToTheWrappedFactory() {
        let inner = NotedClientFactory()
        let factory = WrappingFactory(wrapping: inner)
        factory.doStart()
        factory.doStart()
        #expect(inner.notes == ["start"])
        #expect(inner.numberOfUsers == 1)
        let connector = IdleConnector()
        factory.startedConnecting(connector)
        factory.clientConnectionFailed(connector, reason: Failure(ConnectionRefusedError()))
        factory.clientConnectionLost(connector, reason: Failure(ConnectionDone()))
        factory.doStop()
        factory.doStop()
        #expect(inner.notes == ["start", "started", "failed ConnectionRefusedError", "lost ConnectionDone", "stop"])
        #expect(inner.numberOfUsers == 0)

        // A wrapped factory that is not a client factory: the notifications do nothing.
        let server = WrappingFactory(wrapping: Factory { RecordingProtocol() })
        server.startedConnecting(connector)
        server.clientConnectionLost(connector, reason: Failure(ConnectionDone()))
    }

    @Test func wrappersStackAndHalfCloseSurvivesTheStack() throws {
        let inner = WrappingFactory(wrapping: Factory { WrappedHalfCloser() })
        let outer = WrappingFactory(wrapping: inner)
        let top = try #require(outer.buildProtocol(address: .ipv4("127.0.0.1", 1)) as? ProtocolWrapper)
        let middle = try #require(top.wrappedProtocol as? ProtocolWrapper)
        let proto = try #require(middle.wrappedProtocol as? WrappedHalfCloser)
        #expect(top is HalfCloseableProtocolWrapper && middle is HalfCloseableProtocolWrapper)
        #expect(top.logPrefix == "WrappedHalfCloser (HalfCloseableProtocolWrapper) (HalfCloseableProtocolWrapper)")
        #expect(outer.logPrefix == "Factory (WrappingFactory) (WrappingFactory)")

        let transport = StringTransport(disconnectsProtocol: true)
        transport.connect(top)
        #expect(proto.transport === middle && middle.transport === top)
        #expect(inner.protocolCount == 1 && outer.protocolCount == 1)
        proto.transport?.write("up".utf8)
        #expect(transport.valueString == "up")
        try (top as? any HalfCloseableProtocol)?.readConnectionLost()
        #expect(proto.events == ["readConnectionLost"])
        proto.transport?.loseConnection()
        #expect(proto.events == ["readConnectionLost", "lost ConnectionDone"])
        #expect(inner.protocolCount == 0 && outer.protocolCount == 0)
    }

    @Test func connectionLostBreaksTheCycleBetweenWrapperAndWrappedProtocol() throws {
        weak var weakWrapper: ProtocolWrapper?
        weak var weakProto: RecordingProtocol?
        let factory = WrappingFactory(wrapping: Factory { RecordingProtocol() })
        do {
            let wrapper = try #require(factory.buildProtocol(address: .ipv4("127.0.0.1", 1)) as? ProtocolWrapper)
            weakWrapper = wrapper
            weakProto = wrapper.wrappedProtocol as? RecordingProtocol
            let transport = StringTransport(disconnectsProtocol: true)
            transport.connect(wrapper)
            #expect(factory.protocolCount == 1)
            wrapper.wrappedProtocol?.transport?.loseConnection()
        }
        #expect(factory.protocolCount == 0)
        #expect(weakWrapper == nil)
        #expect(weakProto == nil)
    }

    @Test func writeCopyingThroughTheTransportProtocolReachesAnOverriddenWrite() throws {
        // write(copying:) is a class method of ProtocolWrapper (so TLS can override it), and it
        // still goes through write(_:), so a wrapper that only overrides write(_:) transforms it.
        let transport = StringTransport()
        let wrapper = XORWrapper(wrapping: Protocol())
        transport.connect(wrapper)
        let asTransport: any Transport = wrapper
        Array("copied".utf8).withUnsafeBytes { asTransport.write(copying: $0) }
        #expect(transport.value == XORWrapper.scramble("copied".utf8))
    }
}
