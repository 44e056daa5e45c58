import ArgumentParser
import Poetry
import PoetryCommandLine
import Twist
import TwistCommandLine

/// The slow poetry server: a reactor-based take on the intro's blocking Part 2 server.
struct SlowPoetry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slowpoetry",
        abstract: "Serves a poem slowly: a few characters at a time, to any number of clients at once.",
        discussion: """
            Prints 'Serving <file> on port <port>.' once it listens (one line per endpoint; a \
            UNIX socket shows as 'unix:<path>' instead of 'port <port>'), then for each client \
            'Somebody at <host>:<port> wants poetry!' and 'Sending <n> bytes' for every chunk. \
            Each client has its own timer (a LoopingCall); a client that hangs up mid-poem stops \
            its timer at once and the others are served on. Unlike the intro's blocking server, \
            clients do not wait for each other. Stops on Ctrl-C (SIGINT) or SIGTERM.
            """
    )

    @OptionGroup var server: ServerOptions

    @Option(name: .customLong("num-bytes"), help: "Characters per chunk (a chunk of non-ASCII text is more bytes).")
    var numBytes: Int = 10

    @Option(help: "Seconds between chunks (0: as fast as the reactor turns).")
    var delay: Double = 0.7

    @Argument(help: "The poem file to serve (UTF-8 text).")
    var poemFile: String

    func validate() throws {
        guard numBytes >= 1 else { throw ValidationError("--num-bytes must be at least 1, got \(numBytes)") }
        guard delay >= 0, delay.isFinite else { throw ValidationError("--delay must be a non-negative number of seconds") }
    }

    /// "port 8000" for a TCP port, as the intro's blocking server prints; the address otherwise.
    static func announced(_ address: Address) -> String {
        address.ip.map { "port \($0.port)" } ?? "\(address)"
    }

    func run() throws {
        let poem = try readPoemArgument(poemFile)
        let runner = TwistRunner(options: server)
        let factory = SlowPoetryFactory(poem: poem, charactersPerChunk: numBytes, delay: delay, clock: runner.reactor, output: .console)
        try runner.listen(factory) { Console.out("Serving \(poemFile) on \(Self.announced($0.address)).\n") }
        try runner.run()
    }
}

SlowPoetry.mainWithUsageStatus2()
