import Glibc
import Twist

/// The peer on a ``ReactorGroup`` (`--reactors N`, N > 1): one port over N reactors by
/// `--strategy`, one factory per reactor. Each factory counts the connections its reactor served;
/// at exit the peer prints `SPREAD <count per reactor...>` on standard error, for the spread figure.
enum GroupPeer {
    static func serve(_ options: PeerOptions) throws {
        let group = ReactorGroup(count: options.reactors)
        let served = ServedCounts(count: options.reactors)
        let raw = options.raw
        let makeFactory: @Sendable (Reactor) -> Factory = { reactor in
            let index = group.reactors.firstIndex { $0 === reactor }!
            return Factory {
                served.add(at: index)
                return raw ? RawEcho() : NetstringEcho()
            }
        }
        let port: ReactorGroupPort
        if let path = options.unixPath {
            unlink(path)
            port = try group.listenUNIX(path, backlog: 1024, factory: makeFactory)
            writeLine("UNIX \(path)", to: STDOUT_FILENO)
        } else {
            let strategy = GroupListeningStrategy(options.strategy) ?? .handOff
            port = try group.listenTCP(
                options.port, backlog: 1024, interface: "127.0.0.1", strategy: strategy, factory: makeFactory)
            writeLine("PORT \(port.address.port!)", to: STDOUT_FILENO)
        }
        try withExtendedLifetime(port) { try group.run(installSignalHandlers: true) }
        writeLine("SPREAD \(served.snapshot().map(String.init).joined(separator: " "))", to: STDERR_FILENO)
    }
}

/// One counter per reactor, each written only by its own reactor's thread (no sharing on the
/// accept path), read once every reactor has returned.
final class ServedCounts: @unchecked Sendable {
    private let counts: UnsafeMutablePointer<Int>
    private let count: Int

    init(count: Int) {
        self.count = count
        counts = .allocate(capacity: count)
        counts.initialize(repeating: 0, count: count)
    }

    deinit { counts.deallocate() }

    /// Counts one connection on reactor `index` (call on that reactor's thread).
    func add(at index: Int) { counts[index] += 1 }

    /// The counts (call after the group stopped).
    func snapshot() -> [Int] { Array(UnsafeBufferPointer(start: counts, count: count)) }
}
