/// Something that writes to a consumer when asked (Twisted's `IPullProducer`): the consumer calls
/// ``resumeProducing()`` each time it wants more.
public protocol PullProducer: AnyObject {
    /// Produce some data (write it to the consumer) now.
    func resumeProducing()
    /// Stop for good: the consumer is gone.
    func stopProducing()
}

/// Something that writes to a consumer on its own and can be paused (Twisted's `IPushProducer`).
public protocol PushProducer: PullProducer {
    /// Stop writing until ``resumeProducing()``: the consumer's buffer is full.
    func pauseProducing()
}

/// How a producer registered with a consumer is driven.
public enum RegisteredProducer {
    /// Writes on its own; paused and resumed around the consumer's buffer limits (`streaming: true`).
    case push(any PushProducer)
    /// Writes only when asked (`streaming: false`).
    case pull(any PullProducer)

    /// The producer, whichever kind it is.
    public var producer: any PullProducer {
        switch self {
        case .push(let producer): return producer
        case .pull(let producer): return producer
        }
    }
}

/// A producer was registered while another one is (Twisted's `RuntimeError` from `registerProducer`),
/// or unregistered when none is.
public struct ProducerRegistrationError: Error, Equatable, CustomStringConvertible {
    /// What was wrong.
    public let detail: String
    /// The error, saying what was wrong in `detail`.
    public init(_ detail: String) { self.detail = detail }
    /// The detail text, as given.
    public var description: String { detail }
}
