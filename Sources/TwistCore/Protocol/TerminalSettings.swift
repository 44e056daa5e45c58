/// The settings of a child's pseudo-terminal that a `usePTY` user commonly needs, typed: whether
/// typed input is echoed, whether input is read a line at a time or byte by byte, and whether
/// the child's `\n` reaches the parent as `\r\n`. Every other termios flag stays as the kernel
/// (or the child) set it.
///
/// The default value is the kernel's default for a new terminal: echo on, canonical input,
/// `\n` → `\r\n` on output. A typical change: a program that must believe it is interactive but
/// whose input should not come back in its output, `TerminalSettings(echo: false)`.
public struct TerminalSettings: Sendable, Equatable, CustomStringConvertible {
    /// How the terminal hands typed input to the child.
    public enum InputMode: Sendable, Equatable {
        /// A line at a time, with line editing (erase, kill), the end-of-file character (^D),
        /// the signal characters (^C, ^Z, ^\) and CR read as NL (ICANON, ISIG, IEXTEN, ICRNL,
        /// IXON): the kernel's default.
        case canonical
        /// Every byte as it arrives, unchanged: no line editing, no signal or end-of-file
        /// character, no CR translation, no flow control (VMIN 1, VTIME 0), as `cfmakeraw` sets
        /// input. ``ProcessTransport/closeStdin()`` then has no end-of-file character to send.
        case raw
    }

    /// True when the terminal echoes what is written to the child back as output (ECHO and its
    /// companions ECHOE, ECHOK, ECHOCTL, ECHOKE).
    public var echo: Bool
    /// How input reaches the child.
    public var input: InputMode
    /// True when the child's output `\n` arrives as `\r\n` (OPOST with ONLCR).
    public var mapsNewlineToCRLF: Bool

    /// Settings with each value given; the defaults are the kernel's.
    public init(echo: Bool = true, input: InputMode = .canonical, mapsNewlineToCRLF: Bool = true) {
        self.echo = echo
        self.input = input
        self.mapsNewlineToCRLF = mapsNewlineToCRLF
    }

    /// The kernel's settings for a new pseudo-terminal.
    public static let kernelDefault = TerminalSettings()

    /// As `stty` would name them, such as "echo icanon onlcr" or "-echo -icanon -onlcr".
    public var description: String {
        "\(echo ? "" : "-")echo \(input == .canonical ? "" : "-")icanon \(mapsNewlineToCRLF ? "" : "-")onlcr"
    }
}
