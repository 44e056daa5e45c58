/// One echo server measured side by side.
struct Peer: Sendable {
    /// Short name used in tables, JSON and `--peer`.
    let name: String
    /// The command that starts it in `mode` ("netstring" or "raw"), listening as `listen` says
    /// (``Transport/listenArguments(socket:)``: `--port 0` or `--unix PATH`; `--udp --port 0` for
    /// the UDP scenarios).
    let command: @Sendable (_ mode: String, _ listen: [String]) -> [String]
    /// Whether it serves TLS when given `--tls-cert PATH --tls-key PATH` (the TLS scenarios skip
    /// a peer that does not).
    var servesTLS = true

    /// The two references every ratio is taken against.
    static let rawC = "libev-c"
    static let nio = "swiftnio"

    /// The peers in table order: the three built in this package, then Python Twisted when
    /// `python` is an interpreter that can import Twisted (its real path, so the pid measured is
    /// the interpreter's and not a wrapper script's). With `twistReactors` above 1 the Twist peer
    /// serves from a reactor group sharing its port by `twistStrategy` (and cannot serve TLS);
    /// with `nioThreads` above 1 the SwiftNIO peer's event-loop group has that many threads.
    static func all(
        binaries: String, twistedScript: String, python: String?, twistReactors: Int = 1,
        twistStrategy: String = "handoff", nioThreads: Int = 1
    ) -> [Peer] {
        let group = twistReactors > 1 ? ["--reactors", "\(twistReactors)", "--strategy", twistStrategy] : []
        let threads = nioThreads > 1 ? ["--threads", "\(nioThreads)"] : []
        var peers = [
            // A UDP port is served by one reactor: the group options apply to the stream scenarios only.
            Peer(name: "twist", command: { ["\(binaries)/twist-echo-peer"] + $1 + ["--mode", $0] + ($1.contains("--udp") ? [] : group) }, servesTLS: group.isEmpty),
            Peer(name: nio) { ["\(binaries)/nio-echo-peer"] + $1 + ["--mode", $0] + threads },
            Peer(name: rawC) { ["\(binaries)/libev-echo-peer"] + $1 + ["--mode", $0] },
        ]
        if let python {
            peers.append(Peer(name: "twisted") { [python, twistedScript] + $1 + ["--mode", $0] })
        }
        return peers
    }
}

/// How a peer is reached: TCP on 127.0.0.1 (each peer picks a free port and prints `PORT <n>`)
/// or a UNIX socket in the run's temporary directory (each peer prints `UNIX <path>`).
enum Transport: String, Sendable, Codable, CaseIterable {
    case tcp
    case unix
    /// The UDP scenarios' datagrams on a port of 127.0.0.1 (only they use it).
    case udp

    /// The peer's listening arguments; `socket` is the UNIX socket's path (unused otherwise).
    func listenArguments(socket: String) -> [String] {
        switch self {
        case .tcp: ["--port", "0"]
        case .unix: ["--unix", socket]
        case .udp: ["--udp", "--port", "0"]
        }
    }

    /// The first word of the line a ready peer prints.
    var readyWord: String {
        switch self {
        case .tcp, .udp: "PORT"
        case .unix: "UNIX"
        }
    }
}
