import CLibev

/// Something with a file descriptor the reactor watches: a connection, a listening port, a
/// connection attempt. libev calls back into it through ``IOWatchers``.
class IOHandler {
    /// The descriptor can be read (or, for a listening socket, a connection is waiting).
    func handleReadable() {}

    /// The descriptor can be written (or a non-blocking connect has completed).
    func handleWritable() {}

    /// The reactor is shutting down: close now (Twisted's `disconnectAll`).
    func closeForShutdown() {}
}

/// The read and write `ev_io` watchers of one descriptor, started and stopped independently
/// (libev merges them into one epoll registration and batches the changes once per pass).
///
/// Each watcher's `data` points at its handler, unretained: the reactor's handler registry keeps
/// the handler alive while its watchers may fire, and ``stop()`` (also run by `deinit`) makes sure
/// no watcher fires after that.
final class IOWatchers {
    private let loop: OpaquePointer
    private let reader = UnsafeMutablePointer<ev_io>.allocate(capacity: 1)
    private let writer = UnsafeMutablePointer<ev_io>.allocate(capacity: 1)

    init(fd: Int32, handler: IOHandler, loop: OpaquePointer) {
        self.loop = loop
        let owner = Unmanaged.passUnretained(handler).toOpaque()
        clibev_io_init(reader, { _, watcher, _ in
            Unmanaged<IOHandler>.fromOpaque(clibev_data(watcher)!).takeUnretainedValue().handleReadable()
        }, fd, Int32(EV_READ))
        clibev_set_data(reader, owner)
        clibev_io_init(writer, { _, watcher, _ in
            Unmanaged<IOHandler>.fromOpaque(clibev_data(watcher)!).takeUnretainedValue().handleWritable()
        }, fd, Int32(EV_WRITE))
        clibev_set_data(writer, owner)
    }

    deinit {
        stop()
        reader.deallocate()
        writer.deallocate()
    }

    var isReading: Bool { clibev_is_active(reader) != 0 }
    var isWriting: Bool { clibev_is_active(writer) != 0 }

    func startReading() { if !isReading { ev_io_start(loop, reader) } }
    func stopReading() { if isReading { ev_io_stop(loop, reader) } }
    func startWriting() { if !isWriting { ev_io_start(loop, writer) } }
    func stopWriting() { if isWriting { ev_io_stop(loop, writer) } }

    /// Stops both watchers (also clearing anything pending); do this before closing the descriptor.
    func stop() {
        stopReading()
        stopWriting()
    }
}
