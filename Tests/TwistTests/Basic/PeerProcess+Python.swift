/// What the Python Twisted peers of the interop suites share: checking that Twisted imports, and
/// running a peer script to its end.
extension PeerProcess {
    /// True when `python3 -c statement` exits 0 (an import check; callers keep the answer).
    static func pythonSucceeds(_ statement: String) -> Bool {
        guard let process = try? PeerProcess.start("python3", ["-c", statement]) else { return false }
        process.process.waitUntilExit()
        return process.process.terminationStatus == 0
    }

    /// Runs `python3 script arguments…` to its end (the scripts bound themselves to 30 s; it is
    /// killed after 40 s) and returns its exit status (-1 if killed) and its output.
    static func runPython(_ script: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let peer = try PeerProcess.start("python3", [script] + arguments)
        let collected = peer.collectOutput()
        let status = await peer.waitForExit(timeout: 40)
        return (status ?? -1, await collected.value)
    }
}
