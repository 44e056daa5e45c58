import ArgumentParser
import Foundation
import Poetry
import PoetryCommandLine
import Twist

/// The poetry client (the intro's clients 6, 7 and 8, selectable by --style).
struct GetPoetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-poetry",
        abstract: "Downloads poems from poetry servers, concurrently, and has each transformed.",
        discussion: """
            Each poem is printed to standard output as soon as it is ready, followed by an empty \
            line. With --xform-server, each poem is first sent to that transform server for \
            --transform; when that fails, '<Transform> failed!' goes to standard error and the \
            original poem is printed. A download that fails prints 'The poem download failed: \
            <address>: <reason>' to standard error. The program ends when every poem is done; \
            its exit status is 1 when any download failed, 0 otherwise. The three styles print \
            the same: callbacks (client 6, Deferred chains), async (client 7, async/await, the \
            Swift inlineCallbacks), list (client 8, DeferredList).
            """
    )

    @Option(help: "How the client is written: \(GetPoetryStyle.allCases.map(\.rawValue).joined(separator: ", ")).")
    var style: GetPoetryStyle = .callbacks

    @Option(name: .customLong("xform-server"), help: "The transform server, [host:]port or tcp:HOST:PORT, unix:PATH or tls:HOST:PORT[:trustRoots=DIR]; without it, poems are not transformed.", transform: parsePoetryAddress)
    var xformServer: PoetryAddress?

    @Option(help: "The transform to ask the transform server for.")
    var transform: String = "cummingsify"

    @Argument(help: "Poetry servers, each [host:]port (a bare port means 127.0.0.1), tcp:HOST:PORT, unix:PATH or tls:HOST:PORT[:trustRoots=DIR].", transform: parsePoetryAddress)
    var servers: [PoetryAddress] = []

    func validate() throws {
        guard !servers.isEmpty else { throw ValidationError("give at least one poetry server address") }
        guard !transform.isEmpty, !transform.contains(".") else {
            throw ValidationError("--transform must be a non-empty name without '.', got '\(transform)'")
        }
    }

    func run() throws {
        let reactor = Reactor()
        let job = GetPoetryJob(poetryServers: servers, transformServer: xformServer, transformName: transform)
        let client = GetPoetry(reactor, job: job, output: .console)
        var failedDownloads = 0
        reactor.callWhenRunning {
            _ = client.run(style: style).addCallback { summary in
                failedDownloads = summary.failedDownloads
                try reactor.stop()
            }
        }
        try reactor.run(installSignalHandlers: true)
        if failedDownloads > 0 { throw ExitCode(1) }
    }
}

GetPoetryCommand.mainWithUsageStatus2()
