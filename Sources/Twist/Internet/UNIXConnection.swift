import CTwistShims
import Glibc
import TwistCore

/// A connected UNIX stream socket: the stream engine (``StreamConnection``) with UNIX addresses
/// and the peer's credentials — no TCP options (Twisted's UNIX `Server`/`Client` transports).
///
/// Made by a listening ``StreamPort`` of ``UNIXPortKind`` for each accepted socket (host: the
/// listening name; peer: the client's bound name or unnamed), and by a ``StreamConnector`` of
/// ``UNIXConnectorKind`` (host: unnamed; peer: the name connected to). Half-close is the
/// engine's ``StreamConnection/loseWriteConnection()``; reads use `recvmsg`, so descriptors the
/// peer passes reach a ``FileDescriptorReceiver`` (or are closed), and
/// ``sendFileDescriptor(_:)`` passes ours.
final class UNIXConnection: StreamConnection, UNIXTransport {
    let peerCredentials: PeerCredentials?

    /// Wraps a connected UNIX socket with the addresses it reports. The peer's credentials are
    /// read now, while the descriptor is certainly this connection's. Nothing is read from the
    /// socket until ``StreamConnection/start()``.
    init(fd: Int32, host: Address, peer: Address, protocol: Protocol, reactor: Reactor, onClosed: ((Failure) -> Void)? = nil) {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        peerCredentials = twist_peer_credentials(fd, &pid, &uid, &gid) == 0 ? PeerCredentials(pid: pid, uid: uid, gid: gid) : nil
        super.init(
            descriptor: StreamDescriptor(fd: fd, passesDescriptors: true), host: host, peer: peer, protocol: `protocol`, reactor: reactor,
            onClosed: onClosed
        )
    }

    func sendFileDescriptor(_ descriptor: Int32) throws {
        try queueDescriptor(descriptor)
    }
}
