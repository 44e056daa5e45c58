/// The wrapped error as an `E` when its dynamic type is exactly `E`, without the runtime's general
/// dynamic cast.
///
/// `error as? E` on an `any Error` goes through `swift_dynamicCast`, which handles every kind of
/// conversion (subclasses, protocols, optionals) and cost about 250 instructions per call in the
/// errback benchmark, a third of its time. When the error is exactly an `E` (the common case for
/// `trap`, `check`, and a `Failure` rethrown by an errback) comparing the type and reading the
/// value out of the opened existential gives the same answer for a fraction of that. Any other
/// case returns nil: callers then fall back to `as?`, so the semantics are those of `as?`.
@inlinable
func exactCast<E>(_ error: any Error, to _: E.Type) -> E? {
    guard type(of: error) == E.self else { return nil }
    return readExactly(error, as: E.self)
}

/// Reads `value`, whose type `T` is known (by the caller's check) to be `E`, as an `E`.
@usableFromInline
func readExactly<T: Error, E>(_ value: T, as _: E.Type) -> E {
    precondition(T.self == E.self, "readExactly called with \(T.self), not \(E.self)")
    return withUnsafePointer(to: value) { pointer in
        UnsafeRawPointer(pointer).assumingMemoryBound(to: E.self).pointee
    }
}
