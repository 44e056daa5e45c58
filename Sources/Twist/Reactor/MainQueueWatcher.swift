import CLibev
import CTwistShims

/// Serves the main dispatch queue — the main actor's jobs — from a reactor that runs on the main
/// thread, so main-actor code (top-level code in `main.swift`, `@MainActor` closures) keeps
/// running while ``Reactor/run()`` occupies that thread, instead of waiting for it to return.
///
/// libdispatch hands the main queue to a run loop that asks for it (CoreFoundation's hook, which
/// libdispatch exports on Linux): it signals an eventfd whenever a job is queued there, and the
/// loop runs the queued jobs when that descriptor is readable. This watcher is that loop's part:
/// one `ev_io` on the descriptor, which does not by itself keep the loop alive.
final class MainQueueWatcher {
    private let loop: OpaquePointer
    private let watcher = UnsafeMutablePointer<ev_io>.allocate(capacity: 1)

    /// Starts serving the main queue on `loop`; what was queued before now runs on its first pass.
    ///
    /// - Precondition: called on the main thread.
    init(loop: OpaquePointer) {
        precondition(twist_is_main_thread() != 0, "only a reactor on the main thread serves the main queue")
        self.loop = loop
        let descriptor = twist_main_queue_descriptor()
        clibev_io_init(watcher, { _, watcher, _ in twist_serve_main_queue(watcher!.pointee.fd) }, descriptor, Int32(EV_READ))
        ev_io_start(loop, watcher)
        ev_unref(loop)
        // Jobs queued before the queue was handed over may not have signalled the descriptor:
        // serve it on the loop's first pass whatever it says.
        ev_feed_event(loop, watcher, Int32(EV_READ))
    }

    /// Stops serving the main queue (the reactor is returning from ``Reactor/run()``).
    func stop() {
        guard clibev_is_active(watcher) != 0 else { return }
        ev_ref(loop)
        ev_io_stop(loop, watcher)
    }

    deinit {
        stop()
        watcher.deallocate()
    }
}
