import Twist

extension GetPoetry {
    /// Client 7: each poem is one `async` body run on the reactor with `Deferred(on:)` (the Swift
    /// spelling of `inlineCallbacks`); `try await` takes the place of `yield`, `do`/`catch` the
    /// place of `try`/`except`. A final body awaits them all.
    func runWithAsync() -> Deferred<GetPoetrySummary> {
        var poems: [Deferred<Void>] = []
        for address in job.poetryServers {
            poems.append(asyncPoem(address))
        }
        return Deferred(on: reactor) { () -> GetPoetrySummary in
            for poem in poems {
                // Each failure was reported where it happened; awaiting it marks it handled.
                try? await poem.value()
            }
            return self.summary
        }
    }

    /// Downloads, transforms and prints one poem, as one `async` body on the reactor.
    private func asyncPoem(_ address: PoetryAddress) -> Deferred<Void> {
        Deferred(on: reactor) { () -> Void in
            let original: String
            do {
                original = try await getPoetry(self.reactor, address).value()
            } catch {
                self.reportDownloadFailure(error)
                throw error
            }
            var poem = original
            if let proxy = self.proxy {
                do {
                    poem = try await proxy.xform(self.job.transformName, original).value()
                } catch {
                    self.reportTransformFailure()
                }
            }
            self.reportPoem(poem)
        }
    }
}
