extension ReactorProcess {
    /// ``spawnProcess(_:executable:args:environment:workingDirectory:uid:gid:childFDs:usePTY:terminal:onReactorShutdown:)``
    /// with ``ChildShutdownAction/leaveRunning``: the form code written against the capability
    /// used before the shutdown action existed, kept source-compatible.
    @discardableResult
    public func spawnProcess(
        _ processProtocol: ProcessProtocol, executable: String, args: [String], environment: ProcessEnvironment,
        workingDirectory: String?, uid: UInt32?, gid: UInt32?, childFDs: [Int32: ChildDescriptor]?, usePTY: Bool,
        terminal: PseudoTerminalOptions
    ) throws -> any ProcessTransport {
        try spawnProcess(
            processProtocol, executable: executable, args: args, environment: environment,
            workingDirectory: workingDirectory, uid: uid, gid: gid, childFDs: childFDs, usePTY: usePTY,
            terminal: terminal, onReactorShutdown: .leaveRunning)
    }
}
