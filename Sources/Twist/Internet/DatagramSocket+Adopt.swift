import Glibc
import TwistCore

extension DatagramSocket {
    /// A close-on-exec, non-blocking duplicate of the bound datagram socket `original` of
    /// `family` (`adoptDatagramPort`), with its real address and, when it is connected, its peer.
    /// `original` stays the caller's: it is neither closed nor kept.
    ///
    /// - Throws: ``CannotAdoptError`` naming `original` and saying what it is instead (not a
    ///   socket, a stream socket, another family, not bound) or why it cannot be duplicated.
    static func adopted(_ original: Int32, family: AddressFamily) throws -> DatagramSocket {
        let fd: Int32
        do {
            fd = try AdoptedSocket.duplicate(original, family: family, role: .boundDatagram)
        } catch {
            throw CannotAdoptError(
                "cannot adopt descriptor \(original) as a bound AF_\(family) datagram socket: \(error.reason)",
                osError: error.osError
            )
        }
        guard let local = SystemAddress.local(of: fd) else {
            let error = SystemCallError("getsockname")
            Sockets.close(fd)
            throw CannotAdoptError("cannot read the address of descriptor \(original): \(error.reason)", osError: error.code)
        }
        let kind = DatagramSocketKind(family: family.systemValue)
        return DatagramSocket(
            fd: fd, kind: kind, address: kind.address(of: local), peer: SystemAddress.peer(of: fd).map(kind.address(of:))
        )
    }
}
