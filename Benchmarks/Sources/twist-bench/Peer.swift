/// One echo server measured side by side.
struct Peer: Sendable {
    /// Short name used in tables, JSON and `--peer`.
    let name: String
    /// The command that starts it in `mode` ("netstring" or "raw") on a free port.
    let command: @Sendable (_ mode: String) -> [String]

    /// The two references every ratio is taken against.
    static let rawC = "libev-c"
    static let nio = "swiftnio"

    /// The peers in table order: the three built in this package, then Python Twisted when
    /// `python` is an interpreter that can import Twisted (its real path, so the pid measured is
    /// the interpreter's and not a wrapper script's).
    static func all(binaries: String, twistedScript: String, python: String?) -> [Peer] {
        var peers = [
            Peer(name: "twist") { ["\(binaries)/twist-echo-peer", "--port", "0", "--mode", $0] },
            Peer(name: nio) { ["\(binaries)/nio-echo-peer", "--port", "0", "--mode", $0] },
            Peer(name: rawC) { ["\(binaries)/libev-echo-peer", "--port", "0", "--mode", $0] },
        ]
        if let python {
            peers.append(Peer(name: "twisted") { [python, twistedScript, "--port", "0", "--mode", $0] })
        }
        return peers
    }
}
