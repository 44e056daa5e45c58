public import TwistCore

/// A name resolver for tests: answers from a table, at once or when the test says (Twisted's
/// endpoint tests use a resolver that answers synchronously with fixed addresses).
///
/// A host missing from the table resolves to no addresses. With ``holdsAnswers`` set, every
/// lookup waits until ``answerPending()`` — so a test can cancel during resolution.
public final class FakeHostNameResolver: HostNameResolver {
    /// The addresses each host resolves to, in the order they are handed out (ports are taken
    /// from the lookup, not from here).
    public var answers: [String: [String]]
    /// When true, lookups wait for ``answerPending()``; when false (the default) they answer at once.
    public var holdsAnswers = false
    /// Every host looked up so far, in order.
    public private(set) var lookups: [String] = []
    private var pending: [(host: String, port: Int, deferred: Deferred<[IPAddress]>)] = []

    /// A resolver that knows `answers`: host → numeric addresses, such as
    /// `["example.com": ["::1", "127.0.0.1"]]`.
    public init(_ answers: [String: [String]] = [:]) {
        self.answers = answers
    }

    /// Answers from the table at once, or holds the lookup when ``holdsAnswers`` is set.
    public func resolveHostName(_ host: String, port: Int) -> Deferred<[IPAddress]> {
        lookups.append(host)
        let deferred = Deferred<[IPAddress]> { _ in }
        if holdsAnswers {
            pending.append((host, port, deferred))
        } else {
            try? deferred.callback(addresses(host, port))
        }
        return deferred
    }

    /// Answers every held lookup from the table (a cancelled one is skipped).
    public func answerPending() {
        let held = pending
        pending = []
        for lookup in held where !lookup.deferred.hasFired {
            try? lookup.deferred.callback(addresses(lookup.host, lookup.port))
        }
    }

    private func addresses(_ host: String, _ port: Int) -> [IPAddress] {
        if let numeric = IPAddress(numericHost: host, port: port) { return [numeric] }
        return (answers[host] ?? []).compactMap { IPAddress(numericHost: $0, port: port) }
    }
}
