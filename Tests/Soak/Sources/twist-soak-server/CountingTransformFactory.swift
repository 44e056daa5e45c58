import Poetry
import Twist

/// The Poetry library's transform server, with its protocol objects counted: builds each
/// connection's `TransformProtocol` through the library's `TransformFactory` and watches it with
/// a weak reference (the protocol class is final, so it cannot count itself).
final class CountingTransformFactory: ServerFactory {
    private let transforms: TransformFactory
    private let stats: ServerStats

    /// Serves every standard transform, counting protocol objects in `stats`.
    init(stats: ServerStats) throws {
        transforms = try TransformFactory(service: .standard())
        self.stats = stats
        super.init()
    }

    override func buildProtocol(address: Address) -> Protocol? {
        guard let built = transforms.buildProtocol(address: address) else { return nil }
        stats.track(transformProtocol: built)
        return built
    }
}
