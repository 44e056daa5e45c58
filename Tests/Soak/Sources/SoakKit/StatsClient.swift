import CSoakSupport
import Glibc

/// The runner's connection to the server's stats port (kept open for the whole run).
public final class StatsClient {
    private let fd: Int32
    private var pending: [UInt8] = []

    /// Connects to the stats port (blocking, with a 10 s timeout per request).
    public init(port: Int) throws(LoadError) {
        let fd = soak_connect_loopback(Int32(port), 0)
        guard fd >= 0 else { throw LoadError("stats connect: \(String(cString: strerror(errno)))") }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&poller, 1, 10_000)
        guard soak_socket_error(fd) == 0, soak_set_blocking(fd, 10_000) == 0 else {
            Glibc.close(fd)
            throw LoadError("stats connect failed")
        }
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// The server's counters (`fds`, `rss_kb`, `echo_objects`, `echo_open`, ...).
    public func snapshot() throws(LoadError) -> [String: Int] {
        try fields(request("stats"))
    }

    /// Per-connection figures (`in`, `out`, `pauses`) of the echo connection from `peerPort`, or nil.
    public func connection(peerPort: Int) throws(LoadError) -> [String: Int]? {
        let line = try request("conn \(peerPort)")
        return line.hasSuffix(" none") ? nil : fields(line)
    }

    /// Polls until `condition` holds for a snapshot or `timeout` passes; returns the last snapshot.
    public func wait(timeout: Double, until condition: ([String: Int]) -> Bool) throws(LoadError) -> [String: Int] {
        let deadline = monotonicNow() + timeout
        var last = try snapshot()
        while !condition(last), monotonicNow() < deadline {
            pause(0.02)
            last = try snapshot()
        }
        return last
    }

    private func fields(_ line: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for field in line.split(separator: " ") {
            let pair = field.split(separator: "=")
            if pair.count == 2, let value = Int(pair[1]) { result[String(pair[0])] = value }
        }
        return result
    }

    private func request(_ line: String) throws(LoadError) -> String {
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == bytes.count else { throw LoadError("stats request failed: \(String(cString: strerror(errno)))") }
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var reply = pending[..<newline]
                if reply.last == 13 { reply = reply.dropLast() }
                let text = String(decoding: reply, as: UTF8.self)
                pending.removeFirst(newline + 1)
                return text
            }
            var chunk = [UInt8](repeating: 0, count: 4_096)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw LoadError("stats: no reply (\(count == 0 ? "closed" : String(cString: strerror(errno))))") }
            pending += chunk[0..<count]
        }
    }
}
