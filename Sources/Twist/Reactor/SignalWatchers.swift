import CLibev
import Glibc
import TwistCore

/// One loop's signal handlers: per signal one `ev_signal` watcher (libev's handler only wakes the
/// loop; the handlers run on the reactor thread, in the order they were added), and the
/// handlers added for it. The reactor's own SIGINT/SIGTERM stop handlers are entries here too.
///
/// libev lets a signal be watched by one loop at a time, so a process-wide table records which
/// loop owns each watched signal; another reactor asking for it is refused. When a signal's last
/// handler goes, its watcher stops and libev restores the default action. Confined to the
/// reactor thread.
final class SignalWatchers {
    /// The loop owning each watched signal, process-wide.
    private static let owners = PosixMutex<[Int32: Int]>([:])

    private struct Watched {
        let watcher: UnsafeMutablePointer<ev_signal>
        var handlers: [(id: UInt64, body: (Int32) -> Void)]
    }

    private let loop: OpaquePointer
    /// The loop's address: the owner's key in the process-wide table.
    private let owner: Int
    private var watched: [Int32: Watched] = [:]
    private var nextID: UInt64 = 0

    init(loop: OpaquePointer) {
        self.loop = loop
        self.owner = Int(bitPattern: UnsafeRawPointer(loop))
    }

    deinit {
        stopAll()
    }

    /// Stops every watcher and drops every handler (the loop is going away).
    func stopAll() {
        for signalNumber in Array(watched.keys) { stopWatching(signalNumber) }
    }

    /// Adds `body` for `signalNumber`, starting its watcher if it is the first; returns its id.
    ///
    /// - Throws: ``InvalidSignal`` for a number that is not a catchable signal, ``SignalInUse``
    ///   when another reactor watches it.
    func add(_ signalNumber: Int32, _ body: @escaping (Int32) -> Void) throws -> UInt64 {
        guard signalNumber > 0, signalNumber < 65, signalNumber != SIGKILL, signalNumber != SIGSTOP else {
            throw InvalidSignal(signalNumber)
        }
        nextID += 1
        if watched[signalNumber] == nil {
            let claimed = Self.owners.withLock { owners in
                if let current = owners[signalNumber], current != owner { return false }
                owners[signalNumber] = owner
                return true
            }
            guard claimed else { throw SignalInUse(signalNumber) }
            watched[signalNumber] = Watched(watcher: startWatcher(signalNumber), handlers: [])
        }
        watched[signalNumber]!.handlers.append((nextID, body))
        return nextID
    }

    /// Removes the handler `id` of `signalNumber`; the last one stops the watcher. Returns false
    /// when it was not there (removed already).
    @discardableResult
    func remove(_ signalNumber: Int32, id: UInt64) -> Bool {
        guard var entry = watched[signalNumber], let index = entry.handlers.firstIndex(where: { $0.id == id }) else {
            return false
        }
        entry.handlers.remove(at: index)
        if entry.handlers.isEmpty {
            stopWatching(signalNumber)
        } else {
            watched[signalNumber] = entry
        }
        return true
    }

    /// Runs the handlers of `signalNumber` (those present when it arrived), in order.
    private func deliver(_ signalNumber: Int32) {
        guard let entry = watched[signalNumber] else { return }
        for handler in entry.handlers where isPresent(signalNumber, handler.id) {
            handler.body(signalNumber)
        }
    }

    private func isPresent(_ signalNumber: Int32, _ id: UInt64) -> Bool {
        watched[signalNumber]?.handlers.contains { $0.id == id } ?? false
    }

    private func startWatcher(_ signalNumber: Int32) -> UnsafeMutablePointer<ev_signal> {
        let watcher = UnsafeMutablePointer<ev_signal>.allocate(capacity: 1)
        clibev_signal_init(watcher, { _, watcher, _ in
            let signalNumber = watcher!.pointee.signum
            Unmanaged<SignalWatchers>.fromOpaque(clibev_data(watcher)!).takeUnretainedValue().deliver(signalNumber)
        }, signalNumber)
        clibev_set_data(watcher, Unmanaged.passUnretained(self).toOpaque())
        ev_signal_start(loop, watcher)
        ev_unref(loop)  // signal watchers alone do not keep the loop alive
        return watcher
    }

    private func stopWatching(_ signalNumber: Int32) {
        guard let entry = watched.removeValue(forKey: signalNumber) else { return }
        ev_ref(loop)
        ev_signal_stop(loop, entry.watcher)
        entry.watcher.deallocate()
        Self.owners.withLock { owners in
            if owners[signalNumber] == owner { owners[signalNumber] = nil }
        }
    }
}
