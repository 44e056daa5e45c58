/// The process capability of a reactor (Twisted's `IReactorProcess`): start a child and connect a
/// ``ProcessProtocol`` to it. A test can stand in for it and connect protocols by hand.
public protocol ReactorProcess: AnyObject {
    /// Starts `executable` (looked up on the parent's `PATH` when it has no slash) with `args` as
    /// its whole argv (`args[0]` is the name the child sees), and returns its transport; the
    /// protocol's `connectionMade` has run when this returns (Twisted's `spawnProcess`).
    ///
    /// - Parameters:
    ///   - environment: the child's environment: empty unless given, as in Twisted.
    ///   - workingDirectory: the child's working directory; the parent's when nil.
    ///   - uid: the user the child switches to before it runs the program (root only); nil keeps
    ///     the parent's.
    ///   - gid: the group the child switches to, likewise.
    ///   - childFDs: what each of the child's descriptors is (``ChildDescriptor/standard`` when
    ///     nil); every other descriptor is closed in the child. Not with `usePTY`.
    ///   - usePTY: true to run the child on a pseudo-terminal (its fds 0, 1 and 2).
    ///   - terminal: how that terminal is set up (window size, settings); ignored without `usePTY`.
    ///   - onReactorShutdown: what the reactor sends the child if it still runs when the reactor
    ///     shuts down (``ChildShutdownAction/leaveRunning``: nothing, as in Twisted).
    /// - Throws: ``ProcessSpawnError`` when the child cannot start (a missing executable, an id
    ///   it may not switch to), ``TerminalWithChildDescriptors`` for `usePTY` with `childFDs`;
    ///   the protocol is then never connected.
    func spawnProcess(
        _ processProtocol: ProcessProtocol, executable: String, args: [String], environment: ProcessEnvironment,
        workingDirectory: String?, uid: UInt32?, gid: UInt32?, childFDs: [Int32: ChildDescriptor]?, usePTY: Bool,
        terminal: PseudoTerminalOptions, onReactorShutdown: ChildShutdownAction
    ) throws -> any ProcessTransport
}
