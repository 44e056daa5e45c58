import TwistCore

/// A value shared between a test and another thread (the reactor's, say): set on one, read on
/// the other. Every access takes a pthread mutex, so reads see the latest write and
/// ThreadSanitizer sees the ordering.
public final class Shared<Value: Sendable>: Sendable {
    private let storage: PosixMutex<Value>

    /// A box holding `value`.
    public init(_ value: Value) { storage = PosixMutex(value) }

    /// The current value; each get and each set is one locked access (so `value += 1` from two
    /// threads can lose an update: use ``mutate(_:)`` for read-modify-write).
    public var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    /// Changes the value in place under one lock: a read-modify-write no other thread can split.
    public func mutate(_ body: (inout Value) -> Void) {
        storage.withLock { body(&$0) }
    }
}
