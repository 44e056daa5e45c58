import Synchronization

/// The last type ``isDeferredType(_:)`` found not to be a Deferred, as its metadata address, so
/// that firing many Deferreds of one value type skips the runtime's conformance lookup (a hash
/// table search that cost about a tenth of a short chain). Relaxed ordering is enough: a stale or
/// racing value only costs one more lookup, and type metadata never moves.
private let lastPlainValueType = Atomic<Int>(0)

/// True when `type` is a `Deferred` (Twist rejects a Deferred given to `callback`).
@usableFromInline
func isDeferredType(_ type: Any.Type) -> Bool {
    let address = Int(bitPattern: ObjectIdentifier(type))
    if lastPlainValueType.load(ordering: .relaxed) == address { return false }
    if type is any DeferredProtocol.Type { return true }
    lastPlainValueType.store(address, ordering: .relaxed)
    return false
}
