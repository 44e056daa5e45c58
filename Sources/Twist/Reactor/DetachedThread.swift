import Glibc

/// Runs blocking work (a name lookup, say) on a short-lived thread of its own, so the library needs
/// no Foundation for it. The work reports back with `callFromThread`.
enum DetachedThread {
    /// Starts a detached thread running `body`.
    ///
    /// - Precondition: the system can create a thread.
    static func start(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard status == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            preconditionFailure("pthread_create failed with error \(status)")
        }
        pthread_detach(thread)
    }

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
