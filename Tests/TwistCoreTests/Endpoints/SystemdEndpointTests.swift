import Glibc
import Testing
import TwistCore
import TwistTesting

/// A descriptor of a fresh pipe's read end, moved to a number at or above 1000 (where nothing
/// else in the test process is put by the kernel, which hands out the lowest free number), so a
/// test can tell that the endpoint closed it without racing parallel tests for the number. The
/// write end is closed.
private func highDescriptor() -> Int32 {
    var ends: [Int32] = [0, 0]
    precondition(pipe(&ends) == 0, "pipe failed: errno \(errno)")
    let high = fcntl(ends[0], F_DUPFD_CLOEXEC, 1000 + Int32.random(in: 0..<2000))
    precondition(high >= 0, "fcntl failed: errno \(errno)")
    close(ends[0])
    close(ends[1])
    return high
}

/// True when `fd` is an open descriptor.
private func isOpen(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) >= 0 }

/// An adoption that always throws, as a reactor does for a descriptor of the wrong kind.
private final class RefusingAdoption: ReactorSocketAdoption {
    func adoptStreamPort(_ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory) throws -> any ListeningPort {
        throw CannotListenError(interface: "", port: 0, "it is not a socket", osError: ENOTSOCK)
    }

    func adoptStreamConnection(_ fileDescriptor: Int32, family: AddressFamily, _ factory: Factory) throws {
        throw CannotAdoptError("it is not a socket", osError: ENOTSOCK)
    }

    func adoptDatagramPort(
        _ fileDescriptor: Int32, family: AddressFamily, _ protocol: DatagramProtocol, maxPacketSize: Int
    ) throws -> any DatagramTransport {
        throw CannotAdoptError("it is not a socket", osError: ENOTSOCK)
    }
}

@Suite("ListenFDs: what socket activation hands over (item 63)")
struct ListenFDsTests {
    @Test func descriptorsFrom3AndNamesWhenLISTEN_PIDIsThisProcess() {
        let fds = ListenFDs(
            environment: ["LISTEN_PID": "42", "LISTEN_FDS": "3", "LISTEN_FDNAMES": "web:admin:web"], processID: 42
        )
        #expect(fds.descriptors == [3, 4, 5])
        #expect(fds.names == ["web", "admin", "web"])
        #expect(fds.descriptor(at: 0) == 3 && fds.descriptor(at: 2) == 5)
        #expect(fds.descriptor(at: 3) == nil && fds.descriptor(at: -1) == nil)
        #expect(fds.descriptor(named: "admin") == 4)
        #expect(fds.descriptor(named: "web") == 3)  // the first of two with one name
        #expect(fds.descriptor(named: "db") == nil)
    }

    @Test(arguments: [
        ["LISTEN_PID": "41", "LISTEN_FDS": "2"],  // another process's sockets
        ["LISTEN_FDS": "2"],  // no LISTEN_PID
        ["LISTEN_PID": "42"],  // no LISTEN_FDS
        ["LISTEN_PID": "042x", "LISTEN_FDS": "2"],
        ["LISTEN_PID": "42", "LISTEN_FDS": "two"],
        ["LISTEN_PID": "42", "LISTEN_FDS": "-1"],
        ["LISTEN_PID": "42", "LISTEN_FDS": "1000000"],
        [:],
    ])
    func nothingIsInheritedUnlessLISTEN_PIDIsThisProcessAndLISTEN_FDSACount(environment: [String: String]) {
        let fds = ListenFDs(environment: environment.merging(["LISTEN_FDNAMES": "a:b"]) { old, _ in old }, processID: 42)
        #expect(fds.descriptors.isEmpty)
        #expect(fds.descriptor(at: 0) == nil && fds.descriptor(named: "a") == nil)
    }

    @Test func withoutOneNamePerDescriptorTheDescriptorsStayAndTheNamesGo() {
        let unset = ListenFDs(environment: ["LISTEN_PID": "7", "LISTEN_FDS": "2"], processID: 7)
        #expect(unset.descriptors == [3, 4] && unset.names == nil)
        let tooFew = ListenFDs(environment: ["LISTEN_PID": "7", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "one"], processID: 7)
        #expect(tooFew.descriptors == [3, 4] && tooFew.names == nil)
        #expect(tooFew.descriptor(named: "one") == nil)
        let empty = ListenFDs(environment: ["LISTEN_PID": "7", "LISTEN_FDS": "2", "LISTEN_FDNAMES": ":"], processID: 7)
        #expect(empty.names == ["", ""])
    }
}

