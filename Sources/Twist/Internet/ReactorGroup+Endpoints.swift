internal import Glibc
public import TwistCore

extension ReactorGroup {
    /// Listens with the group on the endpoint `description` names — the strings every Twist server
    /// takes with `--listen` — building one factory per reactor with `factory`, as
    /// ``listenTCP(_:backlog:interface:strategy:factory:)`` does. See ``listen(_:strategy:factory:)``
    /// (the endpoint form) for the types a group serves.
    ///
    /// - Throws: ``EndpointDescriptionError`` for a description that does not parse; otherwise
    ///   what the endpoint form throws.
    /// - Precondition: not called on one of the group's reactor threads while the group runs.
    public func listen(
        _ description: String, strategy: GroupListeningStrategy = .handOff,
        factory: @escaping @Sendable (Reactor) -> Factory
    ) throws -> ReactorGroupPort {
        let endpoint = try serverFromString(reactors[0], description)
        return try listen(endpoint, strategy: strategy, factory: factory)
    }

    /// Listens with the group on a server endpoint made from a description or in code; the
    /// endpoint's own reactor is not used, only what it says to listen on:
    /// - `tcp:` / `tcp6:` (``TCPServerEndpoint``): either strategy;
    /// - `unix:` (``UNIXServerEndpoint``) and `systemd:` / adopted sockets
    ///   (``AdoptedStreamServerEndpoint``): ``GroupListeningStrategy/handOff`` only. An adopted
    ///   endpoint's descriptor is closed once the group listens (the group keeps a duplicate), as
    ///   its own `listen` would; do not call that afterwards;
    /// - `ssl:` / `tls:` (``TLSServerEndpoint``) over any of those: each reactor's factory is
    ///   wrapped in its own ``TLSWrappingFactory``, all sharing the endpoint's ``TLSContext``.
    ///
    /// - Throws: ``UnsupportedGroupEndpoint`` for any other endpoint, or for `SO_REUSEPORT` on one
    ///   that is not TCP; otherwise what ``listenTCP(_:backlog:interface:strategy:factory:)`` and
    ///   ``listenUNIX(_:backlog:mode:wantPID:factory:)`` throw.
    /// - Precondition: not called on one of the group's reactor threads while the group runs.
    public func listen(
        _ endpoint: any ServerEndpoint, strategy: GroupListeningStrategy = .handOff,
        factory makeFactory: @escaping @Sendable (Reactor) -> Factory
    ) throws -> ReactorGroupPort {
        switch endpoint {
        case let tcp as TCPServerEndpoint:
            return try listenTCP(
                tcp.port, backlog: tcp.backlog, interface: tcp.interface, strategy: strategy, factory: makeFactory)
        case let unix as UNIXServerEndpoint:
            try Self.requireHandOff(strategy, for: endpoint)
            return try listenUNIX(
                unix.path, backlog: unix.backlog, mode: unix.mode, wantPID: unix.wantPID, factory: makeFactory)
        case let adopted as AdoptedStreamServerEndpoint:
            try Self.requireHandOff(strategy, for: endpoint)
            let (descriptor, family) = (adopted.fileDescriptor, adopted.family)
            let port = try listenHandingOff(backlog: 0, factory: makeFactory) {
                AdoptedPortKind(original: descriptor, family: family)
            }
            _ = Glibc.close(descriptor)
            return port
        case let tls as TLSServerEndpoint:
            let context = tls.context
            return try listen(tls.wrappedEndpoint, strategy: strategy) { reactor in
                TLSWrappingFactory(wrapping: makeFactory(reactor), context: context, clock: reactor)
            }
        default:
            throw UnsupportedGroupEndpoint(
                endpoint: endpoint.description, reason: "only tcp, tcp6, unix, systemd and ssl/tls endpoints are served by a group")
        }
    }

    /// Throws unless `strategy` is the hand-off (the only one for non-TCP sockets).
    private static func requireHandOff(_ strategy: GroupListeningStrategy, for endpoint: any ServerEndpoint) throws {
        guard strategy == .handOff else {
            throw UnsupportedGroupEndpoint(
                endpoint: endpoint.description, reason: "SO_REUSEPORT spreads TCP connections only; use the hand-off")
        }
    }
}
