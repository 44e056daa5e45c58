import TwistCore

/// Where one TLS connection stands: the TLS wrapper's one state machine.
///
/// ```
/// handshaking ──handshake done──▶ established ──loseConnection──▶ closing ──peer's close_notify──▶ finished(.clean)
///      │  └─loseConnection with writes buffered: handshaking(closeWhenDone: true) ─▶ closing
///      │                         ├──loseConnection with a producer registered──▶ closingAfterProducer ──unregister──▶ closing
///      │                         ├──peer's close_notify──▶ finished(.clean)
///      │                         ├──loseWriteConnection (TLS 1.3)──▶ writeClosed ──peer's close_notify──▶ finished(.clean)
///      │                         └──peer's close_notify to a half-closeable protocol (TLS 1.3)──▶ readClosed ──loseConnection──▶ finished(.clean)
///      └──────── a TLS error, a timeout, abortConnection ──────────────────────────────▶ finished(.failed / .aborted)
/// ```
/// In `finished` the TLS layer is done; the connection below is closing, and its
/// `connectionLost` tells the application why, translated by the phase it ended in.
enum TLSConnectionPhase {
    /// How the TLS layer ended.
    enum Outcome {
        /// close_notify went both ways.
        case clean
        /// A TLS error (handshake, record, alert, timeout) ended it.
        case failed(TLSError)
        /// The application aborted.
        case aborted
    }

    /// The handshake is under way; application writes wait in the wrapper's buffer. With
    /// `closeWhenDone`, the application asked to close once those writes are delivered.
    case handshaking(closeWhenDone: Bool)
    /// Application data flows both ways.
    case established
    /// The application asked to close while its producer is registered: writes still flow; the
    /// close begins when the producer unregisters.
    case closingAfterProducer
    /// Our close_notify is sent; incoming bytes are read only to find the peer's.
    case closing
    /// TLS 1.3 half-close from our side: ``TLSProtocolWrapper/loseWriteConnection()`` sent our
    /// close_notify; the peer's data is still delivered until its close_notify ends the session.
    case writeClosed
    /// TLS 1.3 half-close from the peer's side: its close_notify was passed to a
    /// `HalfCloseableProtocol` as `readConnectionLost()`; we still write until we close.
    case readClosed
    /// The TLS layer is done.
    case finished(Outcome)

    /// True once the TLS layer is done.
    var isFinished: Bool {
        if case .finished = self { return true }
        return false
    }
}
