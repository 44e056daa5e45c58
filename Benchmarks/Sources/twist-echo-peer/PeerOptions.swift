import Glibc

/// The peer's command line (`--port N` or `--unix PATH`, `--mode netstring|raw`,
/// `--tls-cert PEM --tls-key PEM`, `--reactors N --strategy handoff|reuseport`, or `--udp [--port N]`)
/// and process set-up.
struct PeerOptions {
    var port = 0
    /// Listen on this UNIX socket instead of a TCP port.
    var unixPath: String?
    var raw = false
    /// Serve TLS on the TCP port with this certificate (chain) and key, both PEM files.
    var tlsCertificate: String?
    var tlsKey: String?
    /// Serve with a ``ReactorGroup`` of this many reactors (1: a single reactor, no group).
    var reactors = 1
    /// How a group shares the port: "handoff" or "reuseport".
    var strategy = "handoff"
    /// Serve UDP echo on 127.0.0.1 (`--udp`) instead of a stream echo.
    var udp = false

    /// Parses the arguments; prints usage and exits with status 2 on anything else.
    static func parse(_ arguments: ArraySlice<String>) -> PeerOptions {
        var options = PeerOptions()
        var rest = arguments[...]
        while let name = rest.popFirst() {
            if name == "--udp" {
                options.udp = true
                continue
            }
            guard let value = rest.popFirst() else { usage() }
            switch name {
            case "--port":
                guard let port = Int(value), (0...65_535).contains(port) else { usage() }
                options.port = port
            case "--unix":
                guard !value.isEmpty else { usage() }
                options.unixPath = value
            case "--mode":
                guard value == "raw" || value == "netstring" else { usage() }
                options.raw = value == "raw"
            case "--tls-cert":
                options.tlsCertificate = value
            case "--tls-key":
                options.tlsKey = value
            case "--reactors":
                guard let count = Int(value), count >= 1 else { usage() }
                options.reactors = count
            case "--strategy":
                guard value == "handoff" || value == "reuseport" else { usage() }
                options.strategy = value
            default:
                usage()
            }
        }
        // Both TLS files or neither; TLS only over TCP; a group serves plain TCP or UNIX.
        if (options.tlsCertificate == nil) != (options.tlsKey == nil) || (options.tlsKey != nil && options.unixPath != nil)
            || (options.reactors > 1 && options.tlsKey != nil)
            || (options.reactors > 1 && options.unixPath != nil && options.strategy == "reuseport")
            || (options.udp && (options.unixPath != nil || options.tlsKey != nil || options.reactors > 1))
        {
            usage()
        }
        return options
    }

    /// Raises RLIMIT_NOFILE to its hard limit, so the idle scenario's 10,000 connections fit.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    private static func usage() -> Never {
        writeLine(
            "usage: twist-echo-peer [--port N | --unix PATH] [--mode netstring|raw] [--tls-cert PEM --tls-key PEM]"
                + " [--reactors N [--strategy handoff|reuseport]]\n       twist-echo-peer --udp [--port N]",
            to: STDERR_FILENO)
        exit(2)
    }
}

/// Writes `text` and a newline straight to a file descriptor (unbuffered, so the runner reading our
/// output sees the port at once).
func writeLine(_ text: String, to fd: Int32) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}
