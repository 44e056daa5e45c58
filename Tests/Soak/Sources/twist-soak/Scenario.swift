import SoakKit

/// The scenarios, in the order they run, and which server each needs.
enum Scenario: String, CaseIterable {
    case churn
    case idle
    case slow
    case garbage
    case resets
    case exhaustion
    case shutdown

    /// The server instance the scenario runs against.
    var group: ServerGroup {
        switch self {
        case .churn, .idle, .slow, .garbage, .resets: .shared
        case .exhaustion: .exhaustion
        case .shutdown: .shutdown
        }
    }

    func run(_ context: SoakContext) throws(LoadError) -> ScenarioResult {
        switch self {
        case .churn: try Churn.run(context)
        case .idle: try IdleCrowd.run(context)
        case .slow: try SlowReader.run(context)
        case .garbage: try Garbage.run(context)
        case .resets: try Resets.run(context)
        case .exhaustion: try DescriptorExhaustion.run(context)
        case .shutdown: try GracefulShutdown.run(context)
        }
    }
}

/// A server instance: one shared by the load scenarios, one with a low descriptor limit, one to stop.
enum ServerGroup: String, CaseIterable {
    case shared
    case exhaustion
    case shutdown

    func serverArguments(_ config: SoakConfig) -> [String] {
        switch self {
        case .shared: []
        case .exhaustion: ["--max-files", String(config.exhaustionLimit)]
        case .shutdown: ["--drain-timeout", String(config.shutdownFlushBound * 2), "--max-length", String(config.shutdownMaxLength),
            "--send-buffer", String(config.shutdownSendBuffer)]
        }
    }
}
