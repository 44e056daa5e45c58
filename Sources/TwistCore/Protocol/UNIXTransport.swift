/// A transport over a UNIX stream socket (Twisted's `IUNIXTransport` without descriptor passing):
/// everything a TCP connection does except the TCP socket options, plus who the peer is.
///
/// Half-close works as over TCP (``HalfCloseableTransport/loseWriteConnection()``). A UNIX
/// connection's addresses are `Address.unix`: on the server side the host is the
/// listening path and the peer is the client's bound name or ``UNIXAddress/unnamed``; on the
/// client side the host is unnamed and the peer is the path that was connected to.
public protocol UNIXTransport: HalfCloseableTransport {
    /// The peer process's credentials as the kernel recorded them at connect time, read once when
    /// the connection is set up; nil when the kernel would not tell.
    var peerCredentials: PeerCredentials? { get }
}
