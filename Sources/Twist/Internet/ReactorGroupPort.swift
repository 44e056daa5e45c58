public import TwistCore

/// One listening address served by every reactor of a ``ReactorGroup``, by either
/// ``GroupListeningStrategy``: what ``ReactorGroup/listenTCP(_:backlog:interface:strategy:factory:)``
/// and ``ReactorGroup/listenUNIX(_:backlog:mode:wantPID:factory:)`` return.
///
/// Made of one share per reactor, each holding the ``Factory`` built for that reactor (and, for
/// `SO_REUSEPORT` or on the accepting reactor, its listening socket). It is `Sendable`: stop it
/// from any thread. Stopping closes every listening socket of the group port and stops every
/// factory; connections already made stay open (as with a ``ListeningPort``). A member
/// reactor's shutdown closes its share too, so a stopped group leaves the port closed.
public final class ReactorGroupPort: Sendable, CustomStringConvertible {
    /// The address every share listens on; its port is the real one when port 0 was asked for.
    public let address: Address
    /// How the group shares the address.
    public let strategy: GroupListeningStrategy
    private let group: ReactorGroup
    private let members: [GroupPortMemberHandle]
    private let closing: ReactorGroupPortClosing

    init(
        address: Address, strategy: GroupListeningStrategy, group: ReactorGroup, members: [GroupPortMemberHandle],
        closing: ReactorGroupPortClosing
    ) {
        self.address = address
        self.strategy = strategy
        self.group = group
        self.members = members
        self.closing = closing
    }

    /// True until every share has closed.
    public var isListening: Bool { !closing.isClosed }

    /// Stops listening on every reactor and returns at once; each share closes on its own
    /// reactor's thread (or here, when the group does not run). `whenClosed`, if given, is called
    /// once every share has closed, on the thread of the last one. Safe from any thread; a second
    /// call only adds its `whenClosed`.
    public func stopListening(whenClosed: (@Sendable () -> Void)? = nil) {
        let inline = !group.isRunning
        for member in members { member.close(inline: inline) }
        if let whenClosed { closing.whenClosed(whenClosed) }
    }

    /// Stops listening on every reactor; returns once every share has closed.
    public func stopListening() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            stopListening { continuation.resume() }
        }
    }

    /// "<strategy> port <address> over <n> reactors".
    public var description: String {
        "\(strategy) port \(address) over \(members.count) reactors"
    }
}
