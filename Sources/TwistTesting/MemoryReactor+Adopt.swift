public import TwistCore

extension MemoryReactor: ReactorSocketAdoption {
    /// One recorded `adoptStreamPort` or `adoptStreamConnection` (an entry of Twisted's
    /// `adoptedPorts` or `adoptedStreamConnections`).
    public struct AdoptCall {
        /// The descriptor given, as given; the memory reactor neither checks, duplicates nor
        /// closes it.
        public let fileDescriptor: Int32
        /// The family given.
        public let family: AddressFamily
        /// The factory the port or connection would build protocols with.
        public let factory: Factory
    }

    /// Records the call in ``adoptedPorts`` and returns a port whose address is the family's
    /// "any" address with port 0 (`0.0.0.0:0`, `[::]:0`) or an unnamed UNIX address; never throws.
    public func adoptStreamPort(_ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory) throws -> any ListeningPort {
        adoptedPorts.append(AdoptCall(fileDescriptor: fileDescriptor, family: family, factory: factory))
        switch family {
        case .inet: return MemoryPort(address: .ipv4("0.0.0.0", 0))
        case .inet6: return MemoryPort(address: .ipv6("::", 0))
        case .unix: return MemoryPort(address: .unix(.unnamed))
        }
    }

    /// Records the call in ``adoptedStreamConnections`` (Twisted's `adoptedStreamConnections`);
    /// builds no protocol and never throws.
    public func adoptStreamConnection(_ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory) throws {
        adoptedStreamConnections.append(AdoptCall(fileDescriptor: fileDescriptor, family: family, factory: factory))
    }
}

extension MemoryReactor {
    /// One recorded `adoptDatagramPort`.
    public struct AdoptDatagramCall {
        /// The descriptor given, as given; the memory reactor neither checks, duplicates nor
        /// closes it.
        public let fileDescriptor: Int32
        /// The family given.
        public let family: AddressFamily
        /// The receive size asked for.
        public let maxPacketSize: Int
        /// The fake port handed to the protocol: deliver datagrams through it, read its writes.
        public let transport: FakeDatagramTransport
    }

    /// Records the call in ``adoptedDatagramPorts`` and attaches `protocol` to a
    /// ``FakeDatagramTransport`` whose address is the family's "any" address with port 0
    /// (`0.0.0.0:0`, `[::]:0`) or an unnamed UNIX address; its `startProtocol` has run when this
    /// returns.
    ///
    /// - Throws: ``DatagramStateError`` when the protocol serves another port.
    public func adoptDatagramPort(
        _ fileDescriptor: Int32, family: AddressFamily, _ protocol: DatagramProtocol, maxPacketSize: Int = 8192
    ) throws -> any DatagramTransport {
        let address: Address = switch family {
        case .inet: .ipv4("0.0.0.0", 0)
        case .inet6: .ipv6("::", 0)
        case .unix: .unix(.unnamed)
        }
        let transport = FakeDatagramTransport(address: address, maxPacketSize: maxPacketSize)
        try transport.attach(`protocol`)
        adoptedDatagramPorts.append(AdoptDatagramCall(
            fileDescriptor: fileDescriptor, family: family, maxPacketSize: maxPacketSize, transport: transport
        ))
        return transport
    }
}
