import Poetry
import Testing
import TwistTesting

/// The fast and slow servers' protocols, driven by hand with StringTransport and TestClock.
@Suite struct PoetryServerProtocolTests {
    @Test(arguments: PoemPin.all)
    func theFastServerWritesTheWholePoemThenAsksToClose(_ pin: PoemPin) throws {
        let factory = PoetryServerFactory(poem: try pin.poem.bytes)
        let transport = StringTransport()
        transport.connect(try #require(factory.buildProtocol(address: transport.peer)))
        #expect(transport.value.count == pin.size)
        #expect(fnv1a(transport.value) == pin.hash)
        #expect(transport.isDisconnecting)
        #expect(!transport.isDisconnected)  // a graceful close: what was written is still sent
    }

    @Test func theSlowServerSendsAChunkEveryDelayThenCloses() throws {
        let clock = TestClock()
        let lines = Recorder()
        let poem = Array("abcdefghijklmnopqrstuvwxy\n".utf8)  // 26 bytes: chunks of 10, 10, 6
        let factory = SlowPoetryFactory(poem: poem, charactersPerChunk: 10, delay: 0.5, clock: clock, output: lines.output)
        let transport = StringTransport()
        let server = try #require(factory.buildProtocol(address: transport.peer) as? SlowPoetryProtocol)
        transport.connect(server)
        #expect(transport.valueString == "abcdefghij")  // the first chunk goes out at once
        try clock.advance(0.25)
        #expect(transport.value.count == 10)
        try clock.advance(0.25)
        #expect(transport.valueString == "abcdefghijklmnopqrst")
        try clock.advance(0.5)
        #expect(transport.value == poem)
        #expect(!transport.isDisconnecting)
        try clock.advance(0.5)
        #expect(transport.isDisconnecting)
        #expect(!server.isSending)
        #expect(clock.pendingCalls.isEmpty)
        #expect(lines.out == ["Somebody at 192.168.1.1:54321 wants poetry!\n", "Sending 10 bytes\n", "Sending 10 bytes\n", "Sending 6 bytes\n"])
    }

    @Test func aClientThatHangsUpMidPoemStopsItsTimerAtOnce() throws {
        let clock = TestClock()
        let factory = SlowPoetryFactory(poem: try BundledPoems.poem(named: "the-tyger").bytes, charactersPerChunk: 10, delay: 1, clock: clock)
        let leaving = StringTransport(disconnectsProtocol: true)
        let staying = StringTransport()
        let leaver = try #require(factory.buildProtocol(address: leaving.peer) as? SlowPoetryProtocol)
        let stayer = try #require(factory.buildProtocol(address: staying.peer) as? SlowPoetryProtocol)
        leaving.connect(leaver)
        staying.connect(stayer)
        try clock.advance(1)
        #expect(clock.pendingCalls.count == 2)
        leaving.loseConnection()  // delivers connectionLost
        #expect(!leaver.isSending)
        #expect(clock.pendingCalls.count == 1)  // only the other client's timer is left
        let sentBeforeLeaving = leaving.value.count
        try clock.pump(Array(repeating: 1, count: 5))
        #expect(leaving.value.count == sentBeforeLeaving)
        #expect(staying.value.count == 70)
        #expect(stayer.isSending)
    }

    @Test(arguments: [1, 3, 10, 1000])
    func slowChunksOfNonASCIITextAreWholeCharactersAndAddUpToThePoem(_ characters: Int) throws {
        let poem = try BundledPoems.poem(named: "die-lorelei").bytes
        let clock = TestClock()
        let lines = Recorder()
        let factory = SlowPoetryFactory(poem: poem, charactersPerChunk: characters, delay: 1, clock: clock, output: lines.output)
        let transport = StringTransport()
        transport.connect(try #require(factory.buildProtocol(address: transport.peer)))
        var chunks: [[UInt8]] = []
        var seen = 0
        while !transport.isDisconnecting {
            if transport.value.count > seen {
                chunks.append(Array(transport.value[seen...]))
                seen = transport.value.count
            }
            try clock.advance(1)
        }
        #expect(transport.value == poem)
        for chunk in chunks.dropLast() {
            #expect(String(validating: chunk, as: UTF8.self)?.unicodeScalars.count == characters)
        }
        let sentSizes = lines.out.dropFirst().map { $0 }
        #expect(sentSizes == chunks.map { "Sending \($0.count) bytes\n" })
        if characters == 10 { #expect(chunks.contains { $0.count > 10 }) }  // "ß", "ä": more bytes than characters
    }
}

/// Collects what a ``PoetryOutput`` is given.
final class Recorder {
    private(set) var out: [String] = []
    private(set) var err: [String] = []

    var output: PoetryOutput {
        PoetryOutput(out: { [unowned self] in out.append($0) }, err: { [unowned self] in err.append($0) })
    }
}
