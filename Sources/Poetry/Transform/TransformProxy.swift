public import Twist

/// Asks a transform server to transform poems (the intro's `TransformProxy`, Part 12): one new
/// connection per request, the result as a Deferred.
public final class TransformProxy {
    /// The transform server.
    public let address: PoetryAddress
    private let reactor: any ReactorTCP & ReactorUNIX
    private let timeout: Double

    /// A proxy for the transform server at `address`, connecting through `reactor`.
    public init(_ reactor: any ReactorTCP & ReactorUNIX, _ address: PoetryAddress, timeout: Double = 30) {
        self.reactor = reactor
        self.address = address
        self.timeout = timeout
    }

    /// Asks the server to apply the transform called `name` to `poem`.
    ///
    /// - Returns: a Deferred that fires with the transformed poem, or fails when the server is
    ///   down, closes without a reply (``TransformRefused``) or replies with bytes that are not
    ///   UTF-8. Cancelling it closes the connection.
    public func xform(_ name: String, _ poem: String) -> Deferred<String> {
        let factory = TransformClientFactory(request: TransformRequest(name: name, poem: poem))
        address.connect(reactor, factory, timeout: timeout)
        return factory.transformed
    }
}
