/// How a ``DatagramPort`` sends what its protocol writes: at once, one `sendto` per write (any write
/// made outside a read batch), or gathered while the port delivers one `recvmmsg` batch and sent
/// with `sendmmsg` when that batch has been delivered (or when the gathered datagrams fill the
/// port's send batch first).
enum DatagramSendMode {
    /// Each write is one `sendto`; a datagram the kernel refuses throws from the write.
    case immediate
    /// Writes are copied into the send batch; a datagram the kernel refuses at the flush is
    /// counted in ``DatagramPort/droppedDatagrams`` and logged as an error.
    case gathering
}
