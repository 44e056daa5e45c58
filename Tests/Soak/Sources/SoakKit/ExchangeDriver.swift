import CSoakSupport
import Glibc

/// Drives many ``LoadConnection``s at once with epoll: connects, sends, checks every byte that
/// comes back against what was expected, and notices the peer's close. One thread, no locks.
public final class ExchangeDriver {
    private let epoll: Int32
    private var active: [Int32: LoadConnection] = [:]
    private var buffer = [UInt8](repeating: 0, count: 65_536)
    private let readable = soak_epollin()
    private let writable = soak_epollout()
    private let hangup = soak_epollerr_hup()

    /// A driver with no connections.
    public init() throws(LoadError) {
        epoll = soak_epoll_create()
        guard epoll >= 0 else { throw LoadError("epoll_create1: \(String(cString: strerror(errno)))") }
    }

    deinit {
        for connection in active.values where !connection.keepOpen { Glibc.close(connection.fd) }
        Glibc.close(epoll)
    }

    /// How many connections are still being driven.
    public var activeCount: Int { active.count }

    /// Starts driving `connection`.
    public func add(_ connection: LoadConnection) {
        active[connection.fd] = connection
        _ = soak_epoll_add(epoll, connection.fd, events(for: connection), UInt64(connection.fd))
    }

    /// Runs until every connection is done, `refill` (called whenever fewer than `concurrency`
    /// are active) has nothing more, or `deadline` (monotonic seconds) passes — connections still
    /// running then fail with "timed out". `finished` hears each connection as it ends.
    public func run(
        until deadline: Double, concurrency: Int = .max, refill: (() -> LoadConnection?)? = nil,
        finished: (LoadConnection) -> Void
    ) {
        var tokens = [UInt64](repeating: 0, count: 256)
        var events = [UInt32](repeating: 0, count: 256)
        var exhausted = refill == nil
        while true {
            while !exhausted, active.count < concurrency {
                guard let next = refill?() else { exhausted = true; break }
                add(next)
            }
            if active.isEmpty { return }
            let now = monotonicNow()
            if now >= deadline {
                for connection in Array(active.values) {
                    let state = "sent \(connection.sent)/\(connection.outgoing.count), received \(connection.received)/\(connection.expected.count)"
                    finish(connection, .failed("timed out (\(state))"), finished)
                }
                return
            }
            let timeout = Int32(min(100, max(1, (deadline - now) * 1000)))
            let count = soak_epoll_wait(epoll, &tokens, &events, 256, timeout)
            for index in 0..<Int(max(count, 0)) {
                guard let connection = active[Int32(truncatingIfNeeded: tokens[index])] else { continue }
                let flags = events[index]
                if !connection.connected, flags & (writable | hangup) != 0 {
                    let error = soak_socket_error(connection.fd)
                    if error != 0 {
                        finish(connection, .failed("connect: \(String(cString: strerror(error)))"), finished)
                        continue
                    }
                    connection.connected = true
                }
                if connection.connected, flags & writable != 0 { send(connection, finished) }
                if !connection.isDone, connection.connected, flags & (readable | hangup) != 0 { receive(connection, finished) }
                if !connection.isDone { _ = soak_epoll_mod(epoll, connection.fd, self.events(for: connection), UInt64(connection.fd)) }
            }
        }
    }

    private func events(for connection: LoadConnection) -> UInt32 {
        connection.wantsWrite ? (readable | writable) : readable
    }

    private func send(_ connection: LoadConnection, _ finished: (LoadConnection) -> Void) {
        while connection.sent < connection.outgoing.count, !connection.writeFailed {
            let written = connection.outgoing[connection.sent...].withUnsafeBytes {
                Glibc.send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                connection.sent += written
                continue
            }
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { return }
            if code == EINTR { continue }
            // A server that closes a bad connection may reset it while we still send: expected then.
            guard connection.expectClose else {
                finish(connection, .failed("send: \(String(cString: strerror(code)))"), finished)
                return
            }
            connection.writeFailed = true
        }
        if connection.sent == connection.outgoing.count, connection.expected.isEmpty, !connection.expectClose {
            finish(connection, .ok, finished)
        }
    }

    private func receive(_ connection: LoadConnection, _ finished: (LoadConnection) -> Void) {
        while true {
            let remaining = connection.expected.count - connection.received
            // Read no further than expected unless a close must follow (then any byte is extra).
            let limit = connection.expectClose ? buffer.count : min(buffer.count, remaining)
            if limit == 0 { return }
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(connection.fd, $0.baseAddress, limit, 0) }
            if count > 0 {
                guard count <= remaining else {
                    finish(connection, .failed("\(count - remaining) unexpected bytes after the expected \(connection.expected.count)"), finished)
                    return
                }
                for offset in 0..<count where buffer[offset] != connection.expected[connection.received + offset] {
                    finish(connection, .failed("byte \(connection.received + offset) differs from what was sent"), finished)
                    return
                }
                connection.received += count
                if connection.received == connection.expected.count, !connection.expectClose,
                    connection.sent == connection.outgoing.count
                {
                    finish(connection, .ok, finished)
                    return
                }
                continue
            }
            let code = count == 0 ? 0 : errno
            if code == EAGAIN || code == EWOULDBLOCK { return }
            if code == EINTR { continue }
            let complete = connection.received == connection.expected.count
            if connection.expectClose, complete, code == 0 || code == ECONNRESET {
                finish(connection, .ok, finished)
            } else {
                let how = code == 0 ? "closed by the server" : String(cString: strerror(code))
                finish(connection, .failed("\(how) after \(connection.received) of \(connection.expected.count) bytes"), finished)
            }
            return
        }
    }

    private func finish(_ connection: LoadConnection, _ outcome: LoadConnection.Outcome, _ finished: (LoadConnection) -> Void) {
        connection.outcome = outcome
        connection.endedAt = monotonicNow()
        active[connection.fd] = nil
        _ = soak_epoll_del(epoll, connection.fd)
        if !(connection.keepOpen && outcome == .ok) { Glibc.close(connection.fd) }
        finished(connection)
    }
}
