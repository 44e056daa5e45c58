import CTwistShims
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

    /// Sends `datagram` (to the connected peer when `target` is nil) as ``sendMode`` says: at
    /// once, or gathered for the `sendmmsg` at the end of the read batch.
    private func send(_ datagram: ArraySlice<UInt8>, to target: SystemAddress?) throws {
        switch sendMode {
        case .immediate: try sendNow(datagram, to: target)
        case .gathering: try gather(datagram, to: target)
        }
    }

    /// One `sendto` (with no address on a connected port, when `target` is nil), retried on
    /// `EINTR`.
    private func sendNow(_ datagram: ArraySlice<UInt8>, to target: SystemAddress?) throws {
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

    /// The most payload one UDP datagram of the port's family carries (the kernel's `EMSGSIZE`
    /// bound on loopback): 65,507 bytes over IPv4, 65,527 over IPv6.
    var largestDatagram: Int { family == AF_INET6 ? 65_527 : 65_507 }

    /// Copies `datagram` into the send batch, sending the batch first when it is full. A datagram
    /// UDP cannot carry throws at once, as an immediate write does.
    private func gather(_ datagram: ArraySlice<UInt8>, to target: SystemAddress?) throws {
        guard datagram.count <= largestDatagram else { throw Self.sendError(EMSGSIZE) }
        if append(datagram, to: target) { return }
        flushSendBatch()
        if !append(datagram, to: target) { try sendNow(datagram, to: target) }  // cannot happen: an empty batch takes any
    }

    /// Adds `datagram` to the send batch; false when the batch has no room for it.
    private func append(_ datagram: ArraySlice<UInt8>, to target: SystemAddress?) -> Bool {
        datagram.withUnsafeBytes { bytes in
            if let target {
                return target.withSockAddr {
                    twist_datagram_send_batch_add(sendBatch, bytes.baseAddress, bytes.count, $0, UInt32($1))
                } == 0
            }
            return twist_datagram_send_batch_add(sendBatch, bytes.baseAddress, bytes.count, nil, 0) == 0
        }
    }

    /// Sends what the send batch holds with `sendmmsg`, as many calls as the kernel needs, and
    /// empties it. A datagram the kernel refuses is lost, counted in ``droppedDatagrams`` and
    /// logged: `EAGAIN`/`ENOBUFS` drop the rest of the batch (the buffer is full), another error
    /// drops that one datagram and the rest are sent; a refusal on a connected port calls
    /// `connectionRefused()`, as an immediate write does.
    func flushSendBatch() {
        let count = Int(twist_datagram_send_batch_count(sendBatch))
        guard count > 0 else { return }
        defer { twist_datagram_send_batch_clear(sendBatch) }
        // A protocol writing from connectionRefused() here sends at once, not into this batch.
        let mode = sendMode
        sendMode = .immediate
        defer { sendMode = mode }
        if case .closed = state {
            dropped(count, "the port closed before they were sent")
            return
        }
        var first = 0
        while first < count {
            let sent = Int(sendBatchCall(sendBatch, fd, Int32(first), Int32(count - first)))
            if sent > 0 {
                first += sent
                continue
            }
            let code = sent < 0 ? errno : EIO
            switch code {
            case EINTR:
                continue
            case ECONNREFUSED:
                if state.peer != nil { receiver?.connectionRefused() }
                first += 1
            case EAGAIN, EWOULDBLOCK, ENOBUFS:
                dropped(count - first, "\(SystemCallError("sendmmsg", code: code))")
                first = count
            default:
                dropped(1, "\(SystemCallError("sendmmsg", code: code))")
                first += 1
            }
        }
    }

    /// Counts `count` datagrams of the send batch as lost and logs it (every time: no drop is silent).
    private func dropped(_ count: Int, _ reason: String) {
        droppedDatagrams += count
        loop.logger.error(
            "datagrams written during datagramReceived were dropped; the port keeps serving",
            metadata: ["port": "\(address)", "dropped": "\(count)", "total": "\(droppedDatagrams)", "reason": "\(reason)"])
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
