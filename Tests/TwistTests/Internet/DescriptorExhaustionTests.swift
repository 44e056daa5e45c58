import Glibc
import Testing
@testable import Twist

/// EMFILE on accept, in a child process with a low descriptor limit.
@Suite struct DescriptorExhaustionTests {
    @Test func aListenerOutOfDescriptorsNeitherSpinsNorStopsServing() async {
        await #expect(processExitsWith: .exitCode(0)) {
            // Room for about 50 more descriptors above the highest one open now: the child may
            // inherit descriptors from the test process (more of them late in a long serial run,
            // as under the sanitizers), and a fixed limit of 64 then left too few to exhaust.
            let highest = highestOpenDescriptor()
            var limit = rlimit(rlim_cur: rlim_t(highest + 51), rlim_max: rlim_t(highest + 51))
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { exit(10) }
            let reactor = Reactor()
            let port = try reactor.listenTCP(0, Factory { EchoProtocol() }, backlog: 128, interface: "127.0.0.1")
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port.address.port!)).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            // Use up every descriptor with clients that connect (into the backlog) and wait.
            var clients: [Int32] = []
            while true {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                guard fd >= 0 else { break }
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard connected == 0 else { close(fd); break }
                clients.append(fd)
            }
            guard clients.count > 10 else { exit(11) }

            var verdict: Int32 = 12
            reactor.callWhenRunning {
                let passesBefore = reactor.core.passCount
                reactor.callLater(0.3) {
                    // A spinning loop makes hundreds of thousands of passes in 0.3 s; a sane one a handful.
                    let passes = reactor.core.passCount &- passesBefore
                    guard passes < 5_000 else {
                        verdict = 13
                        try reactor.stop()
                        return
                    }
                    for fd in clients { close(fd) }
                    // Descriptors are free again: a new client must be served.
                    reactor.connectTCP("127.0.0.1", port.address.port!, EchoCheckFactory { served in
                        verdict = served ? 0 : 14
                        try? reactor.stop()
                    })
                }
            }
            reactor.callLater(10) { try reactor.stop() }
            try reactor.run()
            exit(verdict)
        }
    }
}

/// The highest descriptor number open in this process (from `/proc/self/fd`), or 2.
func highestOpenDescriptor() -> Int32 {
    guard let directory = opendir("/proc/self/fd") else { return 2 }
    defer { closedir(directory) }
    var highest: Int32 = 2
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if let number = Int32(name) { highest = max(highest, number) }
    }
    return highest
}

/// Connects, sends three bytes, and reports whether they came back.
final class EchoCheckFactory: ClientFactory {
    let done: (Bool) -> Void

    init(_ done: @escaping (Bool) -> Void) {
        self.done = done
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        EchoCheckClient(done)
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        done(false)
    }
}

/// The protocol of ``EchoCheckFactory``.
final class EchoCheckClient: Protocol {
    let done: (Bool) -> Void

    init(_ done: @escaping (Bool) -> Void) {
        self.done = done
    }

    override func connectionMade() {
        transport?.write([1, 2, 3])
    }

    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        done(Array(data) == [1, 2, 3])
    }
}
