/// Where the poetry programs print their lines: standard output and standard error for the
/// executables, a recording in tests. The library never prints by itself; it hands each line here.
public struct PoetryOutput {
    /// Writes text meant for standard output (poems, the "Serving ..." lines).
    public let out: (String) -> Void
    /// Writes text meant for standard error ("Cummingsify failed!", download failures).
    public let err: (String) -> Void

    /// An output that hands lines to `out` and `err`. Each call carries whole lines, newline included.
    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// An output that drops everything.
    public static var silent: PoetryOutput { PoetryOutput(out: { _ in }, err: { _ in }) }
}
