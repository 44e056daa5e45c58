import Glibc
import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// What a UNIX connection offers survives layers (spec transports items 25 and 52): through a
/// ProtocolWrapper (WrappingFactory) and through a client endpoint's connection protocol, a
/// receiving protocol gets passed descriptors and a non-receiving one has them closed; peer
/// credentials and sending descriptors reach the socket below.
@Suite(.timeLimit(.minutes(1))) struct UNIXWrapperPassThroughTests {
    /// The descriptor-passing tests' receiver: records descriptors and bytes, writes "!" into
    /// each descriptor and closes it, stops the reactor once the expected bytes came.
    typealias Taker = UNIXDescriptorPassingTests.Taker

    /// Takes no descriptors; stops the reactor at the first bytes.
    final class Ignorer: Protocol {
        let onBytes: () throws -> Void
        init(onBytes: @escaping () throws -> Void) { self.onBytes = onBytes }
        override func dataReceived(_ data: ArraySlice<UInt8>) throws { try onBytes() }
    }

    /// Sends `descriptor` and one byte through whatever transport it has, wrapped or not, and
    /// records the peer credentials it sees.
    final class Sender: Protocol {
        let descriptor: Int32
        let credentials: Shared<PeerCredentials?>
        init(_ descriptor: Int32, _ credentials: Shared<PeerCredentials?>) {
            self.descriptor = descriptor
            self.credentials = credentials
        }
        override func connectionMade() {
            guard let unix = transport as? any UNIXTransport else {
                Issue.record("not a UNIXTransport: \(String(describing: transport))")
                return
            }
            credentials.value = unix.peerCredentials
            do { try unix.sendFileDescriptor(descriptor) } catch { Issue.record("\(error)") }
            unix.write("d".utf8)
        }
    }

    @Test func aWrappedReceiverGetsDescriptorsAndAWrappedSenderSendsThem() async {
        let directory = TemporaryDirectory()
        let path = directory.file("wrapped.sock")
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd) }
        let events = Shared<[String]>([])
        let credentials = Shared<PeerCredentials?>(nil)
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, WrappingFactory(wrapping: Factory { Taker(events, expectedBytes: 1, reactor) }))
            reactor.connectUNIX(path, WrappingFactory(wrapping: Factory { Sender(writeEnd, credentials) }))
        }
        close(writeEnd)
        #expect(stopped)
        #expect(events.value == ["fd", "d"])
        #expect(drain(readEnd) == ("!", true))
        #expect(credentials.value?.pid == getpid())
        #expect(credentials.value?.uid == getuid())
    }

    @Test func aWrappedProtocolThatTakesNoneHasThemClosed() async {
        let directory = TemporaryDirectory()
        let path = directory.file("ignored.sock")
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd) }
        let credentials = Shared<PeerCredentials?>(nil)
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, WrappingFactory(wrapping: Factory { Ignorer { try reactor.stop() } }))
            reactor.connectUNIX(path, WrappingFactory(wrapping: Factory { Sender(writeEnd, credentials) }))
        }
        close(writeEnd)
        #expect(stopped)
        #expect(drain(readEnd) == ("", true))  // every write end closed: nobody kept the duplicate
    }

    @Test func anEndpointConnectedProtocolReceivesDescriptors() async {
        let directory = TemporaryDirectory()
        let path = directory.file("endpoint.sock")
        let (readEnd, writeEnd) = makePipe()
        defer { close(readEnd) }
        let events = Shared<[String]>([])
        let credentials = Shared<PeerCredentials?>(nil)
        let stopped = await runReactor { reactor in
            _ = try reactor.listenUNIX(path, Factory { Sender(writeEnd, credentials) })
            UNIXClientEndpoint(reactor: reactor, path: path).connect(Factory { Taker(events, expectedBytes: 1, reactor) })
                .addErrback { failure in
                    Issue.record("\(failure)")
                    try reactor.stop()
                    throw failure.error
                }
        }
        close(writeEnd)
        #expect(stopped)
        #expect(events.value == ["fd", "d"])
        #expect(drain(readEnd) == ("!", true))
    }

    @Test func overTCPAWrapperHasNoCredentialsAndCannotSendDescriptors() {
        let wrapper = ProtocolWrapper(wrapping: Protocol())
        let transport = StringTransport()
        transport.connect(wrapper)
        #expect(wrapper.peerCredentials == nil)
        #expect(throws: NetworkError.self) { try wrapper.sendFileDescriptor(0) }
    }
}