@Suite("The systemd: server type (item 63)")
struct SystemdDescriptionTests {
    let reactor = MemoryReactor()
    let sockets = ListenFDs(descriptors: [3, 4, 5], names: ["http", "admin", "local"])

    /// Parses `text` as the `systemd` parser over `sockets` would (the type name is taken from the
    /// text, so any case can be tried).
    private func parse(_ text: String, _ sockets: ListenFDs? = nil) throws(EndpointDescriptionError) -> AdoptedStreamServerEndpoint {
        let inherited = sockets ?? self.sockets
        let parser = EndpointParsers.systemdServerParser { inherited }
        let endpoint = try parser(reactor, try EndpointDescription(parsing: text))
        return endpoint as! AdoptedStreamServerEndpoint
    }

    @Test func isABuiltInServerTypeInAnyCase() {
        #expect(EndpointParsers.serverPrefixes.contains("systemd"))
        #expect(EndpointParsers.serverParser(for: "SystemD") != nil)
        #expect(EndpointParsers.clientParser(for: "systemd") == nil)
    }

    @Test(arguments: [
        ("systemd:domain=INET:index=0", 3, AddressFamily.inet, "systemd:domain=INET:index=0"),
        ("systemd:domain=INET6:index=2", 5, .inet6, "systemd:domain=INET6:index=2"),
        ("systemd:index=1:domain=UNIX", 4, .unix, "systemd:domain=UNIX:index=1"),
        ("systemd:domain=UNIX:name=local", 5, .unix, "systemd:domain=UNIX:name=local"),
        ("systemd:domain=INET:name=admin", 4, .inet, "systemd:domain=INET:name=admin"),
        ("systemd:INET:1", 4, .inet, "systemd:domain=INET:index=1"),
        ("systemd:INET:name=http", 3, .inet, "systemd:domain=INET:name=http"),
        ("SYSTEMD:domain=INET:index=0", 3, .inet, "SYSTEMD:domain=INET:index=0"),
    ])
    func goodDescriptionsMakeAnAdoptedEndpointForTheInheritedDescriptor(
        text: String, descriptor: Int32, family: AddressFamily, description: String
    ) throws {
        let endpoint = try parse(text)
        #expect(endpoint.fileDescriptor == descriptor)
        #expect(endpoint.family == family)
        #expect(endpoint.description == description)
        #expect(endpoint.reactor === reactor)
        #expect(!endpoint.hasListened)
        #expect(reactor.adoptedPorts.isEmpty)  // parsing adopts nothing
    }

    @Test(arguments: [
        ("systemd:index=0", EndpointDescriptionError.missingArgument(type: "systemd", name: "domain")),
        ("systemd:domain=:index=0", .missingArgument(type: "systemd", name: "domain")),
        ("systemd:domain=inet:index=0", .invalidValue(type: "systemd", name: "domain", value: "inet", expected: "INET, INET6 or UNIX")),
        ("systemd:domain=AF_INET:index=0", .invalidValue(type: "systemd", name: "domain", value: "AF_INET", expected: "INET, INET6 or UNIX")),
        ("systemd:domain=INET", .missingArgument(type: "systemd", name: "index or name")),
        ("systemd:domain=INET:index=0:name=http", .invalidValue(
            type: "systemd", name: "name", value: "http", expected: "left out when index is given (give one of index and name)"
        )),
        ("systemd:domain=INET:index=zero", .invalidValue(type: "systemd", name: "index", value: "zero", expected: "an integer")),
        ("systemd:domain=INET:index=3", .invalidValue(
            type: "systemd", name: "index", value: "3", expected: "an index from 0 to 2 (LISTEN_FDS is 3)"
        )),
        ("systemd:domain=INET:index=-1", .invalidValue(
            type: "systemd", name: "index", value: "-1", expected: "an index from 0 to 2 (LISTEN_FDS is 3)"
        )),
        ("systemd:domain=INET:name=db", .invalidValue(
            type: "systemd", name: "name", value: "db", expected: "the name of an inherited socket (http, admin, local)"
        )),
        ("systemd:domain=INET:name=", .missingArgument(type: "systemd", name: "name")),
        ("systemd:domain=INET:index=0:fd=3", .unknownKey(type: "systemd", key: "fd")),
        ("systemd:INET:0:http:extra", .tooManyArguments(type: "systemd", piece: "extra")),
        ("systemd:INET:index=0:domain=INET", .duplicateArgument(type: "systemd", name: "domain")),
    ])
    func badDescriptionsNameTheWrongPiece(text: String, error: EndpointDescriptionError) {
        #expect(throws: error) { try parse(text) }
    }

