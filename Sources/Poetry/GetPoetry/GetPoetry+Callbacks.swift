import Twist

extension GetPoetry {
    /// Client 6: one Deferred chain per poem — download, then a callback that *returns* the
    /// transform's Deferred (so the chain waits for it), then print — and a counter that fires the
    /// result when the last chain is done.
    func runWithCallbacks() -> Deferred<GetPoetrySummary> {
        let done = Deferred<GetPoetrySummary>()
        var remaining = job.poetryServers.count
        func oneFinished() {
            remaining -= 1
            if remaining == 0 { try? done.callback(summary) }
        }
        if remaining == 0 { try? done.callback(summary) }
        for address in job.poetryServers {
            getPoetry(reactor, address)
                .addCallback { [self] poem in transformed(poem) }
                .addCallbacks({ [self] poem in reportPoem(poem) }, { [self] failure in reportDownloadFailure(failure) })
                .addBoth { _ in oneFinished() }
        }
        return done
    }

    /// One poem's chain, shared with the DeferredList style: download, transform, print. Fails
    /// (after reporting) when the download fails.
    func poemChain(_ address: PoetryAddress) -> Deferred<Void> {
        getPoetry(reactor, address)
            .addErrback { [self] failure -> String in
                reportDownloadFailure(failure)
                throw failure
            }
            .addCallback { [self] poem in transformed(poem) }
            .addCallback { [self] poem in reportPoem(poem) }
    }
}
