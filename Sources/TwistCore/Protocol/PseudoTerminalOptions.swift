/// How the pseudo-terminal of a child spawned with `usePTY: true` is set up before the child
/// starts (Twisted's `usePTY=(master, slave, ttyname)` form, which hands over raw descriptors, has
/// no portable equivalent; this is the typed replacement).
///
/// It carries the window size and the typed ``TerminalSettings`` (echo, line or raw input,
/// newline translation); what is left nil stays at the kernel's default (0 × 0; echo on,
/// canonical input, `\n` → `\r\n` on output).
public struct PseudoTerminalOptions: Sendable, Equatable {
    /// The window size set on the terminal (TIOCSWINSZ) before the child starts, or nil to leave
    /// the kernel's default (0 rows, 0 columns: many programs then assume 24 × 80).
    public var windowSize: TerminalWindowSize?

    /// The settings applied to the terminal (tcsetattr on its slave) before the child starts,
    /// or nil to leave the kernel's defaults.
    public var settings: TerminalSettings?

    /// Options with the given window size and settings (neither by default).
    public init(windowSize: TerminalWindowSize? = nil, settings: TerminalSettings? = nil) {
        self.windowSize = windowSize
        self.settings = settings
    }
}
