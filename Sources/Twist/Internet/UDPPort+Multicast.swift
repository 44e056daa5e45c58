import CTwistShims
import Glibc
import TwistCore

extension UDPPort {
    /// The option level and names of this port's family: (level, loop, hops, interface).
    private var multicastOptions: (level: Int32, loop: Int32, hops: Int32, interface: Int32) {
        family == AF_INET6
            ? (Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, IPV6_MULTICAST_HOPS, IPV6_MULTICAST_IF)
            : (Int32(IPPROTO_IP), IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IP_MULTICAST_IF)
    }

    var loopbackMode: Bool { Sockets.option(fd, multicastOptions.level, multicastOptions.loop) != 0 }

    func setLoopbackMode(_ enabled: Bool) throws {
        try setMulticastOption(multicastOptions.loop, enabled ? 1 : 0, "loopback mode")
    }

    var ttl: Int { Int(Sockets.option(fd, multicastOptions.level, multicastOptions.hops)) }

    func setTTL(_ ttl: Int) throws {
        guard (0...255).contains(ttl) else { throw DatagramSendError("a multicast TTL is 0...255, not \(ttl)") }
        try setMulticastOption(multicastOptions.hops, Int32(ttl), "TTL")
    }

    func joinGroup(_ group: String, interface: String) -> Deferred<Void> {
        membership(join: true, group, interface)
    }

    func leaveGroup(_ group: String, interface: String) -> Deferred<Void> {
        membership(join: false, group, interface)
    }

    func setOutgoingInterface(_ interface: String) -> Deferred<Void> {
        do {
            guard state.isServing else { throw DatagramStateError("the port is not listening") }
            let result: Int32
            if family == AF_INET6 {
                var index = try Self.interfaceIndex(interface)
                result = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, &index, socklen_t(MemoryLayout<UInt32>.size))
            } else {
                var local = in_addr(s_addr: try Self.ipv4Interface(interface))
                result = setsockopt(fd, Int32(IPPROTO_IP), IP_MULTICAST_IF, &local, socklen_t(MemoryLayout<in_addr>.size))
            }
            guard result == 0 else {
                let error = SystemCallError("setsockopt")
                throw MulticastJoinError(group: "", interface: interface, "outgoing interface: \(error.reason)", osError: error.code)
            }
            return succeed(())
        } catch {
            return fail(error)
        }
    }

    /// Joins or leaves `group` on `interface`: a Deferred already fired.
    private func membership(join: Bool, _ group: String, _ interface: String) -> Deferred<Void> {
        do {
            guard state.isServing else { throw DatagramStateError("the port is not listening") }
            guard let target = SystemAddress(numericHost: group, port: 0), !group.isEmpty else {
                throw InvalidAddressError("\"\(group)\" is not a numeric multicast group address")
            }
            guard target.family == family else {
                throw InvalidAddressError("\(group) is not of this port's IP family")
            }
            let result: Int32
            if family == AF_INET6 {
                let index = try Self.interfaceIndex(interface)
                var raw = withUnsafeBytes(of: target.storage) { $0.load(as: sockaddr_in6.self) }.sin6_addr
                result = twist_ipv6_membership(fd, join ? 1 : 0, &raw, index)
            } else {
                let raw = withUnsafeBytes(of: target.storage) { $0.load(as: sockaddr_in.self) }.sin_addr.s_addr
                result = twist_ipv4_membership(fd, join ? 1 : 0, raw, try Self.ipv4Interface(interface))
            }
            guard result == 0 else {
                let error = SystemCallError(join ? "IP_ADD_MEMBERSHIP" : "IP_DROP_MEMBERSHIP")
                throw MulticastJoinError(group: group, interface: interface, error.reason, osError: error.code)
            }
            return succeed(())
        } catch {
            return fail(error)
        }
    }

    private func setMulticastOption(_ name: Int32, _ value: Int32, _ what: String) throws {
        guard Sockets.setOption(fd, multicastOptions.level, name, value) else {
            let error = SystemCallError("setsockopt")
            throw DatagramSendError("setting the multicast \(what): \(error.reason)", osError: error.code)
        }
    }

    /// An IPv4 interface given by its local address ("" for the kernel's choice), network order.
    private static func ipv4Interface(_ interface: String) throws -> UInt32 {
        var local = in_addr()
        guard interface.isEmpty || inet_pton(AF_INET, interface, &local) == 1 else {
            throw InvalidAddressError("an IPv4 multicast interface is its numeric local address, not \"\(interface)\"")
        }
        return local.s_addr
    }

    /// An IPv6 interface given by name or index ("" for the kernel's choice).
    private static func interfaceIndex(_ interface: String) throws -> UInt32 {
        if interface.isEmpty { return 0 }
        if let number = UInt32(interface) { return number }
        let index = if_nametoindex(interface)
        guard index != 0 else { throw InvalidAddressError("no network interface named \"\(interface)\"") }
        return index
    }
}
