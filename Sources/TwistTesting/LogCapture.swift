public import Logging
import TwistCore

/// Collects log records in memory so a test can check what was logged.
///
/// Make a `Logger` with ``logger(label:)`` and hand it to the code under test, then read
/// ``records``. Thread-safe.
public final class LogCapture: Sendable {
    /// One captured log record.
    public struct Record: Sendable, CustomStringConvertible {
        /// The record's level.
        public let level: Logger.Level
        /// The message text.
        public let message: String
        /// The record's metadata, merged from the logger and the call.
        public let metadata: Logger.Metadata

        /// "[<level>] <message> <metadata>", for failure messages.
        public var description: String { "[\(level)] \(message) \(metadata)" }
    }

    private let storage = PosixMutex<[Record]>([])

    /// Creates an empty capture.
    public init() {}

    /// Everything logged so far, oldest first.
    public var records: [Record] { storage.withLock { $0 } }

    /// A logger, at level `.trace`, whose records land in this capture.
    public func logger(label: String = "twist.test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ record: Record) {
        storage.withLock { $0.append(record) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.append(Record(level: event.level, message: "\(event.message)", metadata: merged))
        }
    }
}
