import ArgumentParser
import Foundation
import Twist
import TwistCommandLine

/// Sends back every byte it receives (Twisted's canonical first protocol).
final class Echo: Protocol {
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        transport?.write(data)
    }
}

/// An echo server: the smallest complete Twist program.
@main
struct EchoServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server",
        abstract: "Echoes back whatever clients send, over TCP or UNIX sockets.",
        discussion: """
            Prints 'echo-server listening on <address>' for each endpoint it listens on, then \
            serves until Ctrl-C (SIGINT) or SIGTERM. A bad --listen description exits 2.
            """
    )

    @OptionGroup var server: ServerOptions

    /// Runs with usage errors exiting 2, as every Twist server does.
    static func main() {
        mainWithUsageStatus2()
    }

    func run() throws {
        let runner = TwistRunner(options: server)
        try runner.listen(perReactor: { _ in Factory { Echo() } }) { Console.out("echo-server listening on \($0.address)\n") }
        try runner.run()
    }
}
