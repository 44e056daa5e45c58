import Poetry
import Testing
import Twist
import TwistTestSupport

/// `get-poetry`'s three styles over loopback: the same lines whatever the style, and the same
/// handling of a transform server or a poetry server that is down.
@Suite(.timeLimit(.minutes(1))) struct GetPoetryStyleTests {
    /// What one run printed and reported.
    struct Run: Sendable {
        var out: [String] = []
        var err: [String] = []
        var summary: GetPoetrySummary?
    }

    enum Servers {
        case fastAndSlow
        case fastAndDead
    }

    /// Starts a fast server (the Tyger), a slow one (Die Lorelei, or a closed port), and a
    /// transform server unless `transformServerUp` is false; runs `get-poetry` in `style`.
    func run(_ style: GetPoetryStyle, servers: Servers = .fastAndSlow, transformServerUp: Bool = true, transform: String? = "cummingsify") async throws -> Run {
        let tyger = try BundledPoems.poem(named: "the-tyger").bytes
        let lorelei = try BundledPoems.poem(named: "die-lorelei").bytes
        let run = Shared(Run())
        // "Down" servers are reserved ports nobody listens on (see ReservedPort).
        let deadPoetry = ReservedPort()
        let deadTransform = ReservedPort()
        let stopped = await runReactor { reactor in
            let fast = try reactor.listenTCP(0, PoetryServerFactory(poem: tyger), interface: "127.0.0.1").address.port!
            var slow = deadPoetry.port
            if case .fastAndSlow = servers {
                let slowFactory = SlowPoetryFactory(poem: lorelei, charactersPerChunk: 50, delay: 0.005, clock: reactor)
                slow = try reactor.listenTCP(0, slowFactory, interface: "127.0.0.1").address.port!
            }
            var xform = deadTransform.port
            if transformServerUp {
                xform = try reactor.listenTCP(0, try TransformFactory(service: .standard()), interface: "127.0.0.1").address.port!
            }
            let job = GetPoetryJob(
                poetryServers: [PoetryAddress(port: fast), PoetryAddress(port: slow)],
                transformServer: transform == nil ? nil : PoetryAddress(port: xform),
                transformName: transform ?? "cummingsify"
            )
            let output = PoetryOutput(
                out: { line in run.mutate { $0.out.append(line) } },
                err: { line in run.mutate { $0.err.append(line) } }
            )
            _ = GetPoetry(reactor, job: job, output: output).run(style: style).addCallback { summary in
                run.mutate { $0.summary = summary }
                try reactor.stop()
            }
        }
        withExtendedLifetime((deadPoetry, deadTransform)) {}
        #expect(stopped)
        return run.value
    }

    @Test(arguments: GetPoetryStyle.allCases)
    func eachStylePrintsBothPoemsTransformed(_ style: GetPoetryStyle) async throws {
        let result = try await run(style)
        let expected = try ["the-tyger", "die-lorelei"].map { PoemTransforms.cummingsify(try BundledPoems.poem(named: $0).text) + "\n" }
        #expect(result.out.sorted() == expected.sorted())
        #expect(result.err.isEmpty)
        #expect(result.summary == GetPoetrySummary(poems: 2, failedDownloads: 0, failedTransforms: 0))
    }

    @Test(arguments: GetPoetryStyle.allCases)
    func withTheTransformServerDownTheOriginalsArePrintedAndTheFailureGoesToStderr(_ style: GetPoetryStyle) async throws {
        let result = try await run(style, transformServerUp: false)
        let originals = try ["the-tyger", "die-lorelei"].map { try BundledPoems.poem(named: $0).text + "\n" }
        #expect(result.out.sorted() == originals.sorted())
        #expect(result.err == ["Cummingsify failed!\n", "Cummingsify failed!\n"])
        #expect(result.summary == GetPoetrySummary(poems: 2, failedDownloads: 0, failedTransforms: 2))
    }

    @Test(arguments: GetPoetryStyle.allCases)
    func aPoetryServerThatIsDownIsReportedOnceAndTheOtherPoemStillArrives(_ style: GetPoetryStyle) async throws {
        let result = try await run(style, servers: .fastAndDead)
        #expect(result.out == [PoemTransforms.cummingsify(try BundledPoems.poem(named: "the-tyger").text) + "\n"])
        #expect(result.err.count == 1)
        #expect(result.err.first?.hasPrefix("The poem download failed: connection was refused") == true)
        #expect(result.summary == GetPoetrySummary(poems: 1, failedDownloads: 1, failedTransforms: 0))
    }

    @Test(arguments: GetPoetryStyle.allCases)
    func aTransformThatFailsIsNamedInTheMessage(_ style: GetPoetryStyle) async throws {
        let result = try await run(style, transform: "sonnetize")
        #expect(result.err == ["Sonnetize failed!\n", "Sonnetize failed!\n"])
        #expect(result.summary?.poems == 2)
    }

    @Test(arguments: GetPoetryStyle.allCases)
    func withoutATransformServerThePoemsArePrintedAsServed(_ style: GetPoetryStyle) async throws {
        let result = try await run(style, transform: nil)
        let originals = try ["the-tyger", "die-lorelei"].map { try BundledPoems.poem(named: $0).text + "\n" }
        #expect(result.out.sorted() == originals.sorted())
        #expect(result.err.isEmpty)
    }
}
