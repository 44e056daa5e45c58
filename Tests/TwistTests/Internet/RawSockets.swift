import Glibc
@testable import Twist

/// A socket made with plain system calls (close-on-exec, blocking): of `family` and `type`,
/// bound to `name` (a numeric IP host, port 0; or a UNIX name) when given, listening when asked.
/// Returns the descriptor and its bound address.
func rawSocket(
    _ family: Int32, _ type: __socket_type = SOCK_STREAM, boundTo name: String? = nil, listening: Bool = false
) -> (fd: Int32, address: SystemAddress?) {
    let fd = socket(family, Int32(type.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    precondition(fd >= 0, "socket failed: errno \(errno)")
    if let name {
        let address = family == AF_UNIX ? SystemAddress(unix: UNIXAddress(name)) : SystemAddress(numericHost: name, port: 0)
        precondition(address?.withSockAddr({ bind(fd, $0, $1) }) == 0, "bind \(name) failed: errno \(errno)")
    }
    if listening { precondition(listen(fd, 16) == 0, "listen failed: errno \(errno)") }
    return (fd, SystemAddress.local(of: fd))
}

/// A pipe's two ends, close-on-exec.
func rawPipe() -> (read: Int32, write: Int32) {
    var ends: [Int32] = [0, 0]
    precondition(pipe(&ends) == 0, "pipe failed: errno \(errno)")
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    return (ends[0], ends[1])
}

/// A connected pair of UNIX stream sockets, close-on-exec and blocking.
func rawSocketPair() -> (Int32, Int32) {
    var ends: [Int32] = [0, 0]
    precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0, "socketpair failed: errno \(errno)")
    return (ends[0], ends[1])
}

/// A connected pair of TCP sockets on loopback of `family` (`AF_INET` or `AF_INET6`), made with
/// blocking system calls: the client's end and the accepted end (not close-on-exec). The
/// listener is closed.
func rawTCPPair(_ family: Int32 = AF_INET) -> (client: Int32, server: Int32) {
    let listener = rawSocket(family, boundTo: family == AF_INET ? "127.0.0.1" : "::1", listening: true)
    defer { close(listener.fd) }
    let client = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    precondition(client >= 0 && listener.address!.withSockAddr({ connect(client, $0, $1) }) == 0, "connect failed: errno \(errno)")
    let server = accept(listener.fd, nil, nil)
    precondition(server >= 0, "accept failed: errno \(errno)")
    return (client, server)
}

/// True when `fd` is an open descriptor.
func isOpenDescriptor(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) >= 0 }

/// Reads from blocking-or-not `fd` until end of file or until `timeout` seconds pass without a
/// byte: what arrived, and whether end of file was seen.
func readToEnd(_ fd: Int32, timeout: Double = 5) -> (bytes: [UInt8], endOfFile: Bool) {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        var waiting = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&waiting, 1, Int32(timeout * 1000)) == 1 else { return (bytes, false) }
        let count = read(fd, &buffer, buffer.count)
        if count <= 0 { return (bytes, count == 0) }
        bytes += buffer[..<count]
    }
}
