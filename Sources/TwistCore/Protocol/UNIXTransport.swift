/// A transport over a UNIX stream socket (Twisted's `IUNIXTransport`): everything a TCP
/// connection does except the TCP socket options, plus who the peer is and descriptor passing.
///
/// Half-close works as over TCP (``HalfCloseableTransport/loseWriteConnection()``). A UNIX
/// connection's addresses are `Address.unix`: on the server side the host is the
/// listening path and the peer is the client's bound name or ``UNIXAddress/unnamed``; on the
/// client side the host is unnamed and the peer is the path that was connected to.
public protocol UNIXTransport: HalfCloseableTransport {
    /// The peer process's credentials as the kernel recorded them at connect time, read once when
    /// the connection is set up; nil when the kernel would not tell.
    var peerCredentials: PeerCredentials? { get }

    /// Queues a duplicate of `descriptor` for the peer (`SCM_RIGHTS`); the caller keeps its own.
    ///
    /// At the next flush each queued descriptor is sent with exactly one byte of the data queued
    /// by then (one `sendmsg` each), then the rest of the data goes as usual: the peer's
    /// ``FileDescriptorReceiver`` gets it just before the byte that carried it. Write at least
    /// one byte per descriptor: more descriptors than bytes at flush time close the connection
    /// with ``FileDescriptorOverrun``. A registered streaming producer is paused once more than
    /// 64 descriptors wait. Ignored once the connection is closing.
    ///
    /// - Throws: ``NetworkError`` when `descriptor` cannot be duplicated.
    func sendFileDescriptor(_ descriptor: Int32) throws
}
