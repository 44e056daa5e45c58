import Glibc
public import Logging
import Synchronization
import TwistCore

/// N reactors on N threads, started and stopped together: how a Twist program uses more than one
/// core (SwiftNIO's `MultiThreadedEventLoopGroup`; Twisted has no counterpart).
///
/// Each member is an ordinary ``Reactor`` with its own libev loop, timers, buffers and thread
/// pool; nothing on the path of a connection's bytes is shared between members. A connection
/// lives and dies on one member. To spread connections over the members, place client
/// connections with ``next()`` and listen with ``listenTCP(_:backlog:interface:strategy:factory:)``
/// or ``listenUNIX(_:backlog:mode:wantPID:factory:)``, which build one ``Factory`` per member.
///
/// **Threads.** The group itself is `Sendable`: every method may be called from any thread,
/// except the blocking ones (``stop()``, ``waitUntilStopped()``, listening on a running group),
/// which must not be called on a member's thread. A member is reached from any thread with its
/// `callFromThread`, or by running `async` code on it (it is a serial and task executor).
///
/// **Life.** ``start()`` (every member on a new thread) or ``run(installSignalHandlers:)`` (the
/// first on the calling thread) runs the group once. When any member begins its shutdown —
/// ``requestStop()``, a stop signal, or that member's own `stop()` — it asks every other member
/// to stop too, so the group stops together; each member closes its own ports and connections
/// (its `during shutdown` step) before its thread returns.
public final class ReactorGroup: Sendable {
    /// The members, in placement order; `reactors[0]` is the one ``run(installSignalHandlers:)``
    /// runs on the calling thread and the one that accepts for a hand-off listener.
    public let reactors: [Reactor]
    /// Where members report a `run()` that failed.
    private let logger: Logger
    /// The round-robin cursor of ``next()``: the only shared counter, and only for placement.
    private let cursor = Atomic<UInt>(0)
    let phase = PosixMutex(ReactorGroupPhase.idle(waiters: []))

    /// The number of cores online, at least 1: the default group size.
    public static var defaultCount: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Makes `count` idle reactors; nothing runs until ``start()`` or ``run(installSignalHandlers:)``.
    ///
    /// - Parameters:
    ///   - count: how many members (one thread each); the number of cores by default.
    ///   - logger: each member logs through a copy of it whose `reactor` metadata is its index.
    /// - Precondition: `count` is at least 1.
    public init(count: Int = ReactorGroup.defaultCount, logger: Logger = Logger(label: "twist.reactor")) {
        precondition(count >= 1, "a reactor group needs at least one reactor")
        self.logger = logger
        reactors = (0..<count).map { index in
            var memberLogger = logger
            memberLogger[metadataKey: "reactor"] = "\(index)"
            return Reactor(logger: memberLogger)
        }
    }

    /// How many members the group has.
    public var count: Int { reactors.count }

    /// The next member in round-robin order, for placing new work (a client connection, say).
    /// One relaxed atomic increment; safe from any thread.
    public func next() -> Reactor {
        let turn = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        return reactors[Int(turn % UInt(reactors.count))]
    }

    /// The member running on the calling thread, or nil when the caller is not on a member's thread.
    public var current: Reactor? {
        guard let running = Reactor.current else { return nil }
        return reactors.first { $0 === running }
    }

    /// Runs `body` on every member's thread (each member's `callFromThread`). Errors are logged
    /// by the member, as for any `callFromThread` body.
    public func callOnEach(_ body: @escaping @Sendable (Reactor) throws -> Void) {
        for reactor in reactors {
            // Weakly, as every post of the group: one that never runs must not keep its reactor.
            reactor.callFromThread { [weak reactor] in
                if let reactor { try body(reactor) }
            }
        }
    }

    /// True once every member's thread has returned (or the group was stopped before starting).
    public var isStopped: Bool {
        phase.withLock { $0.isStopped }
    }

    /// True from ``start()`` or ``run(installSignalHandlers:)`` until every member has returned.
    var isRunning: Bool {
        phase.withLock { if case .running = $0 { true } else { false } }
    }
}
