import Poetry
import Testing

/// `[host:]port` and `tcp:`/`unix:` description parsing, as every poetry program takes addresses.
@Suite struct PoetryAddressTests {
    @Test func aBarePortMeansTheLoopbackAddress() throws {
        #expect(try PoetryAddress(parsing: "10000") == PoetryAddress(host: "127.0.0.1", port: 10000))
    }

    @Test func aHostBeforeTheFirstColonIsKept() throws {
        #expect(try PoetryAddress(parsing: "example.org:79") == PoetryAddress(host: "example.org", port: 79))
        #expect(try PoetryAddress(parsing: "[::1]:8000") == PoetryAddress(host: "::1", port: 8000))
        #expect("\(try PoetryAddress(parsing: "[::1]:8000"))" == "[::1]:8000")
    }

    @Test(arguments: ["", "abc", "host:", "host:12a", ":80", "1:2:3", "70000", "0", "[::1]", "[::1:80", "-5"])
    func badAddressesAreRefusedWithAReason(_ text: String) {
        #expect(throws: PoetryAddressError.self) { try PoetryAddress(parsing: text) }
    }

    @Test func aNonNumericPortGivesTheIntrosMessage() {
        do {
            _ = try PoetryAddress(parsing: "localhost:http")
            Issue.record("parsed")
        } catch {
            #expect(error.reason == "Ports must be integers.")
        }
    }

    @Test func clientDescriptionsNameTCPAndUNIXServers() throws {
        #expect(try PoetryAddress(parsing: "tcp:example.org:79") == PoetryAddress(host: "example.org", port: 79))
        #expect(try PoetryAddress(parsing: "tcp:host=example.org:port=79") == PoetryAddress(host: "example.org", port: 79))
        #expect(try PoetryAddress(parsing: "tcp:79:host=example.org") == PoetryAddress(host: "example.org", port: 79))
        #expect(try PoetryAddress(parsing: "TCP:host=\\:\\:1:port=8000") == PoetryAddress(host: "::1", port: 8000))
        #expect(try PoetryAddress(parsing: "unix:/run/poems.sock") == PoetryAddress(unixPath: "/run/poems.sock"))
        #expect(try PoetryAddress(parsing: "unix:path=/run/poems.sock") == PoetryAddress(unixPath: "/run/poems.sock"))
        #expect("\(PoetryAddress(unixPath: "/run/poems.sock"))" == "unix:/run/poems.sock")
    }

    @Test(arguments: [
        ("tcp:example.org", "missing"), ("tcp:example.org:http", "Ports must be integers."),
        ("tcp:h:80:timeout=5", "timeout"), ("unix:", "path"), ("unix:/a:/b", "/b"), ("tcp:h:0", "between 1 and 65535"),
    ])
    func badDescriptionsSayWhichPieceIsWrong(_ text: String, _ says: String) {
        do {
            _ = try PoetryAddress(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect("\(error)".contains(says), "\(text): \(error)")
        }
    }
}
