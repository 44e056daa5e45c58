/// Takes a value of type `T` out of a chain's type-erased storage.
///
/// The typed handles guarantee that `value` holds a `T`. Its dynamic type is almost always exactly
/// `T`, and then the opened value is reinterpreted directly, which costs about half the general
/// dynamic cast (`as!` from `Any` walks the runtime's cast machinery, a large part of a short
/// chain's time). Otherwise (`T` an existential, an Optional or a superclass of what is stored) it
/// falls back to `as!`, so the result is always the one `as!` gives. Nothing here needs metadata
/// beyond `T`'s own, so unspecialized callers do not pay for generic metadata look-ups either.
@inlinable @inline(__always)
func unbox<T>(_ value: Any, as _: T.Type) -> T {
    guard type(of: value) == T.self else { return value as! T }
    func exact<Stored>(_ stored: Stored) -> T {
        unsafeBitCast(stored, to: T.self)
    }
    return _openExistential(value, do: exact)
}
