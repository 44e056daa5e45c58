import ArgumentParser
import Twist

/// One `--listen` value of echo-udp: `udp:PORT[:interface=HOST][:maxPacketSize=N]`, read with the
/// endpoint registry's description grammar (``EndpointDescription``, ``EndpointArguments``:
/// escapes, positionals or keys, the same error texts). The registry itself builds stream
/// endpoints, which listen with a `Factory`; a UDP port serves one `DatagramProtocol`, so `udp`
/// is parsed here rather than registered there.
struct UDPListenDescription {
    /// The port; 0 picks a free one.
    let port: Int
    /// "" for every IPv4 interface, or a numeric address.
    let interface: String
    /// The receive size per datagram.
    let maxPacketSize: Int

    /// The parts as given (for `--port`/`--iface`).
    init(port: Int, interface: String, maxPacketSize: Int) {
        self.port = port
        self.interface = interface
        self.maxPacketSize = maxPacketSize
    }

    /// Reads `text`.
    ///
    /// - Throws: a `ValidationError` naming the description when it is not a `udp:` one or its
    ///   arguments are wrong.
    init(_ text: String) throws {
        do {
            let description = try EndpointDescription(parsing: text)
            guard description.typeName.lowercased() == "udp" else {
                throw ValidationError("bad --listen '\(text)': echo-udp listens on udp:PORT[:interface=HOST] only")
            }
            let arguments = try EndpointArguments(description, parameters: ["port", "interface", "maxPacketSize"])
            port = try arguments.integer("port")
            interface = arguments["interface"] ?? ""
            maxPacketSize = try arguments.integer("maxPacketSize", default: 8192)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("bad --listen '\(text)': \(error)")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("bad --listen '\(text)': port \(port) is out of range") }
    }
}
