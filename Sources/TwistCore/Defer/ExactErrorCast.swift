/// The wrapped error as an `E` when it was boxed exactly as an `E`, without the runtime's general
/// dynamic cast.
///
/// `error as? E` on an `any Error` goes through `swift_dynamicCast`, which handles every kind of
/// conversion (subclasses, protocols, optionals) and cost about 250 instructions per call in the
/// errback benchmark, a third of its time. When the existential holds exactly an `E` (the common
/// case for `trap`, `check`, and a `Failure` rethrown by an errback), opening it and comparing
/// its type gives the same answer for a fraction of that. Any other case returns nil, including
/// a subclass instance boxed under its superclass's type: callers then fall back to `as?`, so
/// the semantics are those of `as?`.
@inlinable
func exactCast<E>(_ error: any Error, to _: E.Type) -> E? {
    readExactly(error, as: E.self)
}

/// `value` as an `E` when its static type `T` (the type it was boxed as) is `E`; nil otherwise.
@inlinable
func readExactly<T: Error, E>(_ value: T, as _: E.Type) -> E? {
    guard T.self == E.self else { return nil }
    return withUnsafePointer(to: value) { pointer in
        UnsafeRawPointer(pointer).assumingMemoryBound(to: E.self).pointee
    }
}
