import ArgumentParser
import Poetry
import PoetryCommandLine
import Twist
import TwistCommandLine

/// The fast poetry server (the intro's Part 11): every client gets the whole poem at once.
struct FastPoetry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fastpoetry",
        abstract: "Serves a poem: each client gets the whole poem at once, then the connection closes.",
        discussion: """
            Prints 'Serving <file> on <host>:<port>.' on each endpoint once it listens (port 0 picks a free one), \
            then serves any number of clients until Ctrl-C (SIGINT) or SIGTERM. Clients send \
            nothing; the end of the poem is the end of the stream. Try it with \
            'get-poetry <port>' or 'nc 127.0.0.1 <port>'.
            """
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The poem file to serve (UTF-8 text).")
    var poemFile: String

    func run() throws {
        let poem = try readPoemArgument(poemFile)
        let runner = TwistRunner(options: server)
        try runner.listen(PoetryServerFactory(poem: poem)) { Console.out("Serving \(poemFile) on \($0.address).\n") }
        try runner.run()
    }
}

FastPoetry.mainWithUsageStatus2()
