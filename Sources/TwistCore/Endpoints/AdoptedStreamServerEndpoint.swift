internal import Glibc

/// Serves on a listening stream socket that already exists (Twisted's
/// `AdoptedStreamServerEndpoint`): one inherited from systemd (the `systemd:` description makes
/// one), from a parent process, or made by other code.
///
/// The endpoint owns the descriptor it is given: the first ``listen(_:)`` has the reactor adopt
/// it (the reactor keeps a duplicate) and then closes it. It listens once only.
///
/// Confined to the reactor thread, like the reactor it uses.
public final class AdoptedStreamServerEndpoint: ServerEndpoint {
    /// The reactor that adopts the socket.
    public let reactor: any ReactorSocketAdoption
    /// The listening socket's descriptor, as given (closed by the first successful ``listen(_:)``).
    public let fileDescriptor: Int32
    /// The socket's family, which the reactor checks.
    public let family: AddressFamily
    /// True once ``listen(_:)`` was called, whatever its outcome.
    public private(set) var hasListened = false
    /// The text ``description`` shows: the description string this endpoint was parsed from, or
    /// `adopted:fd=N:domain=FAMILY` (a label: no parser takes that type).
    private let label: String

    /// An endpoint for the listening socket `fileDescriptor` of `family`. Nothing happens until
    /// ``listen(_:)``: the descriptor is not checked, not changed and not closed before.
    public convenience init(reactor: any ReactorSocketAdoption, fileDescriptor: Int32, family: AddressFamily) {
        self.init(reactor: reactor, fileDescriptor: fileDescriptor, family: family, label: nil)
    }

    /// The endpoint, labelled with the description string it came from (`systemd:...`).
    init(reactor: any ReactorSocketAdoption, fileDescriptor: Int32, family: AddressFamily, label: String?) {
        self.reactor = reactor
        self.fileDescriptor = fileDescriptor
        self.family = family
        self.label = label ?? "adopted:fd=\(fileDescriptor):domain=\(family)"
    }

    /// Has the reactor adopt the socket now (`adoptStreamPort`, with `factory` as it is) and, when
    /// it did, closes ``fileDescriptor``; the Deferred has fired when it is returned: with the
    /// port, or with what `adoptStreamPort` threw (the descriptor then stays open, as in
    /// Twisted). A second call fails with ``AlreadyListened`` and touches nothing.
    public func listen(_ factory: Factory) -> Deferred<any ListeningPort> {
        guard !hasListened else { return fail(AlreadyListened()) }
        hasListened = true
        return listening {
            let port = try reactor.adoptStreamPort(fileDescriptor, family: family, factory)
            _ = Glibc.close(fileDescriptor)
            return port
        }
    }

    /// The description string the endpoint was parsed from (`systemd:domain=INET:index=0`), or
    /// `adopted:fd=N:domain=FAMILY` for one made in code.
    public var description: String { label }
}
