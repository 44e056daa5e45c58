import Glibc
import TwistCore

extension UDPPort {
    func write(_ datagram: ArraySlice<UInt8>, to address: Address) throws {
        guard case .serving(let peer) = state else { throw DatagramStateError("the port is not listening") }
        let target = try destination(address)
        if let peer {
            guard target.ipAddress == peer else {
                throw DatagramStateError("connected to \(peer); cannot write to \(address)")
            }
            try send(datagram, to: nil)
        } else {
            try send(datagram, to: target)
        }
    }

    func write(_ datagram: ArraySlice<UInt8>) throws {
        guard case .serving(let peer) = state else { throw DatagramStateError("the port is not listening") }
        guard peer != nil else {
            throw DatagramStateError("the port is not connected: write(_:to:) needs an address")
        }
        try send(datagram, to: nil)
    }

    /// The kernel's form of `address`, which must be a numeric IP address of the port's family
    /// (`<broadcast>` stands for 255.255.255.255, as in Twisted).
    ///
    /// - Throws: ``InvalidAddressError`` saying what is wrong with it.
    func destination(_ address: Address) throws -> SystemAddress {
        guard case .ip(let ip) = address else {
            throw InvalidAddressError("\(address): a UDP port sends to numeric IP addresses only")
        }
        guard (0...65_535).contains(ip.port) else { throw InvalidAddressError("port \(ip.port) is out of range") }
        let host = ip.host == "<broadcast>" ? "255.255.255.255" : ip.host
        guard !host.isEmpty, let target = SystemAddress(numericHost: host, port: ip.port) else {
            throw InvalidAddressError("\"\(ip.host)\" is not a numeric IP address (resolve host names first)")
        }
        guard target.family == family else {
            let want = family == AF_INET6 ? "IPv6" : "IPv4"
            throw InvalidAddressError("\(ip.host) is not an \(want) address, and this is an \(want) port")
        }
        return target
    }

    /// One `sendto` (with no address on a connected port, when `target` is nil), retried on
    /// `EINTR`.
    private func send(_ datagram: ArraySlice<UInt8>, to target: SystemAddress?) throws {
        while true {
            let sent = datagram.withUnsafeBytes { bytes in
                if let target {
                    return target.withSockAddr { sendCall(fd, bytes.baseAddress, bytes.count, 0, $0, $1) }
                }
                return sendCall(fd, bytes.baseAddress, bytes.count, 0, nil, 0)
            }
            if sent >= 0 { return }
            let code = errno
            if code == EINTR { continue }
            if code == ECONNREFUSED {
                if target == nil { receiver?.connectionRefused() }
                return
            }
            throw Self.sendError(code)
        }
    }

    /// The error a failed send throws for `errno` `code`: the datagram is lost in every case.
    static func sendError(_ code: Int32) -> DatagramSendError {
        let reason = SystemCallError("sendto", code: code).reason
        switch code {
        case EMSGSIZE: return MessageLengthError(reason, osError: code)
        case EAGAIN, EWOULDBLOCK, ENOBUFS: return DatagramDroppedError(reason, osError: code)
        default: return DatagramSendError(reason, osError: code)
        }
    }
}
