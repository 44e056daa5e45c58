// Getting started, logs: bootstrap swift-log once, before making the reactor, to choose where
// Twist's log lines go and from which level. At debug, a port's opening and closing show.
import Logging
import Twist

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .debug
    return handler
}

let reactor = Reactor()
let port = try reactor.listenTCP(0, Factory { Protocol() }, interface: "127.0.0.1")
reactor.callLater(0.1) { _ = port.stopListening().addBoth { _ in try reactor.stop() } }
try reactor.run()
