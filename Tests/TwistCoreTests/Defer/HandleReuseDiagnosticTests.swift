import Foundation
import Testing
import TwistTestSupport

/// Issue 21, finding 3: the Python habit `d.addCallback(gotPoem); d.addBoth(poemDone)` reuses a
/// handle whose type the chain has left. These tests type-check small programs against the
/// TwistCore module this test binary was built with and read the compiler's diagnostics: dropping
/// the handle a type-changing stage returns must be reported at that line, while the forms that
/// keep every handle valid must compile silently.
@Suite(.serialized) struct HandleReuseDiagnosticTests {
    /// The directory of the built modules next to this test binary.
    static let modules = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("Modules")

    /// Type-checks `source` (which imports TwistCore) and returns what the compiler printed. The
    /// compiler runs for seconds: it is waited for on a thread of its own, never on one of the
    /// few threads every async test shares (two blocked there stalled the whole suite).
    static func typeCheck(_ source: String) async throws -> (status: Int32, diagnostics: String) {
        try await onOwnThread { Result { try typeCheckBlocking(source) } }.get()
    }

    private static func typeCheckBlocking(_ source: String) throws -> (status: Int32, diagnostics: String) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("handle-reuse-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("main.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-typecheck", "-swift-version", "6", "-I", modules.path, file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.timeLimit(.minutes(1)))
    func droppingTheHandleOfATypeChangingStageIsReportedAtThatLine() async throws {
        let result = try await Self.typeCheck(
            """
            import TwistCore
            func gotPoem(_ poem: String) { print(poem) }
            func client7(_ d: Deferred<String>) {
                d.addCallback(gotPoem)
                d.addBoth { _ in print("done") }
                d.addCallbacks({ $0.count }, { _ in 0 })
            }
            """
        )
        #expect(result.status == 0, "\(result.diagnostics)")
        #expect(result.diagnostics.contains("main.swift:4:7: warning: result of call to 'addCallback' is unused"))
        #expect(result.diagnostics.contains("main.swift:5:7: warning: result of call to 'addBoth' is unused"))
        #expect(result.diagnostics.contains("main.swift:6:7: warning: result of call to 'addCallbacks' is unused"))
    }

    @Test(.timeLimit(.minutes(1)))
    func theFormsThatKeepEveryHandleValidCompileWithoutADiagnostic() async throws {
        let result = try await Self.typeCheck(
            """
            import TwistCore
            struct Problem: Error {}
            func gotPoem(_ poem: String) { print(poem) }
            func chained(_ d: Deferred<String>) -> Deferred<Void> {
                d.addCallback(gotPoem).addBoth { _ in print("done") }
            }
            func kept(_ d: Deferred<String>) {
                d.addErrback { _ in "" }
                let poem = d.addCallback(gotPoem)
                _ = poem.addBoth { _ in print("done") }
            }
            func void(_ d: Deferred<Void>) {
                d.addCallback { print("fired") }
                d.addBoth { _ in print("ended") }
                d.addErrback { _ in throw Problem() }
            }
            """
        )
        #expect(result.status == 0, "\(result.diagnostics)")
        #expect(!result.diagnostics.contains("warning"), "\(result.diagnostics)")
        #expect(!result.diagnostics.contains("error"), "\(result.diagnostics)")
    }
}
