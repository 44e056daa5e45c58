public import Twist

/// The client logic of `get-poetry`: download every poem concurrently, ask the transform server
/// to transform each (keeping the original when that fails), print each poem as soon as it is
/// ready, and report when all are done.
///
/// Lines printed, identical in every style:
/// - each poem on standard output, followed by an empty line (as Python's `print(poem)` does);
/// - `<Transform> failed!` on standard error when a transform fails (`Cummingsify failed!`);
/// - `The poem download failed: <reason>` on standard error when a download fails (a connect
///   error's reason names the address).
///
/// Confined to the reactor thread.
public final class GetPoetry {
    /// What to download and transform.
    public let job: GetPoetryJob
    let reactor: Reactor
    let output: PoetryOutput
    let proxy: TransformProxy?
    /// The counts so far.
    public private(set) var summary = GetPoetrySummary()

    /// A run of `job` on `reactor`, printing to `output`.
    public init(_ reactor: Reactor, job: GetPoetryJob, output: PoetryOutput) {
        self.reactor = reactor
        self.job = job
        self.output = output
        proxy = job.transformServer.map { TransformProxy(reactor, $0) }
    }

    /// Starts every download in the given style.
    ///
    /// - Returns: a Deferred that fires with the summary once every poem has been printed or has
    ///   failed. It never fails: each failure has been reported on the way.
    public func run(style: GetPoetryStyle) -> Deferred<GetPoetrySummary> {
        switch style {
        case .callbacks: runWithCallbacks()
        case .async: runWithAsync()
        case .list: runWithDeferredList()
        }
    }

    /// The poem transformed by the transform server, or the original when there is no transform
    /// server or the transform failed (reported). Never fails.
    func transformed(_ poem: String) -> Deferred<String> {
        guard let proxy else { return succeed(poem) }
        return proxy.xform(job.transformName, poem).addErrback { [self] _ in
            reportTransformFailure()
            return poem
        }
    }

    func reportPoem(_ poem: String) {
        summary.poems += 1
        output.out(poem + "\n")
    }

    func reportTransformFailure() {
        summary.failedTransforms += 1
        output.err("\(job.transformName.prefix(1).uppercased() + job.transformName.dropFirst()) failed!\n")
    }

    func reportDownloadFailure(_ error: any Error) {
        summary.failedDownloads += 1
        let reason = (error as? Failure)?.error ?? error
        output.err("The poem download failed: \(reason)\n")
    }
}
