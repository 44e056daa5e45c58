/// What the line receivers send: a line followed by the delimiter, as one buffer for one write.
@usableFromInline
enum LineFrame {
    /// `line` followed by `delimiter`.
    @inlinable
    static func make<Bytes: Collection<UInt8>>(_ line: Bytes, delimiter: [UInt8]) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(line.count + delimiter.count)
        frame.append(contentsOf: line)
        frame.append(contentsOf: delimiter)
        return frame
    }
}
