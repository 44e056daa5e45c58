import ArgumentParser
import Foundation
import Logging
import Twist
import TwistCommandLine

/// Sends every netstring it receives back unchanged. A malformed netstring is logged (as a
/// warning, by `NetstringReceiver`) and closes only its own connection.
final class NetstringEchoProtocol: NetstringReceiver {
    override func stringReceived(_ string: ArraySlice<UInt8>) throws {
        sendString(string)
    }
}

/// Sends every byte it receives back, with no framing.
final class RawEchoProtocol: Protocol {
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        transport?.write(data)
    }
}

/// A TCP server that echoes netstrings (or, with `--raw`, bytes).
@main
struct NetstringEcho: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netstring-echo",
        abstract: "Echoes back every netstring clients send, over TCP or UNIX sockets.",
        discussion: """
            Prints 'Serving netstring echo on <address>.' ('raw echo' with --raw) for each \
            endpoint once it listens (port 0 picks a free one), then serves until Ctrl-C (SIGINT) or \
            SIGTERM, and exits 0. With --reactors N, N reactors serve every endpoint, each on its own \
            thread (--reactor-strategy handoff or reuseport). A malformed netstring closes only the connection it came on and \
            is logged on standard error. Try it with: printf '5:hello,' | nc 127.0.0.1 <port>
            """
    )

    @OptionGroup var server: ServerOptions

    @Flag(help: "Echo bytes as they come, with no netstring framing.")
    var raw = false

    /// Runs with usage errors exiting 2, as every Twist server does.
    static func main() {
        mainWithUsageStatus2()
    }

    func run() throws {
        // Logs go to standard error, warnings and above (mainWithUsageStatus2 sets that up):
        // standard output carries only the "Serving" lines that scripts read.
        let runner = TwistRunner(options: server)
        let raw = self.raw
        // One factory per reactor: with --reactors N each reactor builds its own protocols.
        try runner.listen(perReactor: { _ in Factory { raw ? RawEchoProtocol() : NetstringEchoProtocol() } }) { Console.out("Serving \(raw ? "raw" : "netstring") echo on \($0.address).\n") }
        try runner.run()
    }
}
