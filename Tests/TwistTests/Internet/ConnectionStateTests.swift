@testable import Twist

import Testing

/// The connection's state machine without a socket: each transition happens only from the states
/// it is legal in, and says whether it happened.
@Suite struct ConnectionStateTests {
    /// The machine in a box: `#expect` cannot hold a mutating call on a value, so the tests drive
    /// the machine through this reference, one forwarding method per transition.
    @dynamicMemberLookup
    final class Machine {
        private var value = ConnectionState()

        subscript<Value>(dynamicMember keyPath: KeyPath<ConnectionState, Value>) -> Value { value[keyPath: keyPath] }

        @discardableResult func start() -> Bool { value.start() }
        @discardableResult func pauseReading() -> Bool { value.pauseReading() }
        @discardableResult func resumeReading() -> Bool { value.resumeReading() }
        @discardableResult func peerClosedWriting() -> Bool { value.peerClosedWriting() }
        @discardableResult func loseWriteConnection() -> Bool { value.loseWriteConnection() }
        @discardableResult func takePendingWriteShutdown() -> Bool { value.takePendingWriteShutdown() }
        @discardableResult func loseConnection() -> Bool { value.loseConnection() }
        @discardableResult func abort() -> Bool { value.abort() }
        @discardableResult func close() -> Bool { value.close() }
    }

    static func connected() -> Machine {
        let state = Machine()
        #expect(state.start())
        return state
    }

    @Test func aNewConnectionIsConnectingAndDoesNothingUntilStarted() {
        let state = Machine()
        #expect(state.phase == .connecting)
        #expect(!state.wantsToRead && !state.acceptsWrites && !state.canFlush && !state.isDisconnecting)
        #expect(!state.loseConnection() && !state.loseWriteConnection() && !state.abort())
        #expect(!state.pauseReading() && !state.resumeReading() && !state.peerClosedWriting())
        #expect(state.phase == .connecting)
        #expect(state.start())
        #expect(!state.start(), "starting twice")
        #expect(state.phase == .connected(read: .reading, write: .open))
        #expect(state.wantsToRead && state.acceptsWrites && state.canFlush && !state.isDisconnecting)
    }

    @Test func pausingAndResumingReading() {
        let state = Self.connected()
        #expect(state.pauseReading())
        #expect(!state.pauseReading(), "paused already")
        #expect(!state.wantsToRead && state.acceptsWrites)
        #expect(state.resumeReading())
        #expect(!state.resumeReading(), "reading already")
        #expect(state.wantsToRead)
    }

    @Test func thePeersEndOfFileClosesTheReadingHalfForGood() {
        let state = Self.connected()
        #expect(state.peerClosedWriting())
        #expect(!state.peerClosedWriting())
        #expect(state.phase == .connected(read: .closedByPeer, write: .open))
        #expect(!state.wantsToRead && state.acceptsWrites && !state.isDisconnecting)
        #expect(!state.pauseReading() && !state.resumeReading(), "pausing cannot reopen it")
        #expect(!state.wantsToRead)
    }

    @Test func loseWriteConnectionRefusesWritesThenShutsDownOnceDrained() {
        let state = Self.connected()
        #expect(!state.takePendingWriteShutdown(), "nothing pending")
        #expect(state.loseWriteConnection())
        #expect(!state.loseWriteConnection())
        #expect(!state.acceptsWrites && state.canFlush && state.wantsToRead)
        #expect(state.takePendingWriteShutdown())
        #expect(!state.takePendingWriteShutdown(), "shut down once")
        #expect(state.phase == .connected(read: .reading, write: .shutDown))
        #expect(state.isConnected && !state.isDisconnecting)
        #expect(state.loseConnection(), "loseConnection still ends the connection")
        #expect(state.phase == .disconnecting(write: .shutDown))
    }

    @Test func bothHalvesClosedIsStillConnectedUntilLoseConnection() {
        let state = Self.connected()
        state.peerClosedWriting()
        state.loseWriteConnection()
        #expect(state.takePendingWriteShutdown())
        #expect(state.phase == .connected(read: .closedByPeer, write: .shutDown))
        #expect(state.isConnected && !state.wantsToRead && !state.acceptsWrites)
    }

    @Test func loseConnectionFlushesThenCloses() {
        let state = Self.connected()
        #expect(state.loseConnection())
        #expect(!state.loseConnection(), "twice is harmless")
        #expect(state.phase == .disconnecting(write: .open))
        #expect(state.isDisconnecting && state.isFlushingToClose && state.canFlush && state.acceptsWrites)
        #expect(!state.wantsToRead && !state.pauseReading() && !state.resumeReading())
        #expect(!state.loseWriteConnection(), "only while connected")
        #expect(state.close())
        #expect(state.isClosed && !state.canFlush && !state.acceptsWrites)
    }

    @Test func aPendingWriteShutdownStillHappensWhileDisconnecting() {
        let state = Self.connected()
        state.loseWriteConnection()
        state.loseConnection()
        #expect(state.phase == .disconnecting(write: .shutdownPending))
        #expect(!state.acceptsWrites)
        #expect(state.takePendingWriteShutdown())
        #expect(state.phase == .disconnecting(write: .shutDown))
    }

    @Test func abortStopsEverythingAndWaitsForTheClose() {
        let preparations: [(Machine) -> Void] = [
            { _ in }, { $0.loseConnection() }, { $0.loseWriteConnection() },
        ]
        for prepare in preparations {
            let state = Self.connected()
            prepare(state)
            #expect(state.abort())
            #expect(state.phase == .aborting)
            #expect(!state.abort(), "aborting twice")
            #expect(state.isDisconnecting && !state.canFlush && !state.acceptsWrites && !state.wantsToRead)
            #expect(!state.loseConnection() && !state.loseWriteConnection() && !state.takePendingWriteShutdown())
            #expect(state.close())
        }
    }

    @Test func closeHappensOnceFromAnyState() {
        let phases: [(Machine) -> Void] = [
            { _ in }, { $0.start() }, { $0.start(); $0.loseConnection() }, { $0.start(); $0.abort() },
        ]
        for prepare in phases {
            let state = Machine()
            prepare(state)
            #expect(state.close())
            #expect(!state.close())
            #expect(state.phase == .closed && state.isDisconnecting)
            #expect(!state.start() && !state.abort() && !state.loseConnection() && !state.resumeReading())
            #expect(state.phase == .closed)
        }
    }
}
