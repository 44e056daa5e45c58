import Glibc
import Testing
@testable import Twist
import TwistTestSupport

/// A descriptor handed from the accepting reactor to another is never lost: whoever drops it
/// untaken closes it, and a share that has closed refuses it. Checked from the other end of a
/// socket pair (end of file once our end is closed), which no other test's descriptor reuse can fake.
@Suite struct HandOffDescriptorTests {
    @Test func droppedUntakenClosesTheDescriptor() {
        let (ours, theirs) = socketPair()
        do {
            _ = HandedOffDescriptor(fd: ours, peer: .ip(.ipv4("127.0.0.1", 1)), portAddress: .ip(.ipv4("127.0.0.1", 2)))
        }
        #expect(peerSeesEndOfFile(theirs))
        close(theirs)
    }

    @Test func takenOnceAndThenNotClosedByTheBox() {
        let (ours, theirs) = socketPair()
        do {
            let box = HandedOffDescriptor(fd: ours, peer: .ip(.ipv4("127.0.0.1", 1)), portAddress: .ip(.ipv4("127.0.0.1", 2)))
            #expect(box.take() == ours)
            #expect(box.take() == -1)
        }
        #expect(!peerSeesEndOfFile(theirs), "the taker owns it now")
        close(ours)
        close(theirs)
    }

    @Test func aClosedShareClosesWhatArrivesAndBuildsNothing() {
        let reactor = Reactor()
        let built = Shared(0)
        let factory = Factory {
            built.mutate { $0 += 1 }
            return Protocol()
        }
        let closing = ReactorGroupPortClosing()
        let member = GroupPortMember(reactor: reactor, factory: factory, port: nil, closing: closing)
        #expect(factory.numberOfUsers == 1)
        member.close()
        member.close()
        #expect(closing.isClosed)
        #expect(factory.numberOfUsers == 0)
        let (ours, theirs) = socketPair()
        member.adopt(HandedOffDescriptor(fd: ours, peer: .ip(.ipv4("127.0.0.1", 1)), portAddress: .ip(.ipv4("127.0.0.1", 2))))
        #expect(peerSeesEndOfFile(theirs))
        #expect(built.value == 0)
        close(theirs)
    }
}

/// A connected pair of stream sockets.
private func socketPair() -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    let made = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
    precondition(made == 0, "socketpair failed")
    return (fds[0], fds[1])
}

/// True when reading `fd` (without blocking) finds end of file: the other end is closed.
private func peerSeesEndOfFile(_ fd: Int32) -> Bool {
    var byte: UInt8 = 0
    return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0
}
