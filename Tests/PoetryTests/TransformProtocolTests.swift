import Logging
import Poetry
import Testing
import TwistTesting

/// The transform server's protocol, one connection at a time through StringTransport.
@Suite struct TransformProtocolTests {
    /// A connected server protocol, its transport, and the log of its factory.
    struct Connection {
        let server: TransformProtocol
        let transport: StringTransport
        let log: LogCapture
    }

    func connect(exposing names: [String]? = nil) throws -> Connection {
        let log = LogCapture()
        let factory = try TransformFactory(service: .standard(), exposing: names, logger: log.logger(label: "poetry.transform"))
        let transport = StringTransport()
        let server = try #require(factory.buildProtocol(address: transport.peer) as? TransformProtocol)
        transport.connect(server)
        return Connection(server: server, transport: transport, log: log)
    }

    @Test func theTransformTestExchange() throws {
        let connection = try connect()
        try connection.server.dataReceived(Array("27:cummingsify.HERE IS MY POEM,".utf8)[...])
        #expect(connection.transport.valueString == "15:here is my poem,")
        #expect(connection.transport.isDisconnecting)
        #expect(connection.log.records.isEmpty)
    }

    @Test func aRequestSplitIntoSingleBytesIsAnsweredOnce() throws {
        let connection = try connect()
        for byte in netstring("shout.Ruh") { try connection.server.dataReceived([byte][...]) }
        #expect(connection.transport.valueString == "3:RUH,")
    }

    @Test(arguments: PoemPin.all)
    func everyPoemRoundTripsToItsPinnedCummingsifiedBytes(_ pin: PoemPin) throws {
        let connection = try connect()
        try connection.server.dataReceived(netstring(TransformRequest(name: "cummingsify", poem: try pin.poem.text).payload)[...])
        #expect(connection.transport.value == netstring(PoemTransforms.cummingsify(try pin.poem.text)))
        let payload = connection.transport.value.drop { $0 != UInt8(ascii: ":") }.dropFirst().dropLast()
        #expect(payload.count == pin.cummingsifiedSize)
        #expect(fnv1a(payload) == pin.cummingsifiedHash)
    }

    /// Bad requests, by what the peer sends, and the reason the log line must give.
    static let badInputs: [(sent: String, logged: String)] = [
        ("0:,", "no '.'"),
        ("6:nodot!,", "no '.'"),
        ("9:unknown.x,", "'unknown' no such transform"),
        ("7:title.\n,", "'title' failed"),
        ("01:a,", "malformed netstring"),
        ("3:abcd,", "malformed netstring"),
        ("x:abc,", "malformed netstring"),
        ("100000:", "malformed netstring"),
    ]

    @Test(arguments: badInputs.indices)
    func badInputGetsNoReplyAClosedConnectionAndOneLogLine(_ index: Int) throws {
        let (sent, logged) = Self.badInputs[index]
        let connection = try connect()
        try connection.server.dataReceived(Array(sent.utf8)[...])
        #expect(connection.transport.value.isEmpty)
        #expect(connection.transport.isDisconnecting)
        #expect(connection.log.records.count == 1)
        let line = try #require(connection.log.records.first)
        #expect(line.level == .warning)
        #expect(line.message.contains(logged), "\(line.message)")
        #expect(line.message.contains("192.168.1.1:54321"))
    }

    @Test func aPayloadThatIsNotUTF8IsABadRequest() throws {
        let connection = try connect()
        try connection.server.dataReceived(netstring([UInt8]("shout.".utf8) + [0xC3, 0x28])[...])
        #expect(connection.transport.value.isEmpty)
        #expect(connection.transport.isDisconnecting)
        #expect(connection.log.records.map(\.message).allSatisfy { $0.contains("not valid UTF-8") })
        #expect(connection.log.records.count == 1)
    }

    @Test func aTransformTheFactoryDoesNotExposeIsUnknownEvenIfTheServiceHasIt() throws {
        let connection = try connect(exposing: ["cummingsify"])
        try connection.server.dataReceived(netstring("shout.quiet")[...])
        #expect(connection.transport.value.isEmpty)
        #expect(connection.transport.isDisconnecting)
        #expect(connection.log.records.count == 1)
        #expect(connection.log.records.first?.message.contains("'shout' no such transform") == true)
    }

    @Test func onlyTheFirstOfTwoPipelinedRequestsIsAnswered() throws {
        let connection = try connect()
        try connection.server.dataReceived((netstring("cummingsify.HERE IS MY POEM") + netstring("cummingsify.SECOND"))[...])
        #expect(connection.transport.valueString == "15:here is my poem,")
    }
}
