import Testing
import Twist
import TwistTestSupport

/// The TCP endpoints on the libev reactor, over loopback (the UNIX ones wait for the reactor's
/// `ReactorUNIX`).
@Suite(.timeLimit(.minutes(1))) struct TCPEndpointLoopbackTests {
    @Test func listenThenConnectFiresWithTheApplicationProtocolOnTheRealTransport() async {
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let server = TCP4ServerEndpoint(reactor: reactor, port: 0, interface: "127.0.0.1")
            let port = try #require(server.listen(Factory { EchoProtocol() }).currentResult).get()
            let log = Shared(ConnectionLog())
            let client = TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: port.address.port!)
            let connecting = connectProtocol(client, RecordingClient(log: log, onData: { client, _ in
                client.transport?.loseConnection()
                reactor.callLater(0.02) { try reactor.stop() }
            }))
            outcome.mutate { $0.append("fired at once: \(connecting.hasFired)") }
            _ = connecting.addCallback { client in
                outcome.mutate {
                    $0.append("made before: \(log.value.events == ["made"]), real transport: \(!(client.transport is Protocol))")
                }
                client.transport?.write(Array("ping".utf8)[...])
            }
        }
        #expect(stopped)
        #expect(outcome.value == ["fired at once: false", "made before: true, real transport: true"])
    }

    @Test func aRefusedConnectionFailsWithConnectionRefusedError() async {
        let outcome = Shared<String?>(nil)
        let holder = ReservedPort()
        let number = holder.port
        let stopped = await runReactor { reactor in
            TCP4ClientEndpoint(reactor: reactor, host: "127.0.0.1", port: number)
                .connect(Factory { EchoProtocol() })
                .addErrback { failure -> Protocol in
                    outcome.value = "\(type(of: failure.error))"
                    try reactor.stop()
                    return EchoProtocol()
                }
        }
        withExtendedLifetime(holder) {}
        #expect(stopped)
        #expect(outcome.value == "ConnectionRefusedError")
    }

    @Test func listeningOnAPortInUseFailsTheDeferred() async {
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let first = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "127.0.0.1")
            let second = TCP4ServerEndpoint(reactor: reactor, port: first.address.port!, interface: "127.0.0.1")
                .listen(Factory { EchoProtocol() })
            outcome.mutate { $0.append("fired at once: \(second.hasFired)") }
            second.addErrback { failure -> any ListeningPort in
                outcome.mutate { $0.append("\(type(of: failure.error))") }
                return first
            }
            try reactor.stop()
        }
        #expect(stopped)
        #expect(outcome.value == ["fired at once: true", "CannotListenError"])
    }

    /// `TCP6ClientEndpoint` with the reactor's own resolver and the real `localhost`: when the
    /// system gives `localhost` an IPv6 address (`::1` in most `/etc/hosts`), it connects there —
    /// to a server that listens on `::1` only; when it gives IPv4 only, it fails with
    /// `DNSLookupError` and connects nowhere (what Twisted's `AF_INET6` lookup does).
    @Test func tcp6ResolvesLocalhostToIPv6Only() async {
        let outcome = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, interface: "::1")
            let number = port.address.port!
            _ = reactor.resolveHostName("localhost", port: number).addCallback { all in
                let hasIPv6 = all.contains { $0.family == .ipv6 }
                let connecting = TCP6ClientEndpoint(reactor: reactor, host: "localhost", port: number)
                    .connect(Factory { EchoProtocol() })
                _ = connecting.addCallbacks({ made -> Void in
                    outcome.mutate { $0.append("ipv6 \(hasIPv6): connected to \(made.transport!.peer)") }
                    made.transport?.loseConnection()
                    try reactor.stop()
                }, { failure -> Void in
                    outcome.mutate { $0.append("ipv6 \(hasIPv6): \(type(of: failure.error))") }
                    try reactor.stop()
                })
            }
        }
        #expect(stopped)
        let line = outcome.value.first ?? ""
        #expect(outcome.value.count == 1)
        #expect((line.hasPrefix("ipv6 true: connected to") && line.contains("::1")) || line == "ipv6 false: DNSLookupError", "\(line)")
    }
}
