/// What one of the child's descriptors is (a value of Twisted's `childFDs` map).
public enum ChildDescriptor: Hashable, Sendable {
    /// A pipe the child writes and the parent reads: the protocol gets `childDataReceived(fd:data:)`
    /// (Twisted's `'r'`).
    case pipeFromChild
    /// A pipe the child reads and the parent writes with `writeToChild(_:_:)` (Twisted's `'w'`).
    case pipeToChild
    /// A copy of the parent's descriptor `parentFD`; the parent keeps it and gets no callbacks
    /// for it (Twisted's int value).
    case inherit(parentFD: Int32)

    /// Twisted's default map: stdin a pipe to the child, stdout and stderr pipes from it.
    public static let standard: [Int32: ChildDescriptor] = [0: .pipeToChild, 1: .pipeFromChild, 2: .pipeFromChild]
}

/// The environment a child process gets.
///
/// Twisted gives a child an **empty** environment unless one is passed, and Twist keeps that
/// default (``empty``) for parity: pass ``inherit`` for the parent's. The executable is still
/// found on the parent's `PATH` either way.
public enum ProcessEnvironment: Sendable, Equatable {
    /// No variables at all (the default, as in Twisted).
    case empty
    /// The parent's environment as it is at the spawn.
    case inherit
    /// Exactly these variables, nothing inherited.
    case exactly([String: String])
}
