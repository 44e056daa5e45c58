/// What a ``ClientServiceConnection`` tells its service: that it is connected, and that it is
/// gone (each once; `Protocol` delivers `connectionLost` once).
struct ClientServiceConnectionObserver {
    let made: (ClientServiceConnection) -> Void
    let lost: (ClientServiceConnection, Failure) -> Void
}
