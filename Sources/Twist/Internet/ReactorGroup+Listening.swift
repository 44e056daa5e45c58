public import TwistCore

extension ReactorGroup {
    /// Listens on `port` with every reactor of the group, by `strategy`, and serves each
    /// connection on one reactor with a protocol from *that reactor's* factory.
    ///
    /// `factory` is called once per reactor, on that reactor's thread (or on the caller's, when
    /// the group has not started), and the factory it returns is used only there: protocols of
    /// different reactors never share a factory, so a factory's state needs no lock. State meant
    /// for the whole group must be made thread-safe by the caller.
    ///
    /// Call it before ``start()`` (the ports are opened on the calling thread), or on a running
    /// group from a thread that is not one of its reactors (it waits for every reactor to open
    /// its share).
    ///
    /// - Parameters:
    ///   - port: the port; 0 picks a free one (with `SO_REUSEPORT`, the first reactor picks it and
    ///     the others bind to it). Read it from the result's ``ReactorGroupPort/address``.
    ///   - backlog: the kernel's queue of connections not yet accepted, per listening socket.
    ///   - interface: "" for every IPv4 interface, "::" for every IPv6 one, or a numeric address.
    ///   - strategy: ``GroupListeningStrategy/handOff`` (the default: an even spread) or
    ///     ``GroupListeningStrategy/reusePort``.
    ///   - factory: builds the factory for one reactor.
    /// - Throws: ``CannotListenError`` when a listening socket cannot be opened (nothing stays
    ///   open then); ``ReactorNotRunning`` when the group has stopped.
    /// - Precondition: not called on one of the group's reactor threads while the group runs.
    public func listenTCP(
        _ port: Int, backlog: Int = 50, interface: String = "", strategy: GroupListeningStrategy = .handOff,
        factory: @escaping @Sendable (Reactor) -> Factory
    ) throws -> ReactorGroupPort {
        switch strategy {
        case .handOff:
            return try listenHandingOff(backlog: backlog, factory: factory) {
                TCPPortKind(interface: interface, port: port)
            }
        case .reusePort:
            return try listenReusingPort(port, backlog: backlog, interface: interface, factory: factory)
        }
    }

    /// Listens on the UNIX socket `path` with the group: the first reactor accepts and hands each
    /// connection to the next reactor, round robin (UNIX sockets have no `SO_REUSEPORT`
    /// balancing). `factory` is called once per reactor, as for
    /// ``listenTCP(_:backlog:interface:strategy:factory:)``; the other parameters are
    /// ``Reactor/listenUNIX(_:_:backlog:mode:wantPID:)``'s.
    ///
    /// - Throws: ``CannotListenError`` or ``InvalidAddressError`` as `listenUNIX` does;
    ///   ``ReactorNotRunning`` when the group has stopped.
    /// - Precondition: not called on one of the group's reactor threads while the group runs.
    public func listenUNIX(
        _ path: String, backlog: Int = 50, mode: Int = 0o666, wantPID: Bool = false,
        factory: @escaping @Sendable (Reactor) -> Factory
    ) throws -> ReactorGroupPort {
        try listenHandingOff(backlog: backlog, factory: factory) {
            try UNIXPortKind(path: path, mode: mode, wantPID: wantPID)
        }
    }

    /// Each reactor opens its own `SO_REUSEPORT` listener; the first one's address is the port's.
    private func listenReusingPort(
        _ port: Int, backlog: Int, interface: String, factory makeFactory: @escaping @Sendable (Reactor) -> Factory
    ) throws -> ReactorGroupPort {
        let inline = try placementIsInline()
        let closing = ReactorGroupPortClosing()
        var handles: [GroupPortMemberHandle] = []
        var address: Address?
        do {
            for reactor in reactors {
                let chosen = address?.port ?? port
                let (handle, bound) = try onMember(reactor, inline: inline) {
                    let factory = makeFactory(reactor)
                    let listening = try StreamPort(
                        kind: TCPPortKind(interface: interface, port: chosen, reusePort: true), backlog: backlog,
                        factory: factory, reactor: reactor)
                    let member = GroupPortMember(reactor: reactor, factory: factory, port: listening, closing: closing)
                    return (GroupPortMemberHandle(reactor: reactor, member: member), listening.address)
                }
                handles.append(handle)
                address = address ?? bound
            }
        } catch {
            for handle in handles { handle.close(inline: inline) }
            throw error
        }
        return ReactorGroupPort(
            address: address!, strategy: .reusePort, group: self, members: handles, closing: closing)
    }

    /// The other reactors get a receiving share each; then the first opens the one listener and
    /// hands connections round robin to all of them, itself included.
    func listenHandingOff<Kind: StreamPortKind & SendableMetatype>(
        backlog: Int, factory makeFactory: @escaping @Sendable (Reactor) -> Factory,
        kind makeKind: @escaping @Sendable () throws -> Kind
    ) throws -> ReactorGroupPort {
        let inline = try placementIsInline()
        let closing = ReactorGroupPortClosing()
        var receivers: [GroupPortMemberHandle] = []
        for reactor in reactors.dropFirst() {
            receivers.append(try onMember(reactor, inline: inline) {
                let member = GroupPortMember(reactor: reactor, factory: makeFactory(reactor), port: nil, closing: closing)
                return GroupPortMemberHandle(reactor: reactor, member: member)
            })
        }
        let acceptor = reactors[0]
        let targets = receivers
        let accepting: (GroupPortMemberHandle, Address)
        do {
            accepting = try onMember(acceptor, inline: inline) {
                let factory = makeFactory(acceptor)
                let listening = try StreamPort(kind: makeKind(), backlog: backlog, factory: factory, reactor: acceptor)
                if !targets.isEmpty { listening.handOff = ConnectionHandOff(targets: [nil] + targets) }
                let member = GroupPortMember(reactor: acceptor, factory: factory, port: listening, closing: closing)
                return (GroupPortMemberHandle(reactor: acceptor, member: member), listening.address)
            }
        } catch {
            for receiver in receivers { receiver.close(inline: inline) }
            throw error
        }
        return ReactorGroupPort(
            address: accepting.1, strategy: .handOff, group: self, members: [accepting.0] + receivers, closing: closing)
    }

    /// Whether shares are made on the calling thread (the group has not started) or on their
    /// reactors' threads (it runs).
    ///
    /// - Throws: ``ReactorNotRunning`` when the group has stopped.
    private func placementIsInline() throws -> Bool {
        if isStopped { throw ReactorNotRunning() }
        guard isRunning else { return true }
        precondition(current == nil, "ReactorGroup: listen on a running group from outside its reactor threads")
        return false
    }

    /// Runs `body` for `reactor`: here when `inline`, otherwise on the reactor's thread, waiting
    /// for it (or for the group to stop, which throws ``ReactorNotRunning``).
    private func onMember<Value: Sendable>(
        _ reactor: Reactor, inline: Bool, _ body: @escaping @Sendable () throws -> Value
    ) throws -> Value {
        if inline { return try body() }
        let outcome = PosixMutex<Result<Value, any Error>?>(nil)
        let latch = ThreadLatch()
        reactor.callFromThread {
            let result = Result { try body() }
            outcome.withLock { $0 = result }
            latch.open()
        }
        whenStopped { latch.open() }
        latch.wait()
        guard let result = outcome.withLock({ $0 }) else { throw ReactorNotRunning() }
        return try result.get()
    }
}
