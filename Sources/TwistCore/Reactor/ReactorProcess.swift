/// The process capability of a reactor (Twisted's `IReactorProcess`): start a child and connect a
/// ``ProcessProtocol`` to it. A test can stand in for it and connect protocols by hand.
public protocol ReactorProcess: AnyObject {
    /// Starts `executable` (looked up on the parent's `PATH` when it has no slash) with `args` as
    /// its whole argv (`args[0]` is the name the child sees), and returns its transport; the
    /// protocol's `connectionMade` has run when this returns.
    ///
    /// - Parameters:
    ///   - environment: the child's environment: empty unless given, as in Twisted.
    ///   - workingDirectory: the child's working directory; the parent's when nil.
    ///   - childFDs: what each of the child's descriptors is; every other descriptor is closed
    ///     in the child.
    /// - Throws: ``ProcessSpawnError`` when the child cannot start (a missing executable, say);
    ///   the protocol is then never connected.
    func spawnProcess(
        _ processProtocol: ProcessProtocol, executable: String, args: [String], environment: ProcessEnvironment,
        workingDirectory: String?, childFDs: [Int32: ChildDescriptor]
    ) throws -> any ProcessTransport
}
