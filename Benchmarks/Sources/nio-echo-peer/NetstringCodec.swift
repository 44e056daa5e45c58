import NIOCore

/// Input that is not a netstring (or one longer than the limit); the connection is closed.
struct MalformedNetstring: Error {}

/// Cuts the inbound bytes into netstrings (`<length>:<payload>,`) and passes each payload on as a
/// slice of the receive buffer.
struct NetstringDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// The longest payload accepted, as Twisted's default `MAX_LENGTH`.
    var maxLength = 99_999

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let bytes = buffer.readableBytesView
        var length = 0
        var index = bytes.startIndex
        while index < bytes.endIndex, case let byte = bytes[index], byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            length = length * 10 + Int(byte - UInt8(ascii: "0"))
            guard length <= maxLength else { throw MalformedNetstring() }
            index += 1
        }
        guard index < bytes.endIndex else { return .needMoreData }
        guard index > bytes.startIndex, bytes[index] == UInt8(ascii: ":") else { throw MalformedNetstring() }
        let header = index - bytes.startIndex + 1
        guard bytes.count >= header + length + 1 else { return .needMoreData }
        guard bytes[bytes.startIndex + header + length] == UInt8(ascii: ",") else { throw MalformedNetstring() }
        buffer.moveReaderIndex(forwardBy: header)
        let payload = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(Self.wrapInboundOut(payload))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Frames each outbound payload as a netstring.
struct NetstringEncoder: MessageToByteEncoder {
    typealias OutboundIn = ByteBuffer

    func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        out.writeString(String(data.readableBytes))
        out.writeInteger(UInt8(ascii: ":"))
        out.writeImmutableBuffer(data)
        out.writeInteger(UInt8(ascii: ","))
    }
}
