/// A terminal's window size in character cells, as `stty size` prints it (rows, then columns).
public struct TerminalWindowSize: Sendable, Equatable, CustomStringConvertible {
    /// The number of lines.
    public var rows: UInt16
    /// The number of characters per line.
    public var columns: UInt16

    /// A size of `rows` lines of `columns` characters.
    public init(rows: UInt16, columns: UInt16) {
        self.rows = rows
        self.columns = columns
    }

    /// "rows×columns", such as "24×80".
    public var description: String { "\(rows)×\(columns)" }
}
