import CTwistShims
import Glibc
import TwistCore

extension DatagramPort {
    func write(_ datagram: ArraySlice<UInt8>, to address: Address) throws {
        guard case .serving(let peer) = state else { throw DatagramStateError("the port is not listening") }
        let target = try destination(address)
        if let peer {
            guard kind.address(of: target) == peer else {
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

    /// The kernel's form of `address`, as the port's kind takes it (a numeric IP address of the
    /// port's family, or a named UNIX socket).
    ///
    /// - Throws: ``InvalidAddressError`` saying what is wrong with it.
    func destination(_ address: Address) throws -> SystemAddress {
        try kind.destination(address)
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
    /// `EINTR`. `ECONNREFUSED` on a connected port calls `connectionRefused()`; on an unconnected
    /// UDP port it is an earlier datagram's ICMP error and is ignored; on an unconnected UNIX port
    /// it is this datagram's failure (nobody is bound at that name) and throws.
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
                if target == nil {
                    receiver?.connectionRefused()
                    return
                }
                if kind.refusalConcernsEarlierDatagram { return }
            }
            throw Self.sendError(code)
        }
    }

    /// Copies `datagram` into the send batch, sending the batch first when it is full. A datagram
    /// UDP cannot carry throws at once, as an immediate write does. A UNIX datagram larger than
    /// an empty batch holds (64 KiB) is sent at once, after the batch, and throws what an
    /// immediate write throws (`EMSGSIZE` past the socket's send buffer).
    private func gather(_ datagram: ArraySlice<UInt8>, to target: SystemAddress?) throws {
        if let largest = kind.largestDatagram, datagram.count > largest { throw Self.sendError(EMSGSIZE) }
        if append(datagram, to: target) { return }
        flushSendBatch()
        if !append(datagram, to: target) { try sendNow(datagram, to: target) }
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
    /// `connectionRefused()`, as an immediate write does (on an unconnected UDP port it is an
    /// earlier datagram's ICMP error and is skipped; on a UNIX port it drops the datagram).
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
            case ECONNREFUSED where state.peer != nil:
                receiver?.connectionRefused()
                first += 1
            case ECONNREFUSED where kind.refusalConcernsEarlierDatagram:
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
