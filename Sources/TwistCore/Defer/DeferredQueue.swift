/// A queue whose `get` gives a Deferred (Twisted's `DeferredQueue`): items put while nobody waits
/// are kept; a `get` while items are kept fires at once; a `put` while someone waits goes straight
/// to the oldest waiter. Confined to the reactor thread.
public final class DeferredQueue<Element> {
    /// How many items may be kept at most (nil: no limit).
    public let size: Int?

    /// How many `get`s may wait at most (nil: no limit).
    public let backlog: Int?

    /// The items put and not yet taken, oldest first.
    public private(set) var pending: [Element] = []

    private var waiting: [Deferred<Element>] = []

    /// Creates an empty queue. A `size` of 0 makes every `put` without a waiter overflow; a
    /// `backlog` of 0 makes every `get` on an empty queue underflow.
    public init(size: Int? = nil, backlog: Int? = nil) {
        self.size = size
        self.backlog = backlog
    }

    /// Hands `item` to the oldest waiter, or keeps it.
    ///
    /// - Throws: ``QueueOverflow`` if no one waits and `size` items are kept already.
    public func put(_ item: Element) throws {
        if !waiting.isEmpty {
            try! waiting.removeFirst().callback(item)
        } else if let size, pending.count >= size {
            throw QueueOverflow()
        } else {
            pending.append(item)
        }
    }

    /// Takes the oldest item: an already-fired Deferred if one is kept, otherwise one that fires
    /// with the next item put. Cancelling a waiting `get` removes it from the waiters.
    ///
    /// - Throws: ``QueueUnderflow`` if the queue is empty and `backlog` gets are waiting already.
    public func get() throws -> Deferred<Element> {
        if !pending.isEmpty {
            return succeed(pending.removeFirst())
        }
        if let backlog, waiting.count >= backlog {
            throw QueueUnderflow()
        }
        let deferred = Deferred<Element>(canceller: { [weak self] cancelled in
            self?.waiting.removeAll { $0.isSame(as: cancelled) }
        })
        waiting.append(deferred)
        return deferred
    }

    /// How many `get`s are waiting for an item.
    public var waitingCount: Int { waiting.count }
}

/// A ``DeferredQueue/put(_:)`` found the queue full (Twisted's `QueueOverflow`).
public struct QueueOverflow: Error, Equatable, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A one-line explanation of the error, for logs and test output.
    public var description: String { "the DeferredQueue is full" }
}

/// A ``DeferredQueue/get()`` found too many waiters already (Twisted's `QueueUnderflow`).
public struct QueueUnderflow: Error, Equatable, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// A one-line explanation of the error, for logs and test output.
    public var description: String { "the DeferredQueue has too many waiting gets" }
}
