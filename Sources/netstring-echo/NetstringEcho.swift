import ArgumentParser
import Foundation
import Logging
import Twist

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
        abstract: "Echoes back every netstring TCP clients send.",
        discussion: """
            Prints one line, 'Serving netstring echo on <host>:<port>.' ('raw echo' with --raw), \
            once it listens (port 0 picks a free one), then serves until Ctrl-C (SIGINT) or \
            SIGTERM, and exits 0. A malformed netstring closes only the connection it came on and \
            is logged on standard error. Try it with: printf '5:hello,' | nc 127.0.0.1 <port>
            """
    )

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port: Int = 0

    @Option(name: .customLong("iface"), help: "The numeric address to listen on; 'localhost' means 127.0.0.1.")
    var interface: String = "127.0.0.1"

    @Flag(help: "Echo bytes as they come, with no netstring framing.")
    var raw = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() throws {
        // Logs go to standard error, warnings and above: standard output carries only the
        // "Serving" line that scripts read.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let reactor = Reactor()
        let raw = self.raw
        let factory = Factory { raw ? RawEchoProtocol() : NetstringEchoProtocol() }
        let listening = try reactor.listenTCP(port, factory, interface: interface == "localhost" ? "127.0.0.1" : interface)
        // Unbuffered, so a script reading our output sees the address at once.
        FileHandle.standardOutput.write(Data("Serving \(raw ? "raw" : "netstring") echo on \(listening.address).\n".utf8))
        try reactor.run(installSignalHandlers: true)
    }
}
