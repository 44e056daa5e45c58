import CTwistShims
import Glibc
import TwistCore

extension DatagramPort {
    /// Receives batches until the socket is drained, the port stops serving, or this wake-up's
    /// budget is spent.
    func receiveUntilDrained() {
        var bytes = 0
        var datagrams = 0
        while state.isServing, bytes < Self.readBudgetBytes, datagrams < datagramsPerWakeUp {
            guard receiveBatch(bytes: &bytes, datagrams: &datagrams) else { return }
        }
    }

    /// One `recvmmsg` into the lent receive buffer (slot `i` at `i * maxPacketSize`) and the
    /// delivery of each datagram as a view of its slot; what the protocol writes meanwhile is
    /// gathered and sent with `sendmmsg` once the batch is delivered. Returns true when every slot
    /// was filled (more may be waiting).
    private func receiveBatch(bytes: inout Int, datagrams: inout Int) -> Bool {
        sendMode = .gathering
        defer {
            sendMode = .immediate
            flushSendBatch()
        }
        let resources = reactor.ioResources
        var buffer = ownBuffer ?? resources.lendReceiveBuffer()
        defer {
            if ownBuffer == nil { resources.returnReceiveBuffer(buffer) } else { ownBuffer = buffer }
        }
        let slot = maxPacketSize
        let slots = max(1, min(Self.batchCapacity, buffer.count / slot, datagramsPerWakeUp - datagrams))
        let received = buffer.withUnsafeMutableBytes {
            Int(twist_datagram_batch_receive(batch, fd, $0.baseAddress, slot, Int32(slots)))
        }
        guard received >= 0 else { return receiveFailed(errno) }
        for index in 0..<received {
            guard state.isServing, let receiver else { return false }
            let length = twist_datagram_batch_length(batch, Int32(index))
            var senderLength: UInt32 = 0
            let raw = twist_datagram_batch_sender(batch, Int32(index), &senderLength)!
            let sender = senderAddress(raw, socklen_t(senderLength))
            let start = index * slot
            do {
                try receiver.datagramReceived(buffer[start..<start + length], from: sender)
            } catch {
                loop.logger.error(
                    "error in datagramReceived; the port keeps serving",
                    metadata: ["protocol": "\(receiver.logPrefix)", "sender": "\(sender)", "error": "\(error)"]
                )
            }
            bytes += length
            datagrams += 1
        }
        return received == slots
    }

    /// A receive failed with `code`: nothing waiting, a refusal reported by ICMP, or a system
    /// error, which is logged (the port keeps serving). Returns true to receive again.
    private func receiveFailed(_ code: Int32) -> Bool {
        switch code {
        case EAGAIN, EWOULDBLOCK:
            return false
        case EINTR:
            return true
        case ECONNREFUSED:
            if state.peer != nil { receiver?.connectionRefused() }
            return false
        default:
            logRateLimited("receiving a datagram failed; the port keeps serving", SystemCallError("recvmmsg", code: code))
            return false
        }
    }

    /// The sender's address; a run of datagrams from one sender converts it once.
    private func senderAddress(_ raw: UnsafePointer<sockaddr>, _ length: socklen_t) -> Address {
        let size = min(Int(length), MemoryLayout<sockaddr_storage>.size)
        if var last = lastSender, last.length == length,
            withUnsafeMutableBytes(of: &last.storage, { memcmp($0.baseAddress!, raw, size) }) == 0
        {
            return last.address
        }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { _ = memcpy($0.baseAddress!, raw, size) }
        let address = kind.address(of: SystemAddress(storage: storage, length: length))
        lastSender = (storage, length, address)
        return address
    }
}
