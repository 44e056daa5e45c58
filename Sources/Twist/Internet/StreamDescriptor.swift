import Glibc

/// The descriptor under a stream connection and the system calls the engine makes on it: read,
/// write, writev, shut down the sending side, close.
///
/// On Linux `read`, `write` and `writev` are the same calls for every kind of stream descriptor
/// (TCP and UNIX sockets, pipes, terminals), so this is a plain value rather than a protocol: no
/// existential box and no generic parameter on the connection's hot path. What differs between
/// kinds is how the sending side is shut down: on a connected socket `shutdown(SHUT_WR)` does it.
/// A child process's pipe is one of these too (each pipe is one-way, so the process transport
/// never half-closes it: closing the pipe is its end of file).
struct StreamDescriptor {
    /// The descriptor, non-blocking and close-on-exec.
    let fd: Int32
    /// True for a UNIX socket: reads use `recvmsg`, so descriptors the peer passes are seen (and
    /// handed on or closed), and descriptors can be sent.
    var passesDescriptors = false

    /// Reads at most `buffer.count` bytes: the count, 0 at end of file, or -1 with `errno` set.
    @inline(__always)
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        Glibc.read(fd, buffer.baseAddress, buffer.count)
    }

    /// Reads into `first`, then on into `second` (one `readv`): the count, 0 at end of file, or -1
    /// with `errno` set.
    @inline(__always)
    func read(into first: UnsafeMutableRawBufferPointer, then second: UnsafeMutableRawBufferPointer) -> Int {
        var vectors = (
            iovec(iov_base: first.baseAddress, iov_len: first.count),
            iovec(iov_base: second.baseAddress, iov_len: second.count)
        )
        return withUnsafeMutableBytes(of: &vectors) {
            readv(fd, $0.baseAddress!.assumingMemoryBound(to: iovec.self), 2)
        }
    }

    /// Writes what it can of `bytes` without blocking: the count, or -1 with `errno` set.
    @inline(__always)
    func write(_ bytes: UnsafeRawBufferPointer) -> Int {
        Glibc.write(fd, bytes.baseAddress, bytes.count)
    }

    /// Writes what it can of `count` buffers, in order, without blocking: the byte count, or -1
    /// with `errno` set.
    @inline(__always)
    func writev(_ vectors: UnsafePointer<iovec>, _ count: Int32) -> Int {
        Glibc.writev(fd, vectors, count)
    }

    /// Sends end-of-file: the peer reads to the end of what was sent, then sees it.
    func shutdownWriting() {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the descriptor (never retried: close(2) must not be, on Linux).
    func close() {
        _ = Glibc.close(fd)
    }
}
