public import Logging

/// Where ``Deferred``s report failures that nobody handled.
///
/// A Deferred made with a `logger` reports there. Otherwise it reports to ``logger``, a task-local
/// a test (or a program) can set for a scope with `DeferredLogging.$logger.withValue(...)`, and
/// when that is not set either, to a logger labelled "twist.deferred". The logger is looked up only
/// when something must be reported, never on the fast path.
public enum DeferredLogging {
    /// The logger for Deferreds made without one, in the current task or synchronous scope.
    @TaskLocal public static var logger: Logger?

    /// The last resort when neither the Deferred nor the task-local names a logger.
    static let fallback = Logger(label: "twist.deferred")

    /// Logs `failure` as an unhandled error in a Deferred, as Twisted logs two events: a critical
    /// "Unhandled error in Deferred:" record, then an error record with the failure's traceback
    /// text, "Unhandled Error\nTraceback …" (see `Failure.logText(why:)`). When the Deferred
    /// recorded debugging stacks (`debugInfo`), that record starts with "(debug: <stacks>)" in
    /// place of "Unhandled Error", as Twisted's does; the stacks are symbolicated only if the
    /// logger takes error records.
    static func reportUnhandled(_ failure: Failure, to logger: Logger?, _ debugInfo: DeferredDebugInfo? = nil) {
        let logger = logger ?? Self.logger ?? fallback
        var metadata: Logger.Metadata = ["error.type": "\(type(of: failure.error))"]
        if let fileID = failure.fileID, let line = failure.line {
            metadata["failure.location"] = "\(fileID):\(line)"
        }
        logger.critical("Unhandled error in Deferred:", metadata: metadata)
        logger.error("\(unhandledText(failure, debugInfo))", metadata: metadata)
    }

    /// The text of an unhandled failure's record: headed by the debugging stacks when any were
    /// recorded, by "Unhandled Error" otherwise.
    private static func unhandledText(_ failure: Failure, _ debugInfo: DeferredDebugInfo?) -> String {
        let tracebacks = debugInfo?.tracebacks() ?? ""
        return tracebacks.isEmpty ? failure.logText() : failure.logText(why: "(debug: \(tracebacks))")
    }
}

/// Logs `failure` and passes it on, so the chain stays failed (Twisted's `logError`): use it as a
/// pass-through errback, `d.addErrback(logError)`, to record a failure that a later stage handles.
/// The record's text is the failure's traceback, "Unhandled Error\nTraceback …", as Twisted logs it.
///
/// It logs to ``DeferredLogging/logger``, or "twist.deferred" when that is not set.
///
/// - Throws: `failure`, always.
public func logError<Value>(_ failure: Failure) throws -> Value {
    try logError(failure, to: DeferredLogging.logger ?? DeferredLogging.fallback)
}

/// Logs `failure` to `logger` and passes it on: ``logError(_:)`` with a logger of your choice.
///
/// - Throws: `failure`, always.
public func logError<Value>(_ failure: Failure, to logger: Logger) throws -> Value {
    logger.error("\(failure.logText())", metadata: ["error.type": "\(type(of: failure.error))"])
    throw failure
}
