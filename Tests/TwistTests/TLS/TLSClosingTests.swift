import Testing
import Twist
import TwistTestSupport
import TwistTesting

/// How TLS connections end, in memory: close_notify both ways, closing during the handshake, a
/// peer that vanishes without close_notify or never answers, timeouts on a test clock, aborts and
/// bad input.
@Suite struct TLSClosingTests {
    @Test func loseConnectionAfterTheHandshakeEndsCleanlyOnBothSidesAfterDeliveringEverything() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        let big = [UInt8](repeating: 7, count: 1 << 20)
        tls.client.transport?.write(big)
        tls.client.transport?.loseConnection()
        #expect(tls.client.transport?.isDisconnecting == true)
        tls.client.transport?.write([1, 2, 3])  // dropped: after loseConnection
        tls.flush()
        #expect(tls.server.received == big)
        #expect(tls.client.reason?.matches(ConnectionDone.self) == true, "\(String(describing: tls.client.reason))")
        #expect(tls.server.reason?.matches(ConnectionDone.self) == true, "\(String(describing: tls.server.reason))")
        #expect(tls.pair.clientTransport.isDisconnected && tls.pair.serverTransport.isDisconnected)
    }

    @Test func loseConnectionTwiceOrAfterTheEndDoesNothingMore() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        tls.server.transport?.loseConnection()
        tls.server.transport?.loseConnection()
        tls.flush()
        tls.server.tls.loseConnection()
        tls.server.tls.abortConnection()
        tls.flush()
        #expect(tls.server.events.filter { $0 == "connectionLost" }.count == 1)
        #expect(tls.server.reason?.matches(ConnectionDone.self) == true)
    }

    @Test func loseConnectionDuringTheHandshakeWithNothingWrittenAborts() throws {
        let client = TLSRecorder()
        let tls = try TLSMemoryPair(client: client)
        tls.client.transport?.loseConnection()  // the ClientHello is out, nothing else
        tls.flush()
        #expect(tls.client.reason?.check(ConnectionLost.self) != nil)
        #expect(tls.server.reason?.check(ConnectionLost.self) != nil || tls.server.reason?.check(TLSError.self) != nil)
        #expect(!tls.client.events.contains("handshakeCompleted"))
    }

    @Test func loseConnectionDuringTheHandshakeWithWritesPendingDeliversThemThenClosesCleanly() throws {
        let tls = try TLSMemoryPair(client: TLSRecorder(greeting: "last words"))
        tls.client.transport?.loseConnection()
        tls.flush()
        #expect(tls.server.text == "last words")
        #expect(tls.client.reason?.matches(ConnectionDone.self) == true, "\(String(describing: tls.client.reason))")
        #expect(tls.server.reason?.matches(ConnectionDone.self) == true, "\(String(describing: tls.server.reason))")
    }

    @Test func theConnectionEndingWithoutCloseNotifyIsConnectionLost() throws {
        let tls = try TLSMemoryPair(server: TLSRecorder(greeting: "data first"))
        tls.flush()
        // The server's socket closes with no TLS close_notify (a truncation looks like this).
        tls.pair.serverTransport.loseConnection()
        tls.flush()
        #expect(tls.client.text == "data first")
        let reason = try #require(tls.client.reason)
        #expect(reason.check(ConnectionLost.self) != nil, "\(reason)")
        #expect(reason.check(ConnectionAborted.self) == nil)
    }

    @Test func aPeerThatNeverAnswersCloseNotifyIsClosedAfterTheShutdownTimeout() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        tls.client.transport?.loseConnection()
        // The peer reads our close_notify but never answers: it never reaches its TLS layer.
        #expect(!tls.pair.clientTransport.takeUnsent().isEmpty)
        tls.flush()
        #expect(tls.client.reason == nil, "waits for the peer's close_notify")
        try tls.clock.advance(4.9)
        tls.flush()
        #expect(tls.client.reason == nil)
        try tls.clock.advance(0.2)
        tls.flush()
        // Then the socket is closed (gracefully: anything still queued is sent first).
        #expect(tls.client.reason?.matches(ConnectionDone.self) == true, "\(String(describing: tls.client.reason))")
    }

    @Test func aHandshakeThatNeverCompletesTimesOut() throws {
        let server = try TLSTestContexts.server { $0.handshakeTimeout = 10 }
        let tls = try TLSMemoryPair(serverContext: server)
        // The client's ClientHello never reaches the server.
        tls.pair.serverTransport.pauseProducing()
        tls.flush()
        try tls.clock.advance(9.9)
        #expect(tls.server.reason == nil)
        try tls.clock.advance(0.2)
        tls.flush()
        #expect(tls.server.reason?.check(TLSHandshakeTimeoutError.self) != nil, "\(String(describing: tls.server.reason))")
        #expect(tls.clock.pendingCalls.isEmpty || tls.clock.pendingCalls.allSatisfy { !$0.isActive })
    }

    @Test func theHandshakeTimerIsCancelledWhenTheHandshakeCompletes() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        #expect(tls.clock.pendingCalls.isEmpty)
        try tls.clock.advance(60)
        tls.flush()
        #expect(tls.client.reason == nil && tls.server.reason == nil)
    }

    @Test func garbageInsteadOfAClientHelloFailsThatConnectionWithATLSError() throws {
        let server = TLSRecorder()
        let clock = TestClock()
        let wrapper = try TLSProtocolWrapper(wrapping: server, context: try TLSTestContexts.server(), clock: clock)
        let transport = StringTransport()
        wrapper.makeConnection(transport)
        try wrapper.dataReceived(Array("GET / HTTP/1.1\r\nHost: example.org\r\n\r\n".utf8)[...])
        #expect(transport.isDisconnecting)
        wrapper.connectionLost(reason: Failure(ConnectionDone()))
        let error = try #require(server.reason?.check(TLSError.self))
        #expect(!error.reasons.isEmpty, "OpenSSL's reason is carried")
        #expect(server.received.isEmpty)
    }

    @Test func aTruncatedRecordAfterTheHandshakeEndsAsConnectionLost() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        // Half a record reaches the server, then its socket ends.
        tls.client.transport?.write(Array(repeating: 1, count: 1000))
        let record = tls.pair.clientTransport.takeUnsent()
        try tls.server.tls.dataReceived(record.prefix(record.count / 2))
        tls.server.tls.connectionLost(reason: Failure(ConnectionDone()))
        #expect(tls.server.received.isEmpty)
        #expect(tls.server.reason?.check(ConnectionLost.self) != nil)
    }

    @Test func aCorruptedRecordFailsWithATLSError() throws {
        let tls = try TLSMemoryPair()
        tls.flush()
        tls.client.transport?.write(Array(repeating: 1, count: 100))
        var record = tls.pair.clientTransport.takeUnsent()
        record[record.count - 3] ^= 0xff
        try tls.server.tls.dataReceived(record[...])
        tls.flush()
        #expect(tls.server.received.isEmpty)
        let error = try #require(tls.server.reason?.check(TLSError.self))
        #expect(!error.reasons.isEmpty)
    }

    @Test func abortStopsDeliveryAtOnce() throws {
        let server = TLSRecorder()
        let tls = try TLSMemoryPair(server: server)
        tls.flush()
        tls.client.transport?.write(Array("one".utf8))
        tls.server.transport?.abortConnection()
        tls.flush()
        #expect(server.received.isEmpty)
        #expect(server.reason?.check(ConnectionAborted.self) != nil)
        #expect(tls.client.reason?.check(ConnectionLost.self) != nil)
    }

    @Test func afterConnectionLostTheWrapperLetsGoOfTheProtocolAndTheEngine() throws {
        weak var weakServer: TLSRecorder?
        weak var weakWrapper: TLSProtocolWrapper?
        do {
            let tls = try TLSMemoryPair()
            weakServer = tls.server
            weakWrapper = tls.serverWrapper
            tls.flush()
            tls.client.transport?.loseConnection()
            tls.flush()
            #expect(tls.serverWrapper.wrappedProtocol == nil)
            #expect(!tls.serverWrapper.isHandshakeComplete, "the engine is gone")
        }
        #expect(weakServer == nil)
        #expect(weakWrapper == nil)
    }
}

/// Closing from `handshakeCompleted()` still sends what `connectionMade` wrote (only an abort
/// there guarantees the peer never sees it).
@Suite struct TLSCloseFromHandshakeCompletedTests {
    @Test func loseConnectionInHandshakeCompletedDeliversTheWritesKeptForTheHandshake() throws {
        let client = TLSRecorder(greeting: "kept for the handshake")
        client.onHandshake = { $0.transport?.loseConnection() }
        let tls = try TLSMemoryPair(client: client)
        tls.flush()
        #expect(tls.server.text == "kept for the handshake")
        #expect(client.reason?.matches(ConnectionDone.self) == true, "\(String(describing: client.reason))")
        #expect(tls.server.reason?.matches(ConnectionDone.self) == true)
    }
}
