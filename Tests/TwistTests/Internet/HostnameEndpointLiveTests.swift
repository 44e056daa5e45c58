import Testing
import Twist
import TwistTestSupport

/// The reactor's name resolver and HostnameEndpoint over real sockets on loopback.
@Suite(.timeLimit(.minutes(1))) struct HostnameEndpointLiveTests {
    @Test func theReactorResolvesLocalhostAndLiteralsWithoutBlocking() async {
        let answers = Shared<[[IPAddress]]>([])
        let stopped = await runReactor { reactor in
            _ = reactor.resolveHostName("127.0.0.1", port: 7)
                .addCallback { first in
                    answers.mutate { $0 = [first] }
                    return reactor.resolveHostName("localhost", port: 7)
                }
                .addCallback { second in
                    answers.mutate { $0.append(second) }
                    return reactor.resolveHostName("name.invalid", port: 7)
                }
                .addCallback { third in
                    answers.mutate { $0.append(third) }
                    try reactor.stop()
                }
        }
        #expect(stopped)
        guard answers.value.count == 3 else {
            Issue.record("answers: \(answers.value)")
            return
        }
        #expect(answers.value[0] == [.ipv4("127.0.0.1", 7)])
        #expect(answers.value[1].contains(.ipv4("127.0.0.1", 7)))
        #expect(answers.value[1].allSatisfy { $0.port == 7 })
        #expect(Set(answers.value[1]).count == answers.value[1].count)
        #expect(answers.value[2].isEmpty)
    }

    @Test func connectsToLocalhostWhicheverFamilyListens() async {
        final class Hello: Protocol {
            override func connectionMade() { transport?.write("hi".utf8) }
        }
        let peer = Shared<String>("")
        let received = Shared<[UInt8]>([])
        let stopped = await runReactor { reactor in
            let listening = try reactor.listenTCP(0, Factory { Hello() }, interface: "127.0.0.1")
            final class Collect: Protocol {
                let sink: Shared<[UInt8]>
                let done: () throws -> Void
                init(_ sink: Shared<[UInt8]>, _ done: @escaping () throws -> Void) { self.sink = sink; self.done = done }
                override func dataReceived(_ data: ArraySlice<UInt8>) throws {
                    sink.mutate { $0.append(contentsOf: data) }
                    if sink.value.count == 2 { try done() }
                }
            }
            _ = HostnameEndpoint(reactor, host: "localhost", port: listening.address.port!, attemptDelay: 0.05)
                .connect(Factory { Collect(received) { try reactor.stop() } })
                .addCallbacks(
                    { made in peer.mutate { $0 = "\(made.transport!.peer)" } },
                    { failure in
                        peer.mutate { $0 = "failed: \(failure.error)" }
                        try reactor.stop()
                    }
                )
        }
        #expect(stopped)
        #expect(peer.value.hasPrefix("127.0.0.1:"), "\(peer.value)")
        #expect(received.value == Array("hi".utf8))
    }

    @Test func aRefusedHostReportsEveryAddressItTried() async {
        let reason = Shared<String>("")
        let reserved = ReservedPort()
        let refused = reserved.port
        let stopped = await runReactor { reactor in
            _ = HostnameEndpoint(reactor, host: "localhost", port: refused, attemptDelay: 0.05)
                .connect(Factory { Protocol() })
                .addCallbacks(
                    { _ in try reactor.stop() },
                    { failure in
                        reason.mutate { $0 = "\(failure.error)" }
                        try reactor.stop()
                    }
                )
        }
        withExtendedLifetime(reserved) {}
        #expect(stopped)
        #expect(reason.value.contains("couldn't connect to any address of the host: localhost:"), "\(reason.value)")
        #expect(reason.value.contains("127.0.0.1:"), "\(reason.value)")
    }
}
