import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// A fresh directory under the system's temporary directory (`mkdtemp`), removed with what is in
/// it (one level: the tests make plain files, sockets and links) when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array("/tmp/twist-unix-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        path = String(decoding: template.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

/// A Linux abstract socket name no other test uses: `"\0twist-<pid>-<random>"`.
func uniqueAbstractName() -> String {
    "\0twist-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
}

/// What is at `path`: its `lstat`, or nil when nothing is.
func fileStatus(_ path: String) -> stat? {
    var status = stat()
    return lstat(path, &status) == 0 ? status : nil
}

/// True when `path` names a socket.
func isSocket(_ path: String) -> Bool {
    fileStatus(path).map { $0.st_mode & S_IFMT == S_IFSOCK } ?? false
}

/// A blocking AF_UNIX stream socket made with plain system calls (not on any reactor), bound to
/// `name` when given; -1 on failure.
func rawUNIXSocket(boundTo name: String? = nil) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return -1 }
    if let name {
        guard let address = SystemAddress(unix: UNIXAddress(name)), address.withSockAddr({ bind(fd, $0, $1) }) == 0 else {
            close(fd)
            return -1
        }
    }
    return fd
}

/// Leaves a socket file at `path` that nobody listens on (a crashed server's leftover).
func makeStaleSocketFile(_ path: String) {
    let fd = rawUNIXSocket(boundTo: path)
    precondition(fd >= 0, "could not bind \(path)")
    close(fd)
}

/// A server factory recording the address each `buildProtocol(address:)` got.
final class AddressRecordingFactory: Factory {
    let addresses: Shared<[Address]>
    let make: () -> Protocol?

    init(_ addresses: Shared<[Address]>, _ make: @escaping () -> Protocol?) {
        self.addresses = addresses
        self.make = make
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        addresses.mutate { $0.append(address) }
        let built = make()
        built?.factory = self
        return built
    }
}

/// A client factory recording its notifications and each failure's `errno`, stopping the reactor
/// when an attempt fails.
final class FailureRecordingFactory: RecordingClientFactory {
    let reactor: Reactor
    let osErrors: Shared<[Int32?]>

    init(_ notes: Shared<[String]>, _ osErrors: Shared<[Int32?]> = Shared([]), _ reactor: Reactor) {
        self.reactor = reactor
        self.osErrors = osErrors
        super.init(notes: notes) { EchoProtocol() }
    }

    override func clientConnectionFailed(_ connector: any Connector, reason: Failure) {
        super.clientConnectionFailed(connector, reason: reason)
        osErrors.mutate { $0.append(reason.check(NetworkError.self)?.osError) }
        try? reactor.stop()
    }
}

/// A pipe as (read end, write end), both close-on-exec (other tests start child processes, which
/// must not keep a write end open), the read end non-blocking: a descriptor to pass over a UNIX
/// socket and see arrive.
func makePipe() -> (Int32, Int32) {
    var ends: [Int32] = [0, 0]
    precondition(pipe(&ends) == 0)
    _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
    _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
    return (ends[0], ends[1])
}

/// What a non-blocking descriptor gives until end of file, and whether end of file came within
/// two seconds (a child process another test forks holds every descriptor until it execs, so the
/// last write end may close a moment late).
func drain(_ fd: Int32) -> (String, eof: Bool) {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    for _ in 0..<200 {
        let count = read(fd, &buffer, buffer.count)
        if count > 0 { bytes += buffer[0..<count]; continue }
        if count == 0 { return (String(decoding: bytes, as: UTF8.self), true) }
        usleep(10_000)
    }
    return (String(decoding: bytes, as: UTF8.self), false)
}
