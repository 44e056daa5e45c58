public import ArgumentParser
import Foundation
import Logging

extension ParsableCommand {
    /// Parses the command line and runs the command, as `main()` does, except that every usage
    /// error — unknown option, missing or extra argument, bad value, failed validation — exits
    /// with status **2** (as Python's `optparse` does in the intro) after printing the error and
    /// the usage to standard error. `--help` prints to standard output and exits 0; an error
    /// thrown while running prints `Error: …` and exits 1.
    ///
    /// Logging goes to standard error through ``TwistLogHandler``, at level `warning` and above
    /// unless ``LogSettings`` is changed (``TwistRunner`` applies `--log-level` and
    /// `--log-format` there): the reactor's and factories' `info` lines stay quiet, as in the
    /// intro, where logging is never started; a refused transform request or a failed proxy
    /// download is a warning and shows.
    public static func mainWithUsageStatus2(_ arguments: [String]? = nil) -> Never {
        LoggingSystem.bootstrap { label in TwistLogHandler(label: label) }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Writes to standard output and standard error unbuffered, so a script reading a server's
/// output sees each line at once.
public enum Console {
    /// Writes `text` to standard output.
    public static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `text` to standard error.
    public static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
