/// What a child process's owner implements to hear from it (Twisted's `ProcessProtocol`).
///
/// The order: ``makeConnection(_:)`` → ``connectionMade()`` inside `spawnProcess`; then, as they
/// happen, ``childDataReceived(fd:data:)`` and ``childConnectionLost(fd:)`` once per pipe;
/// ``processExited(reason:)`` when the child is reaped (which may come *before* output it already
/// wrote is delivered, and while a grandchild still holds its pipes); and ``processEnded(reason:)``
/// last, exactly once, after the child was reaped **and** every pipe closed, with the same reason
/// (``ProcessDone`` or ``ProcessTerminated``).
///
/// Every method does nothing by default, so output nobody wants is read and discarded (never left
/// to block the child). An error thrown by ``childDataReceived(fd:data:)`` is logged and closes
/// that pipe; errors from the other callbacks are logged. Confined to the reactor thread.
open class ProcessProtocol {
    /// The child's transport, from ``makeConnection(_:)`` on.
    public private(set) var transport: (any ProcessTransport)?

    /// Makes the protocol, not yet attached to a child.
    public init() {}

    /// Records the transport and calls ``connectionMade()``.
    open func makeConnection(_ transport: any ProcessTransport) {
        self.transport = transport
        connectionMade()
    }

    /// The child has been started; its pipes are open.
    open func connectionMade() {}

    /// The child wrote `data` on its descriptor `fd`. By default, data on 1 goes to
    /// ``outReceived(_:)``, on 2 to ``errReceived(_:)``; other descriptors are ignored. The bytes
    /// are lent for the call: copy what you keep.
    open func childDataReceived(fd: Int32, data: ArraySlice<UInt8>) throws {
        switch fd {
        case 1: try outReceived(data)
        case 2: try errReceived(data)
        default: break
        }
    }

    /// The child wrote `data` to its stdout.
    open func outReceived(_ data: ArraySlice<UInt8>) throws {}

    /// The child wrote `data` to its stderr.
    open func errReceived(_ data: ArraySlice<UInt8>) throws {}

    /// The pipe on the child's descriptor `fd` closed (the child closed it or died, or the parent
    /// closed it). By default 0, 1 and 2 go to ``inConnectionLost()``, ``outConnectionLost()``
    /// and ``errConnectionLost()``.
    open func childConnectionLost(fd: Int32) throws {
        switch fd {
        case 0: try inConnectionLost()
        case 1: try outConnectionLost()
        case 2: try errConnectionLost()
        default: break
        }
    }

    /// The child's stdin pipe closed.
    open func inConnectionLost() throws {}

    /// The child's stdout pipe closed.
    open func outConnectionLost() throws {}

    /// The child's stderr pipe closed.
    open func errConnectionLost() throws {}

    /// The child has exited and been reaped; its pipes may still be open.
    open func processExited(reason: Failure) throws {}

    /// The child has exited and every pipe has closed: the last call.
    open func processEnded(reason: Failure) throws {}
}
