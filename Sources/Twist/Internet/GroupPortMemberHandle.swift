import TwistCore

/// A ``GroupPortMember`` as other threads hold it: its reactor, and the member, which they never
/// touch except by posting work to that reactor.
struct GroupPortMemberHandle: Sendable {
    /// The reactor the member lives on.
    let reactor: Reactor
    /// The member; read only on `reactor`'s thread (or while the group has not started).
    let member: ReactorConfined<GroupPortMember>

    /// Sends a handed-off connection to the member, to be served on its reactor's thread.
    func deliver(_ descriptor: HandedOffDescriptor) {
        let member = self.member
        reactor.callFromThread { member.value.adopt(descriptor) }
    }

    /// Closes the member on its reactor's thread; or here, when `inline` (its reactor does not
    /// run, so no thread owns it).
    func close(inline: Bool) {
        if inline {
            member.value.close()
        } else {
            let member = self.member
            reactor.callFromThread { member.value.close() }
        }
    }
}
