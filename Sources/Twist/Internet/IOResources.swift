import Glibc

/// The buffers and the spare descriptor that a reactor's stream connections and listening ports
/// share: one set per reactor, owned by the reactor, confined to its thread.
///
/// **Lending.** A connection borrows the receive buffer and the send scratch for exactly one
/// delivery (one `read` and the protocol's `dataReceived` after it) by *moving* them out with
/// ``lendReceiveBuffer()`` / ``lendSendScratch()`` and back with the matching `return` call. While
/// a buffer is lent, this object holds an empty array in its place, so two connections can never
/// share one: a delivery that somehow nested inside another would get a fresh, empty buffer of
/// its own (an allocation, never a corruption). The single-delivery invariant is a property of
/// where the bytes are, not an assertion.
///
/// **The reserve descriptor.** One descriptor (`/dev/null`) held open so that a port that finds
/// the process out of descriptors (EMFILE) can free it, accept the waiting peer and close it at
/// once, instead of leaving the listener readable and the loop spinning.
final class IOResources {
    /// The size of the receive buffer: the most one `read` takes.
    static let receiveBufferSize = 65_536
    /// A send scratch that one burst grew past this is dropped when it is returned, not kept.
    static let sendScratchRetainLimit = 65_536

    /// Where every connection of this reactor reads into; handed to protocols as a slice (a
    /// protocol that keeps the slice makes the next read copy it first, by copy-on-write; a
    /// slice the delivering connection could not send at once is copied out of it instead:
    /// ``WriteQueue/copyChunks(aliasing:)``).
    private var receiveBuffer = [UInt8](repeating: 0, count: IOResources.receiveBufferSize)
    /// Where the delivering connection gathers its small writes, sent with one `writev` right
    /// after `dataReceived` returns; always empty here between deliveries.
    private var sendScratch: [UInt8] = []
    /// The reserve descriptor, or -1 when it is spent or could not be opened.
    private var reserve: Int32 = -1
    /// Where this reactor's connections report to a metrics backend; nil (the default) reports
    /// nothing. Kept here, beside the buffers every connection already reaches, so a report
    /// costs one load through the connection's unowned(unsafe) reference.
    var instrumentation: (any ReactorInstrumentation)?

    init() {}

    deinit {
        if reserve >= 0 { _ = Glibc.close(reserve) }
    }

    // MARK: Buffers, lent for one delivery

    /// Moves the receive buffer out for one read and delivery; give it back with
    /// ``returnReceiveBuffer(_:)``.
    @inline(__always)
    func lendReceiveBuffer() -> [UInt8] {
        var lent: [UInt8] = []
        swap(&lent, &receiveBuffer)
        if lent.isEmpty { lent = [UInt8](repeating: 0, count: Self.receiveBufferSize) }  // already lent
        return lent
    }

    /// Takes back the receive buffer lent by ``lendReceiveBuffer()``.
    @inline(__always)
    func returnReceiveBuffer(_ buffer: consuming [UInt8]) {
        receiveBuffer = buffer
    }

    /// Moves the send scratch out (empty) for one delivery; give it back with
    /// ``returnSendScratch(_:)``.
    @inline(__always)
    func lendSendScratch() -> [UInt8] {
        var lent: [UInt8] = []
        swap(&lent, &sendScratch)
        return lent
    }

    /// Takes back the send scratch, which must be empty again; one that a burst grew past
    /// ``sendScratchRetainLimit`` is let go instead of kept.
    @inline(__always)
    func returnSendScratch(_ scratch: consuming [UInt8]) {
        var scratch = scratch
        precondition(scratch.isEmpty, "the send scratch came back with bytes in it")
        if scratch.capacity > Self.sendScratchRetainLimit { scratch = [] }
        sendScratch = scratch
    }

    /// Where the receive buffer's bytes are now, while it is not lent (for tests: a read that
    /// had to copy it first leaves it somewhere else).
    var receiveBufferAddress: Int {
        receiveBuffer.withUnsafeBytes { Int(bitPattern: $0.baseAddress) }
    }

    /// True when neither buffer is lent out (for tests).
    var isIdle: Bool { !receiveBuffer.isEmpty && sendScratch.isEmpty }

    // MARK: The reserve descriptor

    /// Opens the reserve descriptor if it is not open (ports call this when they start listening,
    /// while descriptors are to be had).
    func openReserveDescriptor() {
        guard reserve < 0 else { return }
        reserve = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    /// Closes the reserve, freeing one descriptor for accepting-and-closing a peer. Returns false
    /// when there was none to free.
    @discardableResult
    func spendReserveDescriptor() -> Bool {
        guard reserve >= 0 else { return false }
        _ = Glibc.close(reserve)
        reserve = -1
        return true
    }
}
