public import ArgumentParser

/// How a Twist program writes its log lines to standard error (`--log-format`).
public enum LogFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// One readable line per record: `TIMESTAMP LEVEL label: message key=value …`.
    case text
    /// One JSON object per line, with `time`, `level`, `label`, `message` and the metadata as
    /// `metadata`: what a log collector ingests.
    case json
}
