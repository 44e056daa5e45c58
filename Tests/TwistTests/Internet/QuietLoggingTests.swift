import Twist
import TwistTestSupport
import TwistTesting

import Testing

/// A library is quiet at the default `info` level: a server and a client that connect, talk and
/// close log nothing there (the factories' start and stop and the port's open and close are
/// `debug` lines), as a Twisted program prints nothing until it starts logging.
@Suite struct QuietLoggingTests {
    @Test func aConnectionThatComesAndGoesLogsNothingAtInfoOrAbove() async {
        let capture = LogCapture()
        let client = Shared(ConnectionLog())
        let stopped = await runReactor(logger: capture.logger()) { reactor in
            let serverFactory = Factory { EchoProtocol() }
            serverFactory.logger = capture.logger(label: "server")
            let port = try reactor.listenTCP(0, serverFactory, interface: "127.0.0.1")
            let clientFactory = RecordingClientFactory(notes: Shared([])) {
                RecordingClient(log: client, onConnected: { $0.transport?.write("hi".utf8) }, onData: { me, _ in
                    if client.value.received.count == 2 { me.transport?.loseConnection() }
                })
            }
            clientFactory.logger = capture.logger(label: "client")
            reactor.connectTCP("127.0.0.1", port.address.port!, clientFactory)
            func stopOnceClosed() {
                if client.value.lostReason == nil {
                    reactor.callLater(0.01) { stopOnceClosed() }
                } else {
                    _ = port.stopListening().addBoth { _ in try reactor.stop() }
                }
            }
            stopOnceClosed()
        }
        #expect(stopped)
        #expect(client.value.received == Array("hi".utf8))
        let loud = capture.records.filter { $0.level >= .info }
        #expect(loud.isEmpty, "logged at info or above: \(loud)")
        let debug = capture.records.filter { $0.level == .debug }.map(\.message)
        #expect(debug.contains { $0.hasPrefix("Starting factory") }, "still there at debug: \(debug)")
        #expect(debug.contains { $0.contains("starting on") })
    }
}
