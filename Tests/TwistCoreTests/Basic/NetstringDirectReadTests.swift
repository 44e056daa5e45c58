import Testing
import TwistCore
import TwistTesting
import TwistTestSupport

/// A long netstring's rest read straight into the receiver's own buffer (`readDirectly`), played
/// the way a stream transport plays it: offer the read, put what fits in the region there and
/// the bytes after it in the transport's buffer, then deliver those with `dataReceived`.
@Suite struct NetstringDirectReadTests {
    /// Plays one transport read of `incoming`, at most `limit` bytes of it, into the region the
    /// receiver offers (then into a buffer of `spare` bytes). Returns nil when the receiver made
    /// no offer (nothing was read), else the bytes consumed from `incoming`.
    static func directRead(
        _ receiver: NetstringReceiver, _ incoming: inout ArraySlice<UInt8>, limit: Int = .max, spare: Int = 65_536
    ) throws -> Int? {
        var region = 0
        var buffer = [UInt8](repeating: 0, count: spare)
        let available = incoming
        let count = receiver.readDirectly { target in
            region = target.count
            let total = min(available.count, limit, target.count + spare)
            let intoRegion = min(total, target.count)
            available.prefix(intoRegion).withUnsafeBytes { target.copyMemory(from: $0) }
            buffer.replaceSubrange(0..<(total - intoRegion), with: available.dropFirst(intoRegion).prefix(total - intoRegion))
            return total
        }
        guard let count else { return nil }
        incoming = incoming.dropFirst(count)
        let past = count - min(count, region)
        if past > 0 { try receiver.dataReceived(buffer[0..<past]) }
        return count
    }

    static func frame(_ payload: [UInt8]) -> [UInt8] {
        Array("\(payload.count):".utf8) + payload + [UInt8(ascii: ",")]
    }

    static func payload(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    }

    @Test func theRestOfALongPayloadIsReadIntoItsOwnBufferAndDeliveredWhole() throws {
        let (receiver, _) = connectedRecorder()
        let long = Self.payload(16_384, seed: 3)
        var incoming = (Self.frame(long) + Self.frame(Array("next".utf8)))[...]
        try receiver.dataReceived(incoming.prefix(1_000))  // the header and the start
        incoming = incoming.dropFirst(1_000)
        #expect(receiver.strings.isEmpty)

        let consumed = try Self.directRead(receiver, &incoming)
        #expect(consumed != nil, "a long rest is read directly")
        #expect(incoming.isEmpty)
        #expect(receiver.strings == [long, Array("next".utf8)])
        #expect(receiver.errors.isEmpty)
    }

    @Test func noOfferBetweenMessagesForAShortRestOrAfterAnError() throws {
        let (receiver, _) = connectedRecorder()
        var incoming: ArraySlice<UInt8> = []
        #expect(try Self.directRead(receiver, &incoming) == nil, "between messages")

        try receiver.feed("3000:")
        #expect(try Self.directRead(receiver, &incoming) == nil, "no payload byte yet: nothing carried")
        try receiver.dataReceived(ArraySlice(repeating: 1, count: 1_000))
        #expect(try Self.directRead(receiver, &incoming) != nil, "2,000 bytes left")
        try receiver.dataReceived(ArraySlice(repeating: 1, count: 1_000))
        #expect(try Self.directRead(receiver, &incoming) == nil, "1,000 left: copied as usual")

        let (broken, _) = connectedRecorder()
        try broken.feed("5000:abc")
        try broken.feed("x")  // still payload; now break it at the comma
        #expect(try Self.directRead(broken, &incoming) != nil)
        try broken.dataReceived(ArraySlice(repeating: 0, count: 4_996))
        try broken.feed("!")
        #expect(broken.errors.count == 1)
        #expect(try Self.directRead(broken, &incoming) == nil, "a broken peer is read no more")
    }

    @Test func partialDirectReadsEndOfInputAndErrorsKeepTheBytesInOrder() throws {
        let (receiver, _) = connectedRecorder()
        let long = Self.payload(50_000, seed: 9)
        var incoming = Self.frame(long)[...]
        try receiver.dataReceived(incoming.prefix(10))
        incoming = incoming.dropFirst(10)

        // A read that fails or finds the end of input takes nothing.
        for result in [0, -1] {
            let count = receiver.readDirectly { _ in result }
            #expect(count == result)
        }
        // Direct reads of odd sizes, then ordinary deliveries, then direct again.
        #expect(try Self.directRead(receiver, &incoming, limit: 3_333) == 3_333)
        try receiver.dataReceived(incoming.prefix(777))
        incoming = incoming.dropFirst(777)
        while try Self.directRead(receiver, &incoming, limit: 12_345) != nil {}
        #expect(incoming.count < NetstringReceiver.defaultDirectReadMinimum + 1, "only the short rest is left")
        try receiver.dataReceived(incoming)
        #expect(receiver.strings == [long])
    }

    @Test func theHandlerMayKeepADirectlyReadPayloadWhileTheNextOneArrives() throws {
        let (receiver, _) = connectedRecorder()
        var kept: [ArraySlice<UInt8>] = []
        receiver.onString = { _, string in kept.append(string) }
        let first = Self.payload(20_000, seed: 1)
        let second = Self.payload(30_000, seed: 2)
        for payload in [first, second] {
            var incoming = Self.frame(payload)[...]
            try receiver.dataReceived(incoming.prefix(2_000))
            incoming = incoming.dropFirst(2_000)
            _ = try Self.directRead(receiver, &incoming)
        }
        #expect(kept.map(Array.init) == [first, second])
    }
}
