/// The pausing that ``LineReceiver`` and ``LengthPrefixedReceiver`` share (Twisted's
/// `_PauseableMixin`): a receiver is a push producer of messages. Paused, it holds what arrives
/// and pauses the transport's reading; resumed, it delivers what it held; stopped, it delivers
/// nothing more and stops the transport (which closes it).
open class PausableReceiver: Protocol, PushProducer {
    /// True between ``pauseProducing()`` (or ``stopProducing()``) and ``resumeProducing()``.
    public private(set) var isPaused = false

    private var isStopped = false

    /// A receiver that is producing.
    public override init() {}

    /// Holds messages (and pauses the transport's reading) until ``resumeProducing()``.
    open func pauseProducing() {
        isPaused = true
        transport?.pauseProducing()
    }

    /// Resumes the transport's reading and delivers the messages held while paused. Nothing
    /// after ``stopProducing()``.
    open func resumeProducing() {
        guard !isStopped else { return }
        isPaused = false
        transport?.resumeProducing()
        do {
            try deliverHeld()
        } catch {
            // A handler failed outside a read: the connection cannot go on (as when it throws
            // during a read).
            transport?.abortConnection()
        }
    }

    /// Stops delivering for good and stops the transport (which closes it).
    open func stopProducing() {
        isStopped = true
        isPaused = true
        transport?.stopProducing()
    }

    /// Delivers what was held while paused; each receiver knows what it holds.
    func deliverHeld() throws {}
}
