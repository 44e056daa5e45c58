import Glibc
import Twist

/// twist-bench's Twist peer: a netstring (or raw byte) echo server on one Twist reactor.
///
///     twist-echo-peer [--port N | --unix PATH] [--mode netstring|raw] [--tls-cert PEM --tls-key PEM]
///                     [--reactors N [--strategy handoff|reuseport]]
///     twist-echo-peer --udp [--port N]
///
/// Prints `PORT <n>` as its first line, then serves 127.0.0.1 until SIGTERM or SIGINT, which stop
/// the reactor gracefully (exit status 0). With `--unix PATH` it listens on that UNIX socket
/// instead (a stale file there is removed first) and prints `UNIX <path>`; the socket file is
/// removed when the port stops listening. With `--tls-cert` and `--tls-key` it serves TLS on its
/// TCP port: `listenSSL` with one `TLSContext` built at start from Twist's default server options.
/// With `--reactors N` (N > 1) it serves on a `ReactorGroup` instead (see `GroupPeer`). With `--udp`
/// it is a UDP echo server on 127.0.0.1 (`listenUDP` with ``UDPEcho``) and prints `PORT <n>`.
@main
struct TwistEchoPeer {
    static func main() throws {
        let options = PeerOptions.parse(CommandLine.arguments.dropFirst())
        PeerOptions.raiseDescriptorLimit()
        if options.reactors > 1 {
            try GroupPeer.serve(options)
            return
        }
        let reactor = Reactor()
        if options.udp {
            try serveUDP(options, on: reactor)
            return
        }
        let factory: Factory = options.raw ? Factory { RawEcho() } : Factory { NetstringEcho() }
        let listening: any ListeningPort
        if let path = options.unixPath {
            unlink(path)
            listening = try reactor.listenUNIX(path, factory, backlog: 1024)
            writeLine("UNIX \(path)", to: STDOUT_FILENO)
        } else if let certificate = options.tlsCertificate, let key = options.tlsKey {
            let identity = try TLSIdentity(certificateFile: certificate, privateKeyFile: key)
            let context = try TLSContext(TLSServerOptions(identity: identity))
            listening = try reactor.listenSSL(options.port, factory, context, backlog: 1024, interface: "127.0.0.1")
            writeLine("PORT \(listening.address.port!)", to: STDOUT_FILENO)
        } else {
            listening = try reactor.listenTCP(options.port, factory, backlog: 1024, interface: "127.0.0.1")
            writeLine("PORT \(listening.address.port!)", to: STDOUT_FILENO)
        }
        try withExtendedLifetime(listening) { try reactor.run(installSignalHandlers: true) }
    }

    /// `--udp`: echoes datagrams until SIGTERM or SIGINT, then reports any dropped on standard error.
    private static func serveUDP(_ options: PeerOptions, on reactor: Reactor) throws {
        let echo = UDPEcho()
        let port = try reactor.listenUDP(options.port, echo, interface: "127.0.0.1", maxPacketSize: UDPEcho.maxPacketSize)
        writeLine("PORT \(port.address.port!)", to: STDOUT_FILENO)
        try withExtendedLifetime(port) { try reactor.run(installSignalHandlers: true) }
        if echo.dropped > 0 { writeLine("twist-echo-peer: \(echo.dropped) datagrams dropped on send", to: STDERR_FILENO) }
    }
}
