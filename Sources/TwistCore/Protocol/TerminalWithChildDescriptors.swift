/// `spawnProcess` was asked for a pseudo-terminal (`usePTY: true`) together with a `childFDs`
/// map: a terminal is the child's descriptors 0, 1 and 2 at once, so there is nothing to map
/// (Twisted raises ValueError). Nothing was started.
public struct TerminalWithChildDescriptors: Error, Equatable, CustomStringConvertible {
    /// The error; it carries nothing, so any two are equal.
    public init() {}

    /// Says the two cannot be combined.
    public var description: String { "usePTY cannot be combined with a childFDs map" }
}
