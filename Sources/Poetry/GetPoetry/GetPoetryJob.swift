/// What `get-poetry` is asked to do: which poetry servers to download from, and which transform,
/// if any, to ask of which transform server.
public struct GetPoetryJob: Sendable {
    /// The poetry servers, one poem each, downloaded concurrently.
    public let poetryServers: [PoetryAddress]
    /// The transform server; nil skips the transform step (the intro's exercise).
    public let transformServer: PoetryAddress?
    /// The transform to ask for (`cummingsify` by default).
    public let transformName: String

    /// A job for `poetryServers`, transformed with `transformName` by `transformServer` when given.
    public init(poetryServers: [PoetryAddress], transformServer: PoetryAddress? = nil, transformName: String = "cummingsify") {
        self.poetryServers = poetryServers
        self.transformServer = transformServer
        self.transformName = transformName
    }
}

/// How `get-poetry` spells its control flow; all three print the same lines.
public enum GetPoetryStyle: String, CaseIterable, Sendable {
    /// Deferred chains with nested Deferreds and a counter (the intro's client 6, Part 13).
    case callbacks
    /// `async`/`await` on the reactor, the Swift spelling of `inlineCallbacks` (client 7, Part 17).
    case async
    /// Deferred chains gathered by a `DeferredList` (client 8, Part 18).
    case list
}

/// How a `get-poetry` run went.
public struct GetPoetrySummary: Equatable, Sendable {
    /// Poems printed (transformed or, when the transform failed, original).
    public var poems = 0
    /// Downloads that failed (nothing printed for them).
    public var failedDownloads = 0
    /// Transforms that failed (the original poem was printed instead).
    public var failedTransforms = 0

    /// A summary with the given counts.
    public init(poems: Int = 0, failedDownloads: Int = 0, failedTransforms: Int = 0) {
        self.poems = poems
        self.failedDownloads = failedDownloads
        self.failedTransforms = failedTransforms
    }
}
