public import ArgumentParser
public import Logging

extension Logger.Level: @retroactive ExpressibleByArgument {
    /// Parses `--log-level`: swift-log's level names (`trace`, `debug`, `info`, `notice`,
    /// `warning`, `error`, `critical`), plus Twisted's spelling `warn`.
    public init?(argument: String) {
        if argument == "warn" {
            self = .warning
        } else {
            self.init(rawValue: argument)
        }
    }

    /// The names `--help` lists.
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
