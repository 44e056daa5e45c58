import TwistCore

/// The `ssl:` server type and the `tls:` client type, registered with ``EndpointParsers`` by
/// ``TLSEndpoints/register()`` (which every `Reactor` calls when it is created).
public enum TLSEndpoints {
    private static let registration: Void = {
        EndpointParsers.register(server: "ssl", parseServer)
        EndpointParsers.register(client: "tls", parseClient)
    }()

    /// Registers `ssl:` (servers) and `tls:` (clients) with the endpoint registry; only the first
    /// call does anything. A program that parses descriptions with a reactor other than
    /// `Reactor` (a test's `MemoryReactor`) calls it first.
    public static func register() {
        registration
    }

    /// `ssl:PORT[:INTERFACE[:BACKLOG]]` with keys `privateKey` (a PEM file, default `server.pem`),
    /// `certKey` (the certificate's PEM file, default: the key's file), `extraCertChain` (PEM
    /// file of intermediates, sent after the leaf), `dhParameters` (a PEM file of Diffie-Hellman
    /// parameters, as `openssl dhparam` writes, for TLS 1.2's DHE suites), and TCP's `port`,
    /// `interface`, `backlog`.
    /// The files are loaded while parsing, so a bad file is an error here, not at the first
    /// connection.
    static func parseServer(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ServerEndpoint {
        let arguments = try EndpointArguments(
            description, parameters: ["port", "interface", "backlog", "privateKey", "certKey", "extraCertChain", "dhParameters"]
        )
        let keyFile = arguments["privateKey"] ?? "server.pem"
        let certificateFile = arguments["certKey"] ?? keyFile
        let identity: TLSIdentity
        do {
            identity = try TLSIdentity(
                certificateFile: certificateFile, privateKeyFile: keyFile, extraChainFile: arguments["extraCertChain"]
            )
        } catch {
            throw .invalidValue(type: description.typeName, name: "privateKey", value: keyFile, expected: "PEM files with a certificate and its key (\(error))")
        }
        var options = TLSServerOptions(identity: identity)
        if let path = arguments["dhParameters"] {
            do {
                options.dhParameters = try TLSDiffieHellmanParameters(pemFile: path)
            } catch {
                throw .invalidValue(type: description.typeName, name: "dhParameters", value: path, expected: "a PEM file of Diffie-Hellman parameters (\(error))")
            }
        }
        let context: TLSContext
        do {
            context = try TLSContext(options)
        } catch {
            throw .invalidValue(type: description.typeName, name: "privateKey", value: keyFile, expected: "a key matching the certificate (\(error))")
        }
        let tcp = TCP4ServerEndpoint(
            reactor: reactor, port: try arguments.integer("port"), backlog: try arguments.integer("backlog", default: 50),
            interface: arguments["interface"] ?? ""
        )
        return TLSServerEndpoint(wrapping: tcp, context: context, clock: reactor)
    }

    /// `tls:HOST:PORT` with keys `host`, `port`, `timeout` (seconds, 30), `bindAddress`,
    /// `trustRoots` (a directory of PEM CA files; default: the system's trust store),
    /// `certificate` and `privateKey` (PEM files of a client certificate, given together). The
    /// server is always verified as HOST (SNI too, for a name). The connection is made like
    /// `tcp:HOST:PORT`'s.
    static func parseClient(
        _ reactor: any EndpointReactor, _ description: EndpointDescription
    ) throws(EndpointDescriptionError) -> any ClientEndpoint {
        let arguments = try EndpointArguments(
            description, parameters: ["host", "port", "timeout", "bindAddress", "trustRoots", "certificate", "privateKey"]
        )
        let host = try arguments.required("host")
        var options = TLSClientOptions()
        if let directory = arguments["trustRoots"] {
            do {
                options.trustRoots = .certificates(try TLSCertificate.all(inPEMDirectory: directory))
            } catch {
                throw .invalidValue(type: description.typeName, name: "trustRoots", value: directory, expected: "a directory of PEM CA certificates (\(error))")
            }
        }
        switch (arguments["certificate"], arguments["privateKey"]) {
        case (nil, nil):
            break
        case (let certificate?, let key?):
            do {
                options.identity = try TLSIdentity(certificateFile: certificate, privateKeyFile: key)
            } catch {
                throw .invalidValue(type: description.typeName, name: "certificate", value: certificate, expected: "PEM files with a certificate and its key (\(error))")
            }
        case (nil, _):
            throw .missingArgument(type: description.typeName, name: "certificate")
        case (_, nil):
            throw .missingArgument(type: description.typeName, name: "privateKey")
        }
        let context: TLSContext
        do {
            context = try TLSContext(options)
        } catch {
            throw .invalidValue(type: description.typeName, name: "certificate", value: arguments["certificate"] ?? "", expected: "a usable TLS client setup (\(error))")
        }
        let tcp = TCP4ClientEndpoint(
            reactor: reactor, host: host, port: try arguments.integer("port"),
            timeout: try arguments.seconds("timeout", default: 30), bindAddress: try arguments.ipAddress("bindAddress")
        )
        return TLSClientEndpoint(wrapping: tcp, context: context, serverName: host, clock: reactor)
    }
}
