import ArgumentParser
import Twist
import TwistCommandLine

/// A UDP echo server: every datagram goes back to its sender.
@main
struct EchoUDP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-udp",
        abstract: "Echoes every UDP datagram back to its sender.",
        discussion: """
            Prints 'echo-udp listening on <address>' for each port once it is bound (port 0 picks \
            a free one), then serves until Ctrl-C (SIGINT) or SIGTERM and exits 0. With neither \
            --listen nor --port it listens on a free port of 127.0.0.1. Try it with: \
            echo hello | nc -u -w1 127.0.0.1 <port>
            """
    )

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "A UDP port to listen on: udp:PORT[:interface=HOST][:maxPacketSize=N] (interface \\:\\:1 for IPv6); repeatable.",
            valueName: "description"
        )
    )
    var descriptions: [String] = []

    @Option(help: "The UDP port to listen on (shorthand for --listen udp:PORT:interface=IFACE); 0 picks a free one.")
    var port: Int?

    @Option(help: "The numeric address --port listens on; 'localhost' means 127.0.0.1.")
    var iface = "127.0.0.1"

    /// Runs with usage errors exiting 2, as every Twist server does.
    static func main() {
        mainWithUsageStatus2()
    }

    func validate() throws {
        if let port, !(0...65_535).contains(port) {
            throw ValidationError("--port must be between 0 and 65535, got \(port)")
        }
        for description in descriptions { _ = try UDPListenDescription(description) }
    }

    func run() throws {
        let reactor = Reactor()
        var wanted = try descriptions.map(UDPListenDescription.init)
        if port != nil || wanted.isEmpty {
            let interface = iface == "localhost" ? "127.0.0.1" : iface
            wanted.insert(UDPListenDescription(port: port ?? 0, interface: interface, maxPacketSize: 8192), at: 0)
        }
        for listen in wanted {
            let udpPort = try reactor.listenUDP(
                listen.port, UDPEchoProtocol(), interface: listen.interface, maxPacketSize: listen.maxPacketSize
            )
            Console.out("echo-udp listening on \(udpPort.address)\n")
        }
        try reactor.run(installSignalHandlers: true)
    }
}
