import Glibc
import Twist
import TwistTestSupport

/// Echoes every datagram to its sender.
final class UDPEchoProtocol: DatagramProtocol {
    override func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {
        try transport?.write(data, to: sender)
    }
}

/// Records what a datagram port's protocol heard, into a Sendable log, and runs a closure at start
/// and per datagram. A ``ConnectedDatagramProtocol``, so `connectUNIXDatagram` takes it too: a
/// failed connect is noted as "failed <error type> errno <n>", and `onFailed` runs.
final class RecordingDatagramProtocol: ConnectedDatagramProtocol {
    let log: Shared<[String]>
    let onStart: (RecordingDatagramProtocol) throws -> Void
    let onDatagram: (RecordingDatagramProtocol, ArraySlice<UInt8>, Address) throws -> Void
    let onRefused: (RecordingDatagramProtocol) throws -> Void
    let onFailed: (RecordingDatagramProtocol, Failure) throws -> Void
    /// How many datagrams arrived.
    private(set) var received = 0

    init(
        log: Shared<[String]>,
        onStart: @escaping (RecordingDatagramProtocol) throws -> Void = { _ in },
        onRefused: @escaping (RecordingDatagramProtocol) throws -> Void = { _ in },
        onFailed: @escaping (RecordingDatagramProtocol, Failure) throws -> Void = { _, _ in },
        onDatagram: @escaping (RecordingDatagramProtocol, ArraySlice<UInt8>, Address) throws -> Void = { _, _, _ in }
    ) {
        self.log = log
        self.onStart = onStart
        self.onRefused = onRefused
        self.onFailed = onFailed
        self.onDatagram = onDatagram
    }

    func note(_ text: String) { log.mutate { $0.append(text) } }

    override func startProtocol() {
        note("start")
        do { try onStart(self) } catch { note("onStart threw \(type(of: error))") }
    }

    override func stopProtocol() { note("stop") }

    override func connectionRefused() {
        note("refused")
        do { try onRefused(self) } catch { note("onRefused threw \(type(of: error))") }
    }

    override func connectionFailed(_ reason: Failure) {
        let osError = reason.check(NetworkError.self)?.osError.map { "\($0)" } ?? "-"
        note("failed \(type(of: reason.error)) errno \(osError)")
        do { try onFailed(self, reason) } catch { note("onFailed threw \(type(of: error))") }
    }

    override func datagramReceived(_ data: ArraySlice<UInt8>, from sender: Address) throws {
        received += 1
        try onDatagram(self, data, sender)
    }
}

/// The name of the error `body` throws, or "no error".
func thrownName(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch {
        return "\(type(of: error))"
    }
}

/// Bytes as text, for readable logs.
func text(_ data: ArraySlice<UInt8>) -> String { String(decoding: data, as: UTF8.self) }

/// A UDP port on 127.0.0.1 that refuses whatever the tests send it: its socket is bound, and
/// connected to 127.0.0.1:9, so the kernel matches no socket to datagrams from anyone else and
/// answers them with ICMP port-unreachable. Holding the port keeps other tests off it.
final class RefusingUDPPeer: @unchecked Sendable {
    private let fd: Int32
    /// The refusing port.
    let port: Int

    init() {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        var elsewhere = address
        elsewhere.sin_port = in_port_t(9).bigEndian
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        } && withUnsafePointer(to: &elsewhere) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) == 0 }
        }
        precondition(ready, "could not make a refusing UDP peer")
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

/// Sends one datagram to 127.0.0.1:`port` from a fresh socket (a third party's port).
func sendFromStranger(_ bytes: [UInt8], toPort port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port)).bigEndian
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
}
