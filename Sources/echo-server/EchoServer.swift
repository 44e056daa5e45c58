import ArgumentParser
import Foundation
import Twist

/// Sends back every byte it receives (Twisted's canonical first protocol).
final class Echo: Protocol {
    override func dataReceived(_ data: ArraySlice<UInt8>) throws {
        transport?.write(data)
    }
}

/// A TCP echo server: the smallest complete Twist program.
@main
struct EchoServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server",
        abstract: "Echoes back whatever TCP clients send.",
        discussion: "Prints the address it listens on, then serves until Ctrl-C (SIGINT) or SIGTERM."
    )

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port: Int = 0

    @Option(name: .customLong("iface"), help: "The numeric address to listen on.")
    var interface: String = "127.0.0.1"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() throws {
        let reactor = Reactor()
        let listening = try reactor.listenTCP(port, Factory { Echo() }, interface: interface)
        // Unbuffered, so a script reading our output sees the address at once.
        FileHandle.standardOutput.write(Data("echo-server listening on \(listening.address)\n".utf8))
        try reactor.run(installSignalHandlers: true)
    }
}