    @Test func withNothingInheritedEveryIndexAndNameIsAnErrorSayingSo() {
        // What a process whose LISTEN_PID names another process sees.
        let none = ListenFDs(environment: ["LISTEN_PID": "1", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "a:b"], processID: 2)
        #expect(throws: EndpointDescriptionError.invalidValue(
            type: "systemd", name: "index", value: "0",
            expected: "the index of an inherited socket, but this process inherited none (LISTEN_FDS and LISTEN_PID)"
        )) { try parse("systemd:domain=INET:index=0", none) }
        #expect(throws: EndpointDescriptionError.self) { try parse("systemd:domain=INET:name=a", none) }
    }

    @Test func withoutNamesAnIndexStillWorksAndANameSaysNoneIsNamed() throws {
        let unnamed = ListenFDs(environment: ["LISTEN_PID": "9", "LISTEN_FDS": "2"], processID: 9)
        #expect(try parse("systemd:domain=INET:index=1", unnamed).fileDescriptor == 4)
        #expect(throws: EndpointDescriptionError.invalidValue(
            type: "systemd", name: "name", value: "http",
            expected: "the name of an inherited socket, but none is named (LISTEN_FDNAMES unset, or not one name per socket)"
        )) { try parse("systemd:domain=INET:name=http", unnamed) }
        let error = EndpointDescriptionError.invalidValue(type: "systemd", name: "index", value: "5", expected: "an index from 0 to 1 (LISTEN_FDS is 2)")
        #expect(error.description == "systemd: index must be an index from 0 to 1 (LISTEN_FDS is 2), not '5'")
    }

    @Test func serverFromStringReachesTheSystemdParser() {
        // A mistake caught before the inherited sockets are read, so the process environment is
        // left alone.
        #expect(throws: EndpointDescriptionError.unknownKey(type: "systemd", key: "bogus")) {
            try serverFromString(reactor, "systemd:domain=INET:index=0:bogus=1")
        }
    }
}

@Suite("AdoptedStreamServerEndpoint (item 54)")
struct AdoptedStreamServerEndpointTests {
    let reactor = MemoryReactor()
    let factory = Factory { Protocol() }

    @Test func listenAdoptsTheDescriptorThenClosesTheOriginal() throws {
        let fd = highDescriptor()
        let endpoint = AdoptedStreamServerEndpoint(reactor: reactor, fileDescriptor: fd, family: .inet6)
        #expect(endpoint.description == "adopted:fd=\(fd):domain=INET6")
        #expect(isOpen(fd) && reactor.adoptedPorts.isEmpty)
        let listening = endpoint.listen(factory)
        let port = try #require(listening.successValue)
        #expect(port.address == .ipv6("::", 0))
        let call = try #require(reactor.adoptedPorts.first)
        #expect(call.fileDescriptor == fd && call.family == .inet6 && call.factory === factory)
        #expect(!isOpen(fd))
        #expect(endpoint.hasListened)
    }

    @Test func aSecondListenFailsWithAlreadyListenedAndAdoptsNothing() throws {
        let fd = highDescriptor()
        let endpoint = AdoptedStreamServerEndpoint(reactor: reactor, fileDescriptor: fd, family: .unix)
        #expect(endpoint.listen(factory).successValue != nil)
        let again = endpoint.listen(factory)
        #expect(again.hasFired)
        #expect(again.failure?.check(AlreadyListened.self) != nil)
        again.swallow()
        #expect(reactor.adoptedPorts.count == 1)
    }

    @Test func anAdoptionErrorFailsTheDeferredAndLeavesTheDescriptorOpen() {
        let fd = highDescriptor()
        defer { close(fd) }
        let endpoint = AdoptedStreamServerEndpoint(reactor: RefusingAdoption(), fileDescriptor: fd, family: .inet)
        let listening = endpoint.listen(factory)
        #expect(listening.hasFired)
        #expect(listening.failure?.check(CannotListenError.self)?.osError == ENOTSOCK)
        listening.swallow()
        #expect(isOpen(fd))
        let again = endpoint.listen(factory)
        #expect(again.failure?.check(AlreadyListened.self) != nil)
        again.swallow()
    }
}
