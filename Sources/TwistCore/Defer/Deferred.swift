public import Logging

/// A result that is not there yet, and the chain of callbacks and errbacks that will process it
/// (Twisted's `twisted.internet.defer.Deferred`).
///
/// **One chain, typed handles.** A Deferred is a handle onto one chain. Every `add*` call appends a
/// stage to that same chain and returns a handle typed by the chain's new result type, so
/// `d.addCallback(f).addErrback(g).addCallback(h)` reads as in Twisted while the compiler checks
/// that each stage takes what the previous one produces. A handle whose type is no longer the
/// chain's result type must not be used to add stages or await: doing so is a programming error and
/// traps with a message naming both types. So that the usual way into that mistake is caught by the
/// compiler, every `add*` that can change the type returns a handle that must be used (dropping it
/// is a "result unused" warning); only `addErrback`, and on a `Deferred<Void>` the stages that
/// return nothing, may be dropped. End a chain on purpose with `_ =`. Handles are cheap values
/// (one reference); copies of a handle are the same Deferred.
///
/// **Firing.** ``callback(_:)`` and ``errback(_:fileID:line:)`` fire the chain once; they are called
/// on the handle typed by the chain's *input* type (the one the Deferred was created with). A second
/// fire throws ``AlreadyCalledError``. Stages then run in order: a callback gets the previous
/// stage's value; a thrown error becomes a ``Failure`` for the next errback; an errback that returns
/// a value switches the chain back to success. A stage returning a Deferred makes the chain wait
/// for that Deferred's result, however deeply nested, without growing the stack.
///
/// **Threads.** A Deferred is confined to one thread (the reactor's) and is not `Sendable`.
///
/// **Unhandled failures.** When the chain's last handle goes away while its result is a failure that
/// no errback handled and that was not handed to another chain or an awaiting task, the failure is
/// logged (see ``DeferredLogging``).
public struct Deferred<Value> {
    /// The chain this handle views.
    @usableFromInline let chain: DeferredChain

    /// Wraps an existing chain whose current type is `Value`.
    @inlinable
    init(chain: DeferredChain) {
        self.chain = chain
    }

    /// Creates an unfired Deferred without a canceller: ``cancel()`` errbacks it with
    /// ``CancelledError`` and then swallows one late `callback`/`errback` from the producer.
    ///
    /// - Parameter logger: where an unhandled failure is reported; nil uses ``DeferredLogging``.
    @inlinable
    public init(logger: Logger? = nil) {
        chain = DeferredChain(inputType: Value.self, logger: logger)
    }

    /// Creates an unfired Deferred whose ``cancel()`` calls `canceller` (once, with this Deferred)
    /// before it is fired. The canceller may fire the Deferred itself; if it does not, the Deferred
    /// fails with ``CancelledError``. The canceller is released as soon as the Deferred fires.
    ///
    /// - Parameters:
    ///   - logger: where an unhandled failure is reported; nil uses ``DeferredLogging``.
    ///   - canceller: what to do to stop the work this Deferred stands for.
    public init(logger: Logger? = nil, canceller: @escaping (Deferred<Value>) -> Void) {
        chain = DeferredChain(inputType: Value.self, logger: logger)
        chain.canceller = { canceller(Deferred(chain: $0)) }
    }

    /// Fires the chain with a value (Twisted's `callback`).
    ///
    /// - Precondition: this handle has the chain's input type, and `Value` is not itself a
    ///   Deferred (Twist rejects a Deferred as a result; return it from a callback instead).
    /// - Throws: ``AlreadyCalledError`` if the Deferred has fired before.
    @inlinable
    public func callback(_ value: Value) throws {
        if isDeferredType(Value.self) {
            fatalError("Deferred.callback was given a Deferred as its value; return it from a callback to chain it")
        }
        if chain.inputType != Value.self {
            fatalError(
                "Deferred<\(Value.self)>.callback called on a chain whose input type is \(chain.inputType): "
                    + "fire the handle the Deferred was created as"
            )
        }
        try chain.fire(value)
    }

    /// Fires the chain with a failure (Twisted's `errback`). `error` is wrapped in a ``Failure``
    /// recording this call's location, unless it is a `Failure` already, which is used as it is.
    /// May be called on any handle of the chain.
    ///
    /// - Throws: ``AlreadyCalledError`` if the Deferred has fired before.
    public func errback(_ error: any Error, fileID: StaticString = #fileID, line: UInt = #line) throws {
        try chain.fire(failure: Failure(error, fileID: fileID, line: line))
    }

    /// True once the Deferred has been fired, also while it is paused or waiting on another
    /// Deferred (Twisted's `called`).
    public var hasFired: Bool { chain.hasFired }

    /// True while ``pause()`` calls outnumber ``unpause()`` calls.
    public var isPaused: Bool { chain.pauseCount > 0 }

    /// True while the chain waits for a Deferred that one of its stages returned.
    public var isWaiting: Bool { chain.waitingOn != nil }

    /// The chain's current result, for inspection (Twisted tests read `d.result`): nil before it
    /// fires, while it waits, and when the current value is not a `Value` (stages of another
    /// type are still queued). Reading it does not count as handling a failure.
    public var currentResult: Result<Value, Failure>? {
        switch chain.state {
        case .none:
            return nil
        case .failure:
            return chain.failure.map { .failure($0) }
        case .success:
            if chain.storedType == Value.self { return .success(chain.peekValue(Value.self)) }
            return (chain.storedValueAsAny() as? Value).map { .success($0) }
        }
    }

    /// True when `other` is a handle onto the same chain (the same Deferred).
    public func isSame<Other>(as other: Deferred<Other>) -> Bool {
        chain === other.chain
    }
}

extension Deferred where Value == Void {
    /// Fires a `Deferred<Void>` (Twisted's `callback(None)`).
    ///
    /// - Throws: ``AlreadyCalledError`` if the Deferred has fired before.
    public func callback() throws {
        try callback(())
    }
}

/// Implemented only by ``Deferred``: lets the library recognise a Deferred given where a plain
/// value is expected (Twist rejects `callback` with a Deferred). Not for conformance by other types.
public protocol DeferredProtocol {}

extension Deferred: DeferredProtocol {}
