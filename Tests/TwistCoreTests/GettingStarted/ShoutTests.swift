// Getting started, testing a protocol: no reactor and no socket. A StringTransport records what
// the protocol writes; the test feeds it bytes, in pieces as a network might.
import Testing
import TwistCore
import TwistTesting

/// Answers every line with the line in capitals.
final class Shout: LineReceiver {
    override func lineReceived(_ line: ArraySlice<UInt8>) throws {
        sendLine(line.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
    }
}

@Test func shoutAnswersEachLineInCapitalsHoweverItArrives() throws {
    let transport = StringTransport()
    let shout = Shout()
    transport.connect(shout)
    try shout.dataReceived(Array("hello, tw".utf8)[...])
    try shout.dataReceived(Array("ist\r\nagain\r\n".utf8)[...])
    #expect(transport.valueString == "HELLO, TWIST\r\nAGAIN\r\n")
}
