import Synchronization

/// The process-wide default for Deferred debugging, which ``Deferred/setDebugging(_:)`` sets
/// (Twisted's class attribute `Deferred.debug`, which `defer.setDebugging` assigns).
///
/// Read once by every chain as it is created, so it is an atomic: relaxed ordering is enough, since
/// a chain made while another thread flips the switch may see either setting, and nothing else
/// depends on the order of the two. Internal (not usable from inlinable code, which would make
/// `Synchronization` a public import): the chain's initializer, which reads it, is not inlinable.
enum DeferredDebugSwitch {
    /// On while debugging is the default for new Deferreds.
    private static let storage = Atomic<Bool>(false)

    /// The current default: one relaxed load.
    @inline(__always)
    static var isOn: Bool {
        storage.load(ordering: .relaxed)
    }

    /// Makes `on` the default from now on.
    static func set(_ on: Bool) {
        storage.store(on, ordering: .relaxed)
    }
}
