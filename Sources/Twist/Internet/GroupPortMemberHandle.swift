import TwistCore

/// A ``GroupPortMember`` as other threads hold it: its reactor, and a weak reference to the
/// member, which they never touch except by posting work to that reactor.
///
/// Weak, because a post that never runs (its reactor stopped first) stays in that reactor's queue
/// of thread calls: holding the member — and through it the reactor — from there would keep the
/// reactor alive forever. While the member serves, its reactor's handler registry keeps it alive.
struct GroupPortMemberHandle: Sendable {
    /// The reactor the member lives on.
    let reactor: Reactor
    /// The member; read only on `reactor`'s thread (or while the group has not started).
    private let reference: ReactorConfined<WeakMember>

    init(reactor: Reactor, member: GroupPortMember) {
        self.reactor = reactor
        self.reference = ReactorConfined(WeakMember(member))
    }

    /// Sends a handed-off connection to the member, to be served on its reactor's thread. If the
    /// member is gone by then, the descriptor box is dropped, which closes the descriptor.
    func deliver(_ descriptor: HandedOffDescriptor) {
        let reference = self.reference
        reactor.callFromThread { reference.value.member?.adopt(descriptor) }
    }

    /// Closes the member on its reactor's thread; or here, when `inline` (its reactor does not
    /// run, so no thread owns it).
    func close(inline: Bool) {
        if inline {
            reference.value.member?.close()
        } else {
            let reference = self.reference
            reactor.callFromThread { reference.value.member?.close() }
        }
    }

    /// The weak reference itself (a class, so the closures above share it).
    final class WeakMember {
        weak var member: GroupPortMember?
        init(_ member: GroupPortMember) { self.member = member }
    }
}
