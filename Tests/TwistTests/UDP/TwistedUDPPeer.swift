import Foundation

/// `twisted_udp_peer.py` (next to this file), run under `python3`, and the datagrams both sides
/// of the UDP interop tests send: the same sizes and bytes as the script's `SIZES` and
/// `datagram(index)`.
enum TwistedUDPPeer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("twisted_udp_peer.py").path

    /// True when Twisted's `DatagramProtocol` imports under `python3` (checked once).
    static let isAvailable = PeerProcess.pythonSucceeds("from twisted.internet.protocol import DatagramProtocol")

    /// The sizes datagrams cycle through: empty, tiny, a typical 1,200-byte payload, a full
    /// Ethernet payload, and exactly the 8,192 bytes both sides read by default.
    static let sizes = [0, 1, 13, 64, 512, 1200, 1472, 4096, 8192]

    /// The datagram the script's echo server takes as its cue to print its count and exit.
    static let stopDatagram = Array("twisted-udp-peer: stop".utf8)

    /// Datagram `index`: `sizes[index % sizes.count]` bytes, each `(index * 7 + offset) % 251`,
    /// so neighbouring datagrams of one size differ.
    static func datagram(_ index: Int) -> [UInt8] {
        (0..<sizes[index % sizes.count]).map { UInt8((index * 7 + $0) % 251) }
    }

    static func start(_ arguments: [String]) throws -> PeerProcess {
        try PeerProcess.start("python3", [script] + arguments)
    }

    /// Runs the script to its end (it bounds itself to 30 s; killed after 40 s).
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await PeerProcess.runPython(script, arguments)
    }
}
