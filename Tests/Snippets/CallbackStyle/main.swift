// Getting started, the callback style: a line server and a client in one program. The client
// connects with ClientCreator, sends a line, and the reply fires a Deferred whose callbacks print
// it and stop the reactor. Prints "reply: HELLO, TWIST".
import Twist

/// Answers every line with the line in capitals.
final class Shout: LineReceiver {
    override func lineReceived(_ line: ArraySlice<UInt8>) throws {
        sendLine(line.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
    }
}

/// Sends one line and fires `reply` with the first line that comes back.
final class Ask: LineReceiver {
    let reply = Deferred<String>()

    override func lineReceived(_ line: ArraySlice<UInt8>) throws {
        try reply.callback(String(decoding: line, as: UTF8.self))
        transport?.loseConnection()
    }
}

let reactor = Reactor()
let port = try reactor.listenTCP(0, Factory { Shout() }, interface: "127.0.0.1")
ClientCreator(reactor: reactor) { Ask() }
    .connectTCP("127.0.0.1", port.address.port!)
    .addCallback { client -> Deferred<String> in  // a callback that returns a Deferred: the chain waits for it
        client.sendLine("hello, twist".utf8)
        return client.reply
    }
    .addCallback { reply in print("reply:", reply) }
    .addErrback { failure in print("failed:", failure) }
    .addBoth { _ in try reactor.stop() }
try reactor.run()
