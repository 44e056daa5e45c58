import Foundation
public import Logging

/// The log handler every Twist executable bootstraps: writes each record as one line to standard
/// error, as text or JSON (``LogSettings/format``), from the level ``LogSettings/level`` names —
/// unless a logger sets its own level, which then wins for that logger.
public struct TwistLogHandler: LogHandler {
    /// The logger's label, written on every line.
    public let label: String
    /// Metadata attached to every record of this logger.
    public var metadata: Logger.Metadata = [:]
    private var ownLevel: Logger.Level?

    /// A handler for the logger called `label`.
    public init(label: String) {
        self.label = label
    }

    /// The logger's own level if one was set, otherwise the process's ``LogSettings/level``.
    public var logLevel: Logger.Level {
        get { ownLevel ?? LogSettings.level }
        set { ownLevel = newValue }
    }

    /// One metadata value of this logger.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the record as one line to standard error.
    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let line = Self.line(
            format: LogSettings.format, time: Date(), level: event.level, label: label,
            message: "\(event.message)", metadata: merged
        )
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// The line for one record, ending in a newline (exposed for tests).
    static func line(
        format: LogFormat, time: Date, level: Logger.Level, label: String, message: String,
        metadata: Logger.Metadata
    ) -> String {
        let timestamp = time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        switch format {
        case .text:
            let pairs = metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            return "\(timestamp) \(level) \(label): \(message)\(pairs)\n"
        case .json:
            var fields = [
                "\"time\":\(jsonString(timestamp))",
                "\"level\":\(jsonString(level.rawValue))",
                "\"label\":\(jsonString(label))",
                "\"message\":\(jsonString(message))",
            ]
            if !metadata.isEmpty { fields.append("\"metadata\":\(json(.dictionary(metadata)))") }
            return "{\(fields.joined(separator: ","))}\n"
        }
    }

    private static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return jsonString(text)
        case .stringConvertible(let item): return jsonString(item.description)
        case .array(let items): return "[\(items.map(json).joined(separator: ","))]"
        case .dictionary(let entries):
            let members = entries.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(json($0.value))" }
            return "{\(members.joined(separator: ","))}"
        }
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
