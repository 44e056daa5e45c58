import Glibc

/// The kernel's per-socket queues on loopback, from /proc/net/tcp: for each IPv4 TCP socket, the
/// bytes in its send queue (written, not yet acknowledged) and its receive queue (arrived, not yet
/// read). Used to tell how much of what a server protocol wrote is still inside the server's
/// transport: written − (server socket's send queue + client socket's receive queue).
public struct KernelQueues {
    /// (send queue, receive queue) by (local port, remote port).
    public private(set) var queues: [Int: (send: Int, receive: Int)] = [:]

    /// Reads /proc/net/tcp now.
    public init() {
        let fd = open("/proc/net/tcp", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            content += chunk[0..<count]
        }
        for line in content.split(separator: UInt8(ascii: "\n")).dropFirst() {
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count > 4 else { continue }
            let local = fields[1].split(separator: UInt8(ascii: ":"))
            let remote = fields[2].split(separator: UInt8(ascii: ":"))
            let queue = fields[4].split(separator: UInt8(ascii: ":"))
            guard local.count == 2, remote.count == 2, queue.count == 2,
                let localPort = Int(String(decoding: local[1], as: UTF8.self), radix: 16),
                let remotePort = Int(String(decoding: remote[1], as: UTF8.self), radix: 16),
                let send = Int(String(decoding: queue[0], as: UTF8.self), radix: 16),
                let receive = Int(String(decoding: queue[1], as: UTF8.self), radix: 16)
            else { continue }
            queues[KernelQueues.key(localPort, remotePort)] = (send, receive)
        }
    }

    /// The queues of the socket bound to `localPort` and connected to `remotePort`.
    public func socket(local localPort: Int, remote remotePort: Int) -> (send: Int, receive: Int)? {
        queues[KernelQueues.key(localPort, remotePort)]
    }

    private static func key(_ local: Int, _ remote: Int) -> Int { local << 16 | remote }
}
