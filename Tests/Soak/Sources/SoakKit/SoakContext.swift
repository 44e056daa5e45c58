/// What a scenario runs against: the server, a stats connection to it, the sizes, payload randomness.
public final class SoakContext {
    public let server: ServerProcess
    public let stats: StatsClient
    public let config: SoakConfig
    public var random: SeededRandom

    /// A context for `server`, with its stats connection opened.
    public init(server: ServerProcess, config: SoakConfig) throws(LoadError) {
        self.server = server
        self.config = config
        stats = try StatsClient(port: server.statsPort)
        random = SeededRandom(seed: config.seed)
    }

    /// The counters that must return to where they were once every client is gone.
    static let baselineKeys = ["echo_objects", "echo_open", "transports_live", "transform_live"]

    /// Waits (up to 10 s) for the server to be back at `baseline`: same open descriptors, no live
    /// echo or transform protocol objects and no live transports. Checks it into `result`.
    @discardableResult
    public func settle(to baseline: [String: Int], into result: inout ScenarioResult) throws(LoadError) -> [String: Int] {
        let after = try stats.wait(timeout: 10) { now in
            now["fds"] == baseline["fds"] && SoakContext.baselineKeys.allSatisfy { now[$0] == 0 }
        }
        result.check(server.isRunning, "the server died (status \(server.exitStatus ?? -1))")
        result.check(after["fds"] == baseline["fds"], "open descriptors \(baseline["fds"] ?? -1) before, \(after["fds"] ?? -1) after")
        for key in SoakContext.baselineKeys {
            result.check(after[key] == 0, "\(key) is \(after[key] ?? -1) after the clients left (want 0)")
        }
        result.note("fds \(baseline["fds"] ?? -1)→\(after["fds"] ?? -1)")
        result.note("live objects \(SoakContext.baselineKeys.map { after[$0] ?? -1 }.reduce(0, +))")
        return after
    }

    /// A random netstring payload of `count` bytes.
    public func payload(_ count: Int) -> [UInt8] { random.bytes(count) }
}
