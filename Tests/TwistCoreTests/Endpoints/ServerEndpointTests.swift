import Testing
import TwistCore
import TwistTesting

/// A reactor whose listen calls throw and whose connect calls record nothing (Twisted's
/// `RaisingMemoryReactor`, for the listen side).
final class RaisingReactor: ReactorTCP, ReactorUNIX, ReactorTime {
    let clock = TestClock()
    func seconds() -> Double { clock.seconds() }
    func callLater(_ delay: Double, _ body: @escaping () throws -> Void) -> DelayedCall { clock.callLater(delay, body) }
    var pendingCalls: [DelayedCall] { clock.pendingCalls }

    func listenTCP(_ port: Int, _ factory: Factory, backlog: Int, interface: String) throws -> any ListeningPort {
        throw CannotListenError(interface: interface, port: port, "Address already in use", osError: 98)
    }

    func connectTCP(_ host: String, _ port: Int, _ factory: ClientFactory, timeout: Double, bindAddress: IPAddress?) -> any Connector {
        MemoryReactor().connectTCP(host, port, factory, timeout: timeout, bindAddress: bindAddress)
    }

    func listenUNIX(_ path: String, _ factory: Factory, backlog: Int, mode: Int, wantPID: Bool) throws -> any ListeningPort {
        throw CannotListenError(unix: UNIXAddress(path), "Address already in use", osError: 98)
    }

    func connectUNIX(_ path: String, _ factory: ClientFactory, timeout: Double, checkPID: Bool) -> any Connector {
        MemoryReactor().connectUNIX(path, factory, timeout: timeout, checkPID: checkPID)
    }
}

@Suite("Server endpoints (items 46–47)")
struct ServerEndpointTests {
    let reactor = MemoryReactor()
    let factory = Factory { Protocol() }

    @Test func tcp4ListensInsideListenWithTheDefaultsAndTheFactoryUnwrapped() throws {
        let endpoint = TCP4ServerEndpoint(reactor: reactor, port: 8080)
        #expect(reactor.listenCalls.isEmpty)
        let listening = endpoint.listen(factory)
        let port = try #require(listening.successValue)
        #expect(port.address == .ipv4("0.0.0.0", 8080))
        let call = try #require(reactor.listenCalls.first)
        #expect((call.port, call.backlog, call.interface) == (8080, 50, ""))
        #expect(call.factory === factory)
        #expect(endpoint.description == "tcp:8080")
    }

    @Test func tcp4PassesNonDefaultArguments() throws {
        let endpoint = TCP4ServerEndpoint(reactor: reactor, port: 1, backlog: 7, interface: "127.0.0.1")
        _ = endpoint.listen(factory)
        let call = try #require(reactor.listenCalls.first)
        #expect((call.port, call.backlog, call.interface) == (1, 7, "127.0.0.1"))
        #expect(endpoint.description == "tcp:1:interface=127.0.0.1:backlog=7")
    }

    @Test func tcp6DefaultsToEveryIPv6Interface() throws {
        let endpoint = TCP6ServerEndpoint(reactor: reactor, port: 8080)
        #expect(endpoint.listen(factory).successValue != nil)
        let call = try #require(reactor.listenCalls.first)
        #expect((call.port, call.backlog, call.interface) == (8080, 50, "::"))
        #expect(call.factory === factory)
        #expect(endpoint.description == "tcp6:8080")
        #expect(TCP6ServerEndpoint(reactor: reactor, port: 1, interface: "::1").description == #"tcp6:1:interface=\:\:1"#)
    }

    @Test func unixListensWithTheDefaults() throws {
        let endpoint = UNIXServerEndpoint(reactor: reactor, path: "/tmp/s")
        let port = try #require(endpoint.listen(factory).successValue)
        #expect(port.address == .unix("/tmp/s"))
        let call = try #require(reactor.unixListenCalls.first)
        #expect((call.path, call.backlog, call.mode, call.wantPID) == ("/tmp/s", 50, 0o666, false))
        #expect(call.factory === factory)
        #expect(endpoint.description == "unix:/tmp/s:lockfile=0")
    }

    @Test func unixPassesNonDefaultArguments() throws {
        let endpoint = UNIXServerEndpoint(reactor: reactor, path: "/s", backlog: 3, mode: 0o600, wantPID: true)
        _ = endpoint.listen(factory)
        let call = try #require(reactor.unixListenCalls.first)
        #expect((call.backlog, call.mode, call.wantPID) == (3, 0o600, true))
        #expect(endpoint.description == "unix:/s:mode=600:backlog=3:lockfile=1")
    }

    @Test func aListenErrorBecomesAFailedDeferredNeverAThrow() {
        let raising = RaisingReactor()
        let endpoints: [any ServerEndpoint] = [
            TCP4ServerEndpoint(reactor: raising, port: 80),
            TCP6ServerEndpoint(reactor: raising, port: 80),
            UNIXServerEndpoint(reactor: raising, path: "/s"),
        ]
        for endpoint in endpoints {
            let listening = endpoint.listen(factory)
            #expect(listening.hasFired)
            #expect(listening.failure?.check(CannotListenError.self)?.osError == 98)
            listening.swallow()
        }
    }
}
