/// Three words of inline storage for a chain's current value, the size of an existential's buffer.
/// A value that is larger or more aligned lives in a ``ValueBox`` whose reference is stored here.
@usableFromInline
typealias ValueBuffer = (UInt, UInt, UInt)

/// Heap storage for a value that does not fit in a ``ValueBuffer``.
@usableFromInline
final class ValueBox<T> {
    @usableFromInline let value: T

    @inlinable
    init(_ value: T) {
        self.value = value
    }
}

// Typed access to a chain's current result: its value in ``DeferredChain/buffer`` (read and
// written only by code that knows its type; see the chain's documentation), or its failure.
extension DeferredChain {
    /// True when a `T` is stored in the buffer itself rather than in a ``ValueBox`` (a constant
    /// once specialized).
    @inlinable @inline(__always)
    static func storesInline<T>(_: T.Type) -> Bool {
        MemoryLayout<T>.size <= MemoryLayout<ValueBuffer>.size
            && MemoryLayout<T>.alignment <= MemoryLayout<ValueBuffer>.alignment
    }

    /// Stores `value` as the current result. The chain must hold nothing.
    @inlinable @inline(__always)
    func storeValue<T>(_ value: __owned T) {
        assert(state == .none, "a chain's value was overwritten")
        if Self.storesInline(T.self) {
            withUnsafeMutableBytes(of: &buffer) { _ = $0.baseAddress!.initializeMemory(as: T.self, to: value) }
            storedIsTrivial = _isPOD(T.self)
        } else {
            let box = ValueBox(value)
            withUnsafeMutableBytes(of: &buffer) { _ = $0.baseAddress!.initializeMemory(as: ValueBox<T>.self, to: box) }
            storedIsTrivial = false
        }
        storedType = T.self
        state = .success
    }

    /// Moves the current value, a `T`, out of the chain, which then holds nothing.
    @inlinable @inline(__always)
    func takeValue<T>(_: T.Type) -> T {
        assert(state == .success && storedType == T.self, "a chain's value was read as \(T.self), not \(storedType)")
        state = .none
        return moveStoredValue(T.self)
    }

    /// A copy of the current value, a `T`; the chain keeps it.
    @inlinable @inline(__always)
    func peekValue<T>(_: T.Type) -> T {
        assert(state == .success && storedType == T.self, "a chain's value was read as \(T.self), not \(storedType)")
        if Self.storesInline(T.self) {
            return withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.assumingMemoryBound(to: T.self).pointee }
        }
        return withUnsafeMutableBytes(of: &buffer) {
            $0.baseAddress!.assumingMemoryBound(to: ValueBox<T>.self).pointee.value
        }
    }

    /// Moves the `T` out of the buffer, leaving `state` to the caller.
    @inlinable @inline(__always)
    func moveStoredValue<T>(_: T.Type) -> T {
        if Self.storesInline(T.self) {
            return withUnsafeMutableBytes(of: &buffer) { $0.baseAddress!.assumingMemoryBound(to: T.self).move() }
        }
        let box = withUnsafeMutableBytes(of: &buffer) {
            $0.baseAddress!.assumingMemoryBound(to: ValueBox<T>.self).move()
        }
        return box.value
    }

    /// Destroys the stored value without knowing its type statically (the chain is going away).
    @usableFromInline
    func destroyStoredValue() {
        func destroy<T>(_ type: T.Type) {
            _ = moveStoredValue(type)
        }
        state = .none
        destroy(storedType)
    }

    /// The stored value as `Any`, for code that does not know its type (`description`, and
    /// ``Deferred/currentResult`` asked for a type other than the stored one).
    func storedValueAsAny() -> Any? {
        guard state == .success else { return nil }
        func read<T>(_ type: T.Type) -> Any {
            peekValue(type)
        }
        return read(storedType)
    }

    /// Stores `failure` as the current result. The chain must hold nothing.
    @inlinable @inline(__always)
    func storeFailure(_ failure: Failure) {
        assert(state == .none, "a chain's value was overwritten")
        self.failure = failure
        state = .failure
    }

    /// Moves the current failure out of the chain, which then holds nothing.
    @inlinable @inline(__always)
    func takeFailure() -> Failure {
        assert(state == .failure)
        state = .none
        defer { failure = nil }
        return failure.unsafelyUnwrapped
    }

    /// Stores a copy of `source`'s current result (a `T` or a failure) as this chain's result.
    @inlinable @inline(__always)
    func copyResult<T>(of source: DeferredChain, _: T.Type) {
        if source.state == .success {
            storeValue(source.peekValue(T.self))
        } else {
            storeFailure(source.failure.unsafelyUnwrapped)
        }
    }
}
