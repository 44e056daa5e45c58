public import Logging
import Synchronization

/// The process's log level and format, read by every ``TwistLogHandler`` each time it logs, so
/// `--log-level` and `--log-format` apply to loggers made before the command line was parsed
/// (the reactor's, for one). swift-log lets a process bootstrap once; this is what can change
/// afterwards.
public enum LogSettings {
    private static let current = Mutex((level: Logger.Level.warning, format: LogFormat.text))

    /// The lowest level that is written; `warning` until a command line says otherwise.
    public static var level: Logger.Level {
        get { current.withLock { $0.level } }
        set { current.withLock { $0.level = newValue } }
    }

    /// How lines are written; `text` until a command line says otherwise.
    public static var format: LogFormat {
        get { current.withLock { $0.format } }
        set { current.withLock { $0.format = newValue } }
    }
}
