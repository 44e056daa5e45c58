/// An error travelling down a ``Deferred`` chain (Twisted's `twisted.python.failure.Failure`).
///
/// A failure wraps any `Error` and keeps the very value that was thrown: ``error`` is that value,
/// so a class-typed error keeps its identity and a struct keeps its fields. ``check(_:)`` and
/// ``trap(_:)`` ask about its type the way Twisted's do. When the failure was made by hand (with
/// ``init(_:fileID:line:)``, `errback`, or `fail`) it also records where, in ``fileID`` and ``line``.
///
/// A failure is itself an `Error`, so an errback may `throw` the failure it received to keep the
/// chain on the error path; the chain then passes that same failure on instead of wrapping it again.
public struct Failure: Error, CustomStringConvertible {
    /// The error that was thrown or given to `errback` (Twisted's `Failure.value`).
    public let error: any Error

    /// The file where the failure was made, when known (`#fileID` form: "Module/File.swift").
    public let fileID: StaticString?

    /// The line where the failure was made, when known.
    public let line: UInt?

    /// Wraps `error`, recording where this failure was made.
    ///
    /// If `error` is already a `Failure`, the new failure takes over its error and its location
    /// (Twisted: a Failure built from a Failure takes over its value), so failures never nest.
    public init(_ error: any Error, fileID: StaticString = #fileID, line: UInt = #line) {
        if let failure = exactCast(error, to: Failure.self) {
            self = failure
        } else {
            self.error = error
            self.fileID = fileID
            self.line = line
        }
    }

    /// Wraps an error caught from a stage, without a location (the throw site is not known).
    @usableFromInline
    init(caught error: any Error) {
        // A Failure is a struct, so "is it a Failure?" is exactly an exact-type question.
        if let failure = exactCast(error, to: Failure.self) {
            self = failure
        } else {
            self.error = error
            self.fileID = nil
            self.line = nil
        }
    }

    /// The wrapped error as an `E`, or nil when it is not one (Twisted's `check` with one type).
    @inlinable
    public func check<E: Error>(_ type: E.Type) -> E? {
        exactCast(error, to: E.self) ?? (error as? E)
    }

    /// The first of two or more types that the wrapped error is an instance of, or nil (Twisted's
    /// `check` with several types; with one type, the generic `check(_:)` returns the typed error).
    public func check(
        _ first: any Error.Type, _ second: any Error.Type, _ more: any Error.Type...
    ) -> (any Error.Type)? {
        check(first, second, more)
    }

    /// Returns the wrapped error as an `E`; otherwise rethrows the *original* error, so an errback
    /// can handle one kind of error and let the others continue down the chain (Twisted's `trap`).
    @inlinable @discardableResult
    public func trap<E: Error>(_ type: E.Type) throws -> E {
        if let matched = check(E.self) { return matched }
        throw self
    }

    /// Returns the first of two or more types the wrapped error is an instance of; otherwise
    /// rethrows this failure unchanged (Twisted's `trap` with several types).
    @discardableResult
    public func trap(
        _ first: any Error.Type, _ second: any Error.Type, _ more: any Error.Type...
    ) throws -> any Error.Type {
        if let matched = check(first, second, more) { return matched }
        throw self
    }

    private func check(_ first: any Error.Type, _ second: any Error.Type, _ more: [any Error.Type]) -> (any Error.Type)? {
        ([first, second] + more).first { matches($0) }
    }

    /// True when the wrapped error is an instance of `type` (or of a subclass, for class errors).
    public func matches(_ type: any Error.Type) -> Bool {
        func isInstance<E: Error>(_: E.Type) -> Bool { error is E }
        return isInstance(type)
    }

    /// The error's type and description, plus where the failure was made when known.
    public var description: String {
        var text = "Failure(\(type(of: error)): \(error))"
        if let fileID, let line { text += " at \(fileID):\(line)" }
        return text
    }
}
