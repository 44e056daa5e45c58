import ArgumentParser
import Poetry
import PoetryCommandLine
import Twist
import TwistCommandLine

/// The caching poetry proxy (the intro's Parts 13, 14 and 19).
struct PoetryProxy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poetry-proxy",
        abstract: "Serves the poem of another poetry server, fetching it once and caching it.",
        discussion: """
            Prints 'Proxying <upstream> on <address>.' for each endpoint once it listens. The first client \
            makes it print 'Fetching poem from server.' and download the poem; later clients get \
            'Using cached poem.'. When the upstream server is down, the client's connection is \
            closed with nothing written and the next client tries again. A client that hangs up \
            before the poem arrives cancels the download ('Canceling poem download.').
            """
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The upstream poetry server, [host:]port (a bare port means 127.0.0.1), tcp:HOST:PORT, unix:PATH or tls:HOST:PORT[:trustRoots=DIR].", transform: parsePoetryAddress)
    var upstream: PoetryAddress

    func run() throws {
        let runner = TwistRunner(options: server)
        let service = PoetryProxyService(runner.reactor, upstream: upstream, output: .console)
        try runner.listen(PoetryProxyFactory(service: service, output: .console)) {
            Console.out("Proxying \(upstream) on \($0.address).\n")
        }
        try runner.run()
    }
}

PoetryProxy.mainWithUsageStatus2()
