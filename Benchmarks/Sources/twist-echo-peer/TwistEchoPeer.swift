import Glibc
import Twist

/// twist-bench's Twist peer: a netstring (or raw byte) echo server on one Twist reactor.
///
///     twist-echo-peer [--port N | --unix PATH] [--mode netstring|raw] [--tls-cert PEM --tls-key PEM]
///                     [--reactors N [--strategy handoff|reuseport]]
///
/// Prints `PORT <n>` as its first line, then serves 127.0.0.1 until SIGTERM or SIGINT, which stop
/// the reactor gracefully (exit status 0). With `--unix PATH` it listens on that UNIX socket
/// instead (a stale file there is removed first) and prints `UNIX <path>`; the socket file is
/// removed when the port stops listening. With `--tls-cert` and `--tls-key` it serves TLS on its
/// TCP port: `listenSSL` with one `TLSContext` built at start from Twist's default server options.
/// With `--reactors N` (N > 1) it serves on a `ReactorGroup` instead (see `GroupPeer`).
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
}
