import Dispatch
import Glibc
import NIOCore
import NIOPosix
import NIOSSL

/// twist-bench's SwiftNIO peer: a netstring (or raw byte) echo server on one event-loop thread
/// (`--threads N`: N, the accepted channels spread over them by the server bootstrap),
/// built as NIO's documentation recommends: a `ByteToMessageDecoder` for the framing, a
/// `MessageToByteEncoder` for the reply, and a handler that writes in `channelRead` and flushes in
/// `channelReadComplete`.
///
///     nio-echo-peer [--port N | --unix PATH] [--mode netstring|raw] [--tls-cert PEM --tls-key PEM] [--threads N]
///     nio-echo-peer --udp [--port N]
///
/// Prints `PORT <n>` as its first line, then serves 127.0.0.1 until SIGTERM or SIGINT, which close
/// the server channel and shut the loop down (exit status 0). With `--unix PATH` it binds that
/// UNIX socket instead (`bind(unixDomainSocketPath:cleanupExistingSocketFile: true)`, so a stale
/// file there is removed first), prints `UNIX <path>`, and leaves out `TCP_NODELAY`. With
/// `--tls-cert` and `--tls-key` every TCP connection is TLS: a `NIOSSLServerHandler` (swift-nio-ssl,
/// BoringSSL) in front of the same handlers, all sharing one `NIOSSLContext` built at start from
/// `TLSConfiguration.makeServerConfiguration` with its defaults. With `--udp` it is a UDP echo
/// server on 127.0.0.1 instead (`UDPEchoServer`: `DatagramBootstrap`, vector reads of 64).
@main
struct NIOEchoPeer {
    static func main() throws {
        let arguments = CommandLine.arguments.dropFirst()
        let udp = arguments.contains("--udp")
        let (port, unixPath, raw, tls, threads) = parseArguments(arguments.filter { $0 != "--udp" }[...])
        if udp, unixPath != nil || tls != nil { usage() }
        raiseDescriptorLimit()
        let sslContext = try tls.map { try makeServerContext(certificateFile: $0.certificate, keyFile: $0.key) }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        var bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        if unixPath == nil {
            // A UNIX socket has no Nagle to turn off (setting TCP_NODELAY on one fails).
            bootstrap = bootstrap.childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        }
        bootstrap = bootstrap
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let sslContext {
                        try pipeline.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    if raw {
                        try pipeline.addHandler(RawEchoHandler())
                    } else {
                        try pipeline.addHandler(ByteToMessageHandler(NetstringDecoder()))
                        try pipeline.addHandler(MessageToByteHandler(NetstringEncoder()))
                        try pipeline.addHandler(NetstringEchoHandler())
                    }
                }
            }
        let server: any Channel
        if udp {
            server = try UDPEchoServer.bind(group: group, port: port)
            writeLine("PORT \(server.localAddress?.port ?? 0)", to: STDOUT_FILENO)
        } else if let unixPath {
            server = try bootstrap.bind(unixDomainSocketPath: unixPath, cleanupExistingSocketFile: true).wait()
            writeLine("UNIX \(unixPath)", to: STDOUT_FILENO)
        } else {
            server = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
            writeLine("PORT \(server.localAddress?.port ?? 0)", to: STDOUT_FILENO)
        }

        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { @Sendable in server.close(promise: nil) }
            source.resume()
            return source
        }
        try server.closeFuture.wait()
        signals.forEach { $0.cancel() }
        try group.syncShutdownGracefully()
    }

    private static func parseArguments(
        _ arguments: ArraySlice<String>
    ) -> (port: Int, unixPath: String?, raw: Bool, tls: (certificate: String, key: String)?, threads: Int) {
        var port = 0
        var unixPath: String?
        var raw = false
        var certificate: String?
        var key: String?
        var threads = 1
        var rest = arguments[...]
        while let name = rest.popFirst() {
            let value = rest.popFirst()
            switch (name, value) {
            case ("--port", let value?) where Int(value).map { (0...65_535).contains($0) } ?? false:
                port = Int(value)!
            case ("--unix", let value?) where !value.isEmpty:
                unixPath = value
            case ("--mode", "raw"): raw = true
            case ("--mode", "netstring"): raw = false
            case ("--tls-cert", let value?): certificate = value
            case ("--tls-key", let value?): key = value
            case ("--threads", let value?) where (Int(value) ?? 0) >= 1:
                threads = Int(value)!
            default:
                usage()
            }
        }
        // Both TLS files or neither; TLS only over TCP.
        if (certificate == nil) != (key == nil) || (key != nil && unixPath != nil) { usage() }
        if let certificate, let key { return (port, unixPath, raw, (certificate, key), threads) }
        return (port, unixPath, raw, nil, threads)
    }

    private static func usage() -> Never {
        writeLine(
            "usage: nio-echo-peer [--port N | --unix PATH] [--mode netstring|raw] [--tls-cert PEM --tls-key PEM]"
                + " [--threads N]\n       nio-echo-peer --udp [--port N]",
            to: STDERR_FILENO)
        exit(2)
    }

    /// Raises RLIMIT_NOFILE to its hard limit, so the idle scenario's 10,000 connections fit.
    private static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Writes `text` and a newline straight to a file descriptor (unbuffered, so the runner reading our
/// output sees the port at once).
func writeLine(_ text: String, to fd: Int32) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
