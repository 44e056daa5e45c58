import TwistCommandLine
public import Poetry

extension PoetryOutput {
    /// Standard output and standard error, unbuffered.
    public static var console: PoetryOutput { PoetryOutput(out: Console.out, err: Console.err) }
}
