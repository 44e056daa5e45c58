/// What the soak server counts, for the runner to read through the stats port. Confined to the
/// reactor thread, like the protocols that update it.
final class ServerStats {
    /// Echo protocol objects alive: incremented in their `init`, decremented in their `deinit`.
    var echoObjects = 0
    /// Echo connections between `connectionMade` and `connectionLost`.
    var echoOpen = 0
    /// Echo connections ever made.
    var echoTotal = 0
    /// Payload bytes handed to the echo protocols, and frame bytes they wrote, over all connections.
    var bytesIn = 0
    var bytesOut = 0
    /// How many times a connection's reading was paused because its write queue passed the high-water mark.
    var pauses = 0
    /// Echo connections by the peer's port, for per-connection figures.
    var echoByPeerPort: [Int: SoakEcho] = [:]

    private var transports = WeakRegistry()
    private var transformProtocols = WeakRegistry()

    /// Counts `transport` as alive until it is deallocated.
    func track(transport: AnyObject) { transports.add(transport) }

    /// Counts a transform protocol as alive until it is deallocated.
    func track(transformProtocol: AnyObject) { transformProtocols.add(transformProtocol) }

    /// Transport objects (of any connection the echo server made) not yet deallocated.
    var liveTransports: Int { transports.liveCount() }

    /// Transform protocol objects not yet deallocated.
    var liveTransformProtocols: Int { transformProtocols.liveCount() }
}

/// Weak references to objects, to count how many are still alive without keeping them so.
struct WeakRegistry {
    private final class Box {
        weak var object: AnyObject?
        init(_ object: AnyObject) { self.object = object }
    }

    private var boxes: [Box] = []
    private var addsSincePrune = 0

    /// Watches `object`; dead entries are pruned now and then so the list stays small under churn.
    mutating func add(_ object: AnyObject) {
        boxes.append(Box(object))
        addsSincePrune += 1
        if addsSincePrune >= 4_096 { prune() }
    }

    /// How many watched objects are alive (pruning the dead ones).
    mutating func liveCount() -> Int {
        prune()
        return boxes.count
    }

    private mutating func prune() {
        boxes.removeAll { $0.object == nil }
        addsSincePrune = 0
    }
}
