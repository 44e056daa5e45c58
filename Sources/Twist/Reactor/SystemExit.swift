/// An error that ends a program run by ``react(installSignalHandlers:logger:_:)``
/// (or ``Reactor/runMain(installSignalHandlers:_:)``) with
/// ``status`` as its exit status, quietly: a main function's Deferred that fails with it exits with
/// that status and logs nothing (Twisted's `SystemExit(n)` raised inside `react`'s main function).
public struct SystemExit: Error, Equatable, CustomStringConvertible {
    /// The exit status the program ends with.
    public let status: Int32

    /// An error that ends the program with `status`.
    public init(_ status: Int32) {
        self.status = status
    }

    /// "exit with status N".
    public var description: String { "exit with status \(status)" }
}
