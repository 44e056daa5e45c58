/// How the pseudo-terminal of a child spawned with `usePTY: true` is set up before the child
/// starts (Twisted's `usePTY=(master, slave, ttyname)` form, which hands over raw descriptors, has
/// no portable equivalent; this is the typed replacement).
///
/// Today it carries the window size; the terminal's other settings stay at the kernel's defaults
/// (echo on, canonical input, `\n` → `\r\n` on output).
public struct PseudoTerminalOptions: Sendable, Equatable {
    /// The window size set on the terminal (TIOCSWINSZ) before the child starts, or nil to leave
    /// the kernel's default (0 rows, 0 columns: many programs then assume 24 × 80).
    public var windowSize: TerminalWindowSize?

    /// Options with the given window size (none by default).
    public init(windowSize: TerminalWindowSize? = nil) {
        self.windowSize = windowSize
    }
}
