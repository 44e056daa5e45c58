// Getting started, the async style: the same exchange written with async/await. Top-level code
// is main-actor isolated; the reactor runs on the main thread and serves the main actor, so the
// body runs there, between the reactor's other work. Prints "reply: HELLO, TWIST".
import Twist

/// Answers every line with the line in capitals.
final class Shout: LineReceiver {
    override func lineReceived(_ line: ArraySlice<UInt8>) throws {
        sendLine(line.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
    }
}

/// Fires `reply` with the first line that comes back.
final class Ask: LineReceiver {
    let reply = Deferred<String>()

    override func lineReceived(_ line: ArraySlice<UInt8>) throws {
        try reply.callback(String(decoding: line, as: UTF8.self))
        transport?.loseConnection()
    }
}

let reactor = Reactor()
let port = try reactor.listenTCP(0, Factory { Shout() }, interface: "127.0.0.1")
_ = Deferred(on: reactor) { () -> String in
    let client = try await ClientCreator(reactor: reactor) { Ask() }
        .connectTCP("127.0.0.1", port.address.port!).value()
    client.sendLine("hello, twist".utf8)
    return try await client.reply.value()
}
.addTimeout(5, clock: reactor)
.addBoth { result in
    switch result {
    case .success(let reply): print("reply:", reply)
    case .failure(let failure): print("failed:", failure)
    }
    try reactor.stop()
}
try reactor.run()
