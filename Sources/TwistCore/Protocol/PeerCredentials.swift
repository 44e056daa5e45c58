/// Who is at the other end of a local (UNIX) socket, as the kernel recorded it when the
/// connection was made (Linux `SO_PEERCRED`): the peer's process ID, user ID and group ID.
///
/// The values are those of the process that called `connect` (or `listen`, for the server end)
/// at that moment; they do not follow later `setuid` calls or a descriptor handed to another
/// process. Twisted has no counterpart (an extension, spec item 18).
public struct PeerCredentials: Hashable, Sendable, CustomStringConvertible {
    /// The peer's process ID.
    public let pid: Int32
    /// The peer's effective user ID.
    public let uid: UInt32
    /// The peer's effective group ID.
    public let gid: UInt32

    /// Credentials from their parts.
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// `pid=<pid> uid=<uid> gid=<gid>`.
    public var description: String { "pid=\(pid) uid=\(uid) gid=\(gid)" }
}
