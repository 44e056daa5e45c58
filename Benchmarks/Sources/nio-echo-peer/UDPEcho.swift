import NIOCore
import NIOPosix

/// Writes each datagram back to its sender; flushes once per read batch, so NIO sends the batch's
/// echoes together (with `sendmmsg` when more than one is pending).
final class UDPEchoHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        context.write(Self.wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: envelope.data)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// A datagram's error (an ICMP refusal, a full send buffer) loses that datagram only.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

/// `nio-echo-peer --udp`: a `DatagramBootstrap` channel on 127.0.0.1 with vector reads on.
enum UDPEchoServer {
    /// Datagrams per `recvmmsg`, as Twist's and the raw C peer's batches.
    static let messagesPerRead = 64
    /// Bytes per datagram slot: NIO splits its receive buffer evenly among the vector read's
    /// messages, so the buffer is sized for 64 slots of 2 KiB (its default for one datagram).
    static let slotSize = 2048

    /// Binds 127.0.0.1:`port` on `group` and returns the channel.
    static func bind(group: any EventLoopGroup, port: Int) throws -> any Channel {
        try DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.datagramVectorReadMessageCount, value: messagesPerRead)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: messagesPerRead * slotSize))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(UDPEchoHandler()) }
            }
            .bind(host: "127.0.0.1", port: port)
            .wait()
    }
}
