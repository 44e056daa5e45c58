import Foundation
import Glibc
import Testing
import Twist
import TwistTestSupport

/// A group listening on endpoints: descriptions, adopted sockets, TLS, and what it refuses.
@Suite(.timeLimit(.minutes(1))) struct ReactorGroupEndpointTests {
    @Test(arguments: [GroupListeningStrategy.handOff, .reusePort])
    func aTCPDescriptionServesFromEveryReactor(strategy: GroupListeningStrategy) async throws {
        let group = ReactorGroup(count: 2)
        let stats = Shared(GroupServerStats(reactors: 2))
        let port = try group.listen(
            "tcp:0:interface=127.0.0.1", strategy: strategy, factory: GroupEchoFactory.maker(for: group, stats: stats))
        #expect(port.strategy == strategy)
        let served = try await serveClients(group, port, stats: stats, total: 32)
        #expect(served.allSatisfy { $0 > 0 }, "\(served)")
        #expect(stats.value.wrongThread == 0)
    }

    @Test(arguments: [GroupListeningStrategy.handOff, .reusePort])
    func aGroupOfOneServesEverythingItself(strategy: GroupListeningStrategy) async throws {
        let group = ReactorGroup(count: 1)
        let stats = Shared(GroupServerStats(reactors: 1))
        let port = try group.listenTCP(
            0, interface: "127.0.0.1", strategy: strategy, factory: GroupEchoFactory.maker(for: group, stats: stats))
        let served = try await serveClients(group, port, stats: stats, total: 6)
        #expect(served == [6])
        #expect(stats.value.wrongThread == 0)
    }

    @Test func anAdoptedSocketIsHandedOffAndItsDescriptorClosed() async throws {
        let listener = try #require(listeningSocket())
        let group = ReactorGroup(count: 2)
        let stats = Shared(GroupServerStats(reactors: 2))
        let endpoint = AdoptedStreamServerEndpoint(reactor: group.reactors[0], fileDescriptor: listener, family: .inet)
        #expect(throws: UnsupportedGroupEndpoint.self) {
            try group.listen(endpoint, strategy: .reusePort, factory: GroupEchoFactory.maker(for: group, stats: stats))
        }
        let socketInode = inode(of: listener)
        let port = try group.listen(endpoint, factory: GroupEchoFactory.maker(for: group, stats: stats))
        // Closed (the number may already name something else of another test, never this socket).
        #expect(inode(of: listener) != socketInode, "the original descriptor is closed; the group keeps a duplicate")
        let served = try await serveClients(group, port, stats: stats, total: 10)
        #expect(served == [5, 5])
    }

    @Test func aUNIXDescriptionRefusesReusePort() throws {
        let group = ReactorGroup(count: 2)
        defer { group.requestStop() }
        #expect(throws: UnsupportedGroupEndpoint.self) {
            try group.listen("unix:/tmp/twist-group-never.sock", strategy: .reusePort) { _ in Factory { Protocol() } }
        }
        #expect(throws: EndpointDescriptionError.self) {
            try group.listen("nonsense:1") { _ in Factory { Protocol() } }
        }
    }

    @Test func aTLSEndpointWrapsEachReactorsFactory() async throws {
        let serverContext = try TLSTestContexts.server()
        let clientContext = try TLSTestContexts.client()
        let group = ReactorGroup(count: 2)
        let stats = Shared(GroupServerStats(reactors: 2))
        let endpoint = TLSServerEndpoint(
            wrapping: TCP4ServerEndpoint(reactor: group.reactors[0], port: 0, interface: "127.0.0.1"),
            context: serverContext, clock: group.reactors[0])
        let port = try group.listen(endpoint, factory: GroupEchoFactory.maker(for: group, stats: stats))
        let timedOut = try startGroup(group)
        let verdicts = Shared<[String?]>([])
        let done = await runReactor { reactor in
            for _ in 0..<4 {
                let client = TLSChurnClient { verdict in
                    verdicts.mutate { $0.append(verdict) }
                    if verdicts.value.count == 4 { try? reactor.stop() }
                }
                let factory = TLSWrappingFactory(
                    wrapping: TLSChurnClientFactory(client), context: clientContext, serverName: "localhost", clock: reactor)
                reactor.connectTCP("127.0.0.1", port.address.port!, factory, timeout: 10, bindAddress: nil)
            }
        }
        #expect(done)
        #expect(verdicts.value.count == 4 && verdicts.value.allSatisfy { $0 == nil }, "\(verdicts.value)")
        #expect(stats.value.served == [2, 2])
        #expect(stats.value.wrongThread == 0)
        #expect(await stopGroup(group))
        #expect(!timedOut.value)
    }
}

/// Starts `group`, runs `total` clients against `port` to completion, stops the group, and
/// returns the connections served per reactor.
private func serveClients(
    _ group: ReactorGroup, _ port: ReactorGroupPort, stats: Shared<GroupServerStats>, total: Int
) async throws -> [Int] {
    let timedOut = try startGroup(group)
    let clients = Shared(ClientRun())
    let done = await runReactor { reactor in
        connectClients(reactor, to: port.address, total: total, concurrency: total, keepOpen: false, run: clients) {
            try reactor.stop()
        }
    }
    #expect(done)
    #expect(clients.value.finished == total && clients.value.failures.isEmpty, "\(clients.value.failures)")
    #expect(await stopGroup(group))
    #expect(!timedOut.value)
    return stats.value.served
}

/// A listening TCP socket on a free port of 127.0.0.1, made outside Twist (as systemd would).
private func listeningSocket() -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
        close(fd)
        return nil
    }
    return fd
}

/// The inode `fd` refers to, or nil when it is not open.
private func inode(of fd: Int32) -> UInt? {
    var status = stat()
    return fstat(fd, &status) == 0 ? UInt(status.st_ino) : nil
}
