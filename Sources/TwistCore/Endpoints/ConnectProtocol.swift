/// Connects `endpoint` with a one-shot factory whose `buildProtocol` returns `protocol` itself
/// (Twisted's `connectProtocol`).
///
/// The result is a handle onto the endpoint's own Deferred: it fires with `protocol` — the same
/// instance — after its `connectionMade`, fails as ``ClientEndpoint/connect(_:)`` says, and
/// cancelling it cancels the attempt. The protocol's ``Protocol/factory`` is left as it is.
public func connectProtocol<P: Protocol>(_ endpoint: any ClientEndpoint, _ protocol: P) -> Deferred<P> {
    endpoint.connect(OneShotFactory(`protocol`)).addCallback { _ in `protocol` }
}

/// Builds one given protocol, once, and then lets go of it (no cycle through `Protocol.factory`:
/// it does not set it).
private final class OneShotFactory: Factory {
    private var pending: Protocol?

    init(_ protocol: Protocol) {
        pending = `protocol`
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        defer { pending = nil }
        return pending
    }
}
