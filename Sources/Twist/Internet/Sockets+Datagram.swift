import CTwistShims
import Glibc

extension Sockets {
    /// A non-blocking, close-on-exec datagram socket of `family`: UDP for `AF_INET`/`AF_INET6`,
    /// a UNIX datagram socket for `AF_UNIX`.
    static func makeDatagramSocket(family: Int32) -> Result<Int32, SystemCallError> {
        let fd = socket(family, twist_sock_dgram_nonblocking_cloexec(), 0)
        return fd >= 0 ? .success(fd) : .failure(SystemCallError("socket"))
    }
}
