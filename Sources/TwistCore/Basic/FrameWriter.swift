/// How the receivers send one frame — a header (a length), the payload, a trailer (a comma, a
/// delimiter) — with as few copies as the payload allows, in the order the bytes go out:
///
/// - a payload of at most ``stackFrameLimit`` bytes is framed in stack memory and copied once by
///   the transport (a stream connection copies it straight into its send scratch): no allocation;
/// - a longer payload that is an array or an array's slice is not copied at all: it goes in one
///   `writeSequence` between its header and trailer, and the transport queues it by reference
///   (an echo of a long message that arrived whole, or of one gathered in a receiver's buffer);
/// - any other long payload is framed in one new array, which the transport queues by reference.
@usableFromInline
enum FrameWriter {
    /// Payloads up to this size are framed in stack memory.
    @usableFromInline static let stackFrameLimit = 1_000

    /// Writes `header`, `payload` and `trailer` to `transport`. `header` writes at most
    /// `headerCapacity` bytes at the start of the buffer it is given and returns how many.
    @inlinable
    static func write<Payload: Collection<UInt8>>(
        _ payload: Payload, to transport: any Transport, headerCapacity: Int,
        header: (UnsafeMutableBufferPointer<UInt8>) -> Int, trailer: UnsafeRawBufferPointer
    ) {
        let capacity = headerCapacity + payload.count + trailer.count
        guard payload.count > stackFrameLimit else {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { frame in
                let count = fill(frame, header: header, payload: payload, trailer: trailer)
                transport.write(copying: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: frame[..<count])))
            }
            return
        }
        if let slice = payload as? ArraySlice<UInt8> {
            writeAround(slice, to: transport, headerCapacity: headerCapacity, header: header, trailer: trailer)
        } else if let array = payload as? [UInt8] {
            writeAround(array[...], to: transport, headerCapacity: headerCapacity, header: header, trailer: trailer)
        } else {
            let frame = [UInt8](unsafeUninitializedCapacity: capacity) { frame, initialized in
                initialized = fill(frame, header: header, payload: payload, trailer: trailer)
            }
            transport.write(frame[...])
        }
    }

    /// Writes the header, `payload` and the trailer as one `writeSequence` (one `writev` on a
    /// stream connection, also outside a delivery), `payload` by reference; an empty header or
    /// trailer is left out.
    @inlinable
    static func writeAround(
        _ payload: ArraySlice<UInt8>, to transport: any Transport, headerCapacity: Int,
        header: (UnsafeMutableBufferPointer<UInt8>) -> Int, trailer: UnsafeRawBufferPointer
    ) {
        var parts: [ArraySlice<UInt8>] = []
        parts.reserveCapacity(3)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: headerCapacity) { buffer in
            let count = header(buffer)
            if count > 0 { parts.append(Array(UnsafeMutableBufferPointer(rebasing: buffer[..<count]))[...]) }
        }
        parts.append(payload)
        if !trailer.isEmpty { parts.append(Array(trailer)[...]) }
        transport.writeSequence(parts)
    }

    /// Writes header, payload and trailer into `frame` (large enough); returns the bytes written.
    @inlinable
    static func fill<Payload: Collection<UInt8>>(
        _ frame: UnsafeMutableBufferPointer<UInt8>, header: (UnsafeMutableBufferPointer<UInt8>) -> Int,
        payload: Payload, trailer: UnsafeRawBufferPointer
    ) -> Int {
        var end = header(frame)
        end += UnsafeMutableBufferPointer(rebasing: frame[end...]).initialize(fromContentsOf: payload)
        UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: frame[end...])).copyMemory(from: trailer)
        return end + trailer.count
    }
}
