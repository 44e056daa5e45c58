import Twist

/// The stats port's line protocol, one request per line, one reply line each:
///
/// - `stats` → `fds=N rss_kb=N echo_objects=N echo_open=N echo_total=N transports_live=N
///   transform_live=N bytes_in=N bytes_out=N pauses=N`
/// - `conn PORT` → `conn port=PORT in=N out=N pauses=N` for the echo connection whose peer port is
///   PORT, or `conn port=PORT none`.
///
/// The runner keeps one such connection open for a whole run, so it is part of the baseline.
final class StatsProtocol: LineReceiver {
    private let stats: ServerStats

    /// A stats connection reading from `stats`.
    init(stats: ServerStats) {
        self.stats = stats
        super.init()
        delimiter = [UInt8(ascii: "\n")]
    }

    override func lineReceived(_ line: ArraySlice<UInt8>) throws {
        let words = String(decoding: line, as: UTF8.self).split(separator: " ")
        switch words.first {
        case "stats":
            sendLine(Array(summary().utf8))
        case "conn" where words.count == 2:
            let port = Int(words[1]) ?? -1
            if let echo = stats.echoByPeerPort[port] {
                sendLine(Array("conn port=\(port) in=\(echo.bytesIn) out=\(echo.bytesOut) pauses=\(echo.pauses)".utf8))
            } else {
                sendLine(Array("conn port=\(port) none".utf8))
            }
        default:
            sendLine(Array("error unknown request".utf8))
        }
    }

    private func summary() -> String {
        [
            "fds=\(ProcessResources.openDescriptors())",
            "rss_kb=\(ProcessResources.residentKiB())",
            "echo_objects=\(stats.echoObjects)",
            "echo_open=\(stats.echoOpen)",
            "echo_total=\(stats.echoTotal)",
            "transports_live=\(stats.liveTransports)",
            "transform_live=\(stats.liveTransformProtocols)",
            "bytes_in=\(stats.bytesIn)",
            "bytes_out=\(stats.bytesOut)",
            "pauses=\(stats.pauses)",
        ].joined(separator: " ")
    }
}
