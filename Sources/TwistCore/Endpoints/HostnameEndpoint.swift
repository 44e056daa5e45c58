/// A client endpoint for a host name (Twisted's `HostnameEndpoint`): resolves the name without
/// blocking the loop, then races connections to its addresses, staggered — "happy eyeballs" in
/// the manner of RFC 8305 — and connects the first that answers.
///
/// **What `connect` promises.**
/// - Every call resolves first (an IP literal resolves to itself) through the resolver, which
///   hands back the addresses in the system's order; no answer fails with ``DNSLookupError``
///   ("no results for hostname lookup: …").
/// - The first attempt starts as soon as resolution completes, the next one ``attemptDelay``
///   seconds later, and so on; an attempt that fails starts the next at once (Twisted waits out
///   the delay). `timeout` applies to each attempt.
/// - The first attempt to connect wins: the Deferred fires with its protocol; every other attempt
///   is cancelled and the stagger timer stopped. An attempt that connects after the winner (in the
///   same loop pass) is closed.
/// - When every attempt has failed, the Deferred fails at once with ``HostnameConnectError``,
///   which lists each address with its error (``HostnameConnectError/mostRecent`` is the error
///   Twisted would report).
/// - Cancelling during resolution fails the Deferred with ``CancelledError`` (the lookup's answer
///   is dropped); cancelling during the attempts cancels each of them and fails it with
///   ``ConnectingCancelledError`` for the host name and port. No delayed call is left behind.
/// - An invalid host name never throws from the initializer: `connect` returns a failed Deferred
///   with ``InvalidAddressError``.
public final class HostnameEndpoint: ClientEndpoint {
    /// The host name (or IP literal) as given.
    public let host: String
    /// The port to connect to.
    public let port: Int
    /// Seconds each attempt may take before it fails with ``ConnectTimeoutError``.
    public let timeout: Double
    /// A local address to connect from, if any.
    public let bindAddress: IPAddress?
    /// Seconds between the starts of two attempts (Twisted's 0.3).
    public let attemptDelay: Double
    /// The reactor that connects and times the attempts.
    let reactor: any EndpointReactor
    /// What turns the host name into addresses.
    let resolver: any HostNameResolver

    /// An endpoint for `host`:`port` that connects through `reactor` and resolves with `resolver`.
    public init(
        _ reactor: any EndpointReactor, resolver: any HostNameResolver, host: String, port: Int,
        timeout: Double = 30, bindAddress: IPAddress? = nil, attemptDelay: Double = 0.3
    ) {
        self.reactor = reactor
        self.resolver = resolver
        self.host = host
        self.port = port
        self.timeout = timeout
        self.bindAddress = bindAddress
        self.attemptDelay = attemptDelay
    }

    /// An endpoint for `host`:`port` that connects and resolves through `reactor` (the libev
    /// `Reactor` is both).
    public convenience init(
        _ reactor: some EndpointReactor & HostNameResolver, host: String, port: Int,
        timeout: Double = 30, bindAddress: IPAddress? = nil, attemptDelay: Double = 0.3
    ) {
        self.init(
            reactor, resolver: reactor, host: host, port: port, timeout: timeout, bindAddress: bindAddress,
            attemptDelay: attemptDelay
        )
    }

    /// Resolves, races the addresses and fires with the winner's protocol; see the type's summary.
    public func connect(_ factory: Factory) -> Deferred<Protocol> {
        guard Self.isValidHostName(host) else {
            return fail(InvalidAddressError("invalid hostname: \(host.debugDescription)"))
        }
        return HostnameConnectionRace(endpoint: self, factory: factory).start()
    }

    /// `HostnameEndpoint(example.com:443)`, an IPv6 literal in brackets.
    public var description: String {
        "HostnameEndpoint(\(Address.hostname(host, port: port)))"
    }

    /// The endpoint for one resolved address: TCP over IPv4 or IPv6.
    func attemptEndpoint(for address: IPAddress) -> any ClientEndpoint {
        switch address.family {
        case .ipv4:
            TCP4ClientEndpoint(reactor: reactor, host: address.host, port: port, timeout: timeout, bindAddress: bindAddress)
        case .ipv6:
            TCP6ClientEndpoint(reactor: reactor, host: address.host, port: port, timeout: timeout, bindAddress: bindAddress)
        }
    }

