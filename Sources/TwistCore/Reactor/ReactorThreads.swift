/// The thread capability of a reactor (Twisted's `IReactorThreads`, the part that exists so far):
/// the one safe way into the reactor from another thread.
public protocol ReactorThreads: AnyObject, Sendable {
    /// Runs `body` on the reactor thread, soon; an error it throws is logged.
    ///
    /// Safe to call from any thread, including the reactor's own. Calls run exactly once each, in
    /// the order they were made (per calling thread), and a sleeping reactor wakes at once to run
    /// them. Calls made before the reactor runs are run once it does.
    func callFromThread(_ body: @escaping @Sendable () throws -> Void)
}
