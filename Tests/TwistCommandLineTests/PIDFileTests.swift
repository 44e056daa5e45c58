import Foundation
import Testing
import TwistCommandLine

@Suite struct PIDFileTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("twist-pidfile-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        return url
    }()

    @Test func claimWritesThePidAndReleaseRemovesIt() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = PIDFile(path: directory.appendingPathComponent("a.pid").path)
        try file.claim()
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        #expect(text == "\(getpid())\n")
        file.release()
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }

    @Test func aStaleFileIsReplacedAndALiveOneRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("b.pid").path
        // A pid that is not running: a child that has been reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        try "\(child.processIdentifier)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try PIDFile(path: path).claim()
        #expect(PIDFile(path: path).recordedPID() == getpid())
        // pid 1 is always alive.
        try "1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let refused = #expect(throws: PIDFileError.self) { try PIDFile(path: path).claim() }
        #expect(refused?.description == "already running: pidfile \(path) names live process 1")
        // Release leaves a file that names someone else.
        PIDFile(path: path).release()
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func anUnwritablePathSaysWhy() {
        let path = "/nonexistent-twist-dir/x.pid"
        let error = #expect(throws: PIDFileError.self) { try PIDFile(path: path).claim() }
        #expect(error?.description == "cannot write pidfile \(path): No such file or directory")
    }
}