    /// A name a resolver can be asked about: 1 to 253 bytes, no spaces or control characters, no
    /// empty label but a final dot, labels of at most 63 bytes; an IP literal (brackets allowed).
    static func isValidHostName(_ host: String) -> Bool {
        if IPAddress(numericHost: host, port: 0) != nil { return true }
        let bytes = Array(host.utf8)
        guard !bytes.isEmpty, bytes.count <= 253, !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            return false
        }
        var labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
        return labels.allSatisfy { !$0.isEmpty && $0.count <= 63 }
    }
}

/// One `connect` of a ``HostnameEndpoint``: the lookup, then the staggered attempts, as one state
/// machine that ends exactly once.
private final class HostnameConnectionRace {
    private enum State {
        /// Waiting for the resolver.
        case resolving(Deferred<[IPAddress]>)
        /// Attempts started or to start.
        case connecting
        /// The result has fired (won, all failed, or cancelled).
        case finished
    }

    private let endpoint: HostnameEndpoint
    private let factory: Factory
    private var state = State.finished
    private var result: Deferred<Protocol>!
    private var remaining: ArraySlice<IPAddress> = []
    private var pending: [Int: Deferred<Protocol>] = [:]
    private var nextAttemptID = 0
    private var staggerTimer: DelayedCall?
    private var failures: [(address: IPAddress, error: any Error)] = []

    init(endpoint: HostnameEndpoint, factory: Factory) {
        self.endpoint = endpoint
        self.factory = factory
    }

    private var destination: Address { .hostname(endpoint.host, port: endpoint.port) }

    func start() -> Deferred<Protocol> {
        result = Deferred<Protocol> { [self] _ in cancel() }
        let lookup = endpoint.resolver.resolveHostName(endpoint.host, port: endpoint.port)
        state = .resolving(lookup)
        _ = lookup.addCallbacks(
            { [self] addresses in resolved(addresses) },
            { _ in }  // cancelled by us: the race is over already
        )
        return result
    }

    private func resolved(_ addresses: [IPAddress]) {
        guard case .resolving = state else { return }
        guard !addresses.isEmpty else {
            finish(.failure(DNSLookupError("no results for hostname lookup: \(endpoint.host)")))
            return
        }
        remaining = addresses[...]
        state = .connecting
        startNextAttempt()
    }

    /// Starts the next attempt, and the timer for the one after it.
    private func startNextAttempt() {
        try? staggerTimer?.cancel()  // it may be the call running now
        staggerTimer = nil
        guard case .connecting = state, let address = remaining.popFirst() else { return }
        let id = nextAttemptID
        nextAttemptID += 1
        let attempt = endpoint.attemptEndpoint(for: address).connect(factory)
        pending[id] = attempt
        _ = attempt.addCallbacks(
            { [self] made in attemptConnected(id, made) },
            { [self] failure in attemptFailed(id, address, failure) }
        )
        if case .connecting = state, !remaining.isEmpty {
            staggerTimer = endpoint.reactor.callLater(endpoint.attemptDelay) { [self] in startNextAttempt() }
        }
    }

    private func attemptConnected(_ id: Int, _ made: Protocol) {
        pending[id] = nil
        guard case .connecting = state else {
            made.transport?.loseConnection()  // connected after the winner
            return
        }
        finish(.success(made))
    }

    private func attemptFailed(_ id: Int, _ address: IPAddress, _ failure: Failure) {
        pending[id] = nil
        guard case .connecting = state else { return }
        failures.append((address, failure.error))
        if !remaining.isEmpty {
            startNextAttempt()
        } else if pending.isEmpty {
            finish(.failure(HostnameConnectError(destination: destination, attempts: failures)))
        }
    }

    /// The result's canceller.
    private func cancel() {
        switch state {
        case .resolving(let lookup):
            state = .finished
            lookup.cancel()  // the result then fails with CancelledError
        case .connecting:
            finish(.failure(ConnectingCancelledError(address: destination)))
        case .finished:
            break
        }
    }

    /// Ends the race once: stops the timer, cancels the attempts still pending, fires the result.
    private func finish(_ outcome: Result<Protocol, any Error>) {
        state = .finished
        try? staggerTimer?.cancel()  // it may be the call running now
        staggerTimer = nil
        let losers = pending.values
        pending = [:]
        for attempt in losers { attempt.cancel() }
        switch outcome {
        case .success(let made): try? result.callback(made)
        case .failure(let error): try? result.errback(error)
        }
    }
}
