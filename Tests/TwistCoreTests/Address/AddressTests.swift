import Testing
import TwistCore
import TwistTesting

/// The one address type (spec transports §1 and the Twist choices of item 77).
@Suite struct AddressTests {
    @Test func ipAddressesCompareEveryFieldAndFamiliesNeverMeet() {
        #expect(Address.ipv4("127.0.0.1", 80) == .ipv4("127.0.0.1", 80))
        #expect(Address.ipv4("127.0.0.1", 80) != .ipv4("127.0.0.1", 81))
        #expect(Address.ipv4("127.0.0.1", 80) != .ipv4("127.0.0.2", 80))
        #expect(Address.ipv4("::1", 80) != .ipv6("::1", 80))
        #expect(Set<Address>([.ipv4("127.0.0.1", 80), .ipv4("127.0.0.1", 80), .ipv6("::1", 80)]).count == 2)
    }

    @Test func unixNamesAreBytesAndALeadingNulMakesAnAbstractName() {
        let path = UNIXAddress("/run/app.sock")
        #expect(path.name == .path(Array("/run/app.sock".utf8)))
        #expect(path.path == "/run/app.sock")
        #expect(!path.isAbstract)
        #expect(path.socketNameBytes == Array("/run/app.sock".utf8))

        let abstract = UNIXAddress("\0twist")
        #expect(abstract.name == .abstract(Array("twist".utf8)))
        #expect(abstract.isAbstract)
        #expect(abstract.path == nil)
        #expect(abstract.socketNameBytes == [0] + Array("twist".utf8))
        #expect(abstract.text == "\0twist")
        #expect(abstract != UNIXAddress("twist"))
    }

    @Test func theEmptyNameIsTheUnnamedAddressEverywhere() {
        // Twisted: UNIXAddress(None) != UNIXAddress(b""); the kernel reports an unnamed socket
        // with an empty name, so Twist makes the two one value (declared difference).
        #expect(UNIXAddress("") == .unnamed)
        #expect(UNIXAddress(name: .path([])) == .unnamed)
        #expect(UNIXAddress.unnamed != UNIXAddress("\0"))  // an abstract name may be empty
        #expect(UNIXAddress.unnamed.socketNameBytes.isEmpty)
        #expect(Address.unix(.unnamed) != .unix(UNIXAddress("x")))
    }

    @Test func unixEqualityNeverAsksTheFilesystem() {
        // Two spellings of one file are two addresses (Twisted compares inodes).
        #expect(UNIXAddress("/tmp/a.sock") != UNIXAddress("/tmp/../tmp/a.sock"))
        #expect(UNIXAddress("a.sock") != UNIXAddress("./a.sock"))
    }

    @Test func descriptionsSayWhatKindOfAddressItIs() {
        #expect("\(Address.ipv4("127.0.0.1", 8000))" == "127.0.0.1:8000")
        #expect("\(Address.ipv6("::1", 8000))" == "[::1]:8000")
        #expect("\(Address.unix("/run/app.sock"))" == "unix:/run/app.sock")
        #expect("\(Address.unix("\0name"))" == "unix:@name")
        #expect("\(Address.unix(.unnamed))" == "unix:(unnamed)")
        #expect("\(Address.hostname("example.com", port: 443))" == "example.com:443")
    }

    @Test func accessorsGiveTheCaseOrNil() {
        #expect(Address.ipv4("10.0.0.1", 1).ip == .ipv4("10.0.0.1", 1))
        #expect(Address.ipv4("10.0.0.1", 1).unix == nil)
        #expect(Address.unix("/x").unix == UNIXAddress("/x"))
        #expect(Address.unix("/x").ip == nil)
        #expect(Address.unix("/x").port == nil)
        #expect(Address.ipv6("::1", 9).port == 9)
        #expect(Address.hostname("h", port: 7).port == 7)
    }

    @Test func aDestinationIsAnIPAddressWhenNumericOtherwiseAName() {
        #expect(Address.destination(host: "127.0.0.1", port: 1) == .ipv4("127.0.0.1", 1))
        #expect(Address.destination(host: "::1", port: 1) == .ipv6("::1", 1))
        #expect(Address.destination(host: "[::1]", port: 1) == .ipv6("::1", 1))
        #expect(Address.destination(host: "0:0::1", port: 1) == .ipv6("::1", 1))  // canonical text
        #expect(Address.destination(host: "localhost", port: 1) == .hostname("localhost", port: 1))
        #expect(Address.destination(host: "256.0.0.1", port: 1) == .hostname("256.0.0.1", port: 1))
        #expect(IPAddress(numericHost: "example.org", port: 1) == nil)
    }

    @Test func memoryReactorRecordsUNIXCallsWithTwistedsDefaults() throws {
        let reactor = MemoryReactor()
        let factory = Factory { nil }
        let port = try reactor.listenUNIX("/tmp/x.sock", factory)
        #expect(port.address == .unix("/tmp/x.sock"))
        #expect(reactor.unixListenCalls.count == 1)
        #expect(reactor.unixListenCalls[0].backlog == 50)
        #expect(reactor.unixListenCalls[0].mode == 0o666)
        #expect(reactor.unixListenCalls[0].wantPID == false)

        let client = ClientFactory()
        let connector = reactor.connectUNIX("\0abstract", client, timeout: 5)
        #expect(connector.destination == .unix(UNIXAddress(name: .abstract(Array("abstract".utf8)))))
        #expect(reactor.unixConnectCalls[0].timeout == 5)
        #expect(reactor.unixConnectCalls[0].checkPID == false)
    }
}
