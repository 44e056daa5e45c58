import Twist

extension GetPoetry {
    /// Client 8: the same per-poem chains, gathered by `DeferredList.all(consumeErrors: true)`,
    /// which fires once every chain has — so a failed download is reported once, by its chain,
    /// and never again as an unhandled error.
    func runWithDeferredList() -> Deferred<GetPoetrySummary> {
        let chains = job.poetryServers.map { poemChain($0) }
        return DeferredList.all(chains, consumeErrors: true).addCallback { [self] _ in summary }
    }
}
