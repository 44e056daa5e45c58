import Foundation
import Poetry
import Testing

/// The real executables, end to end over loopback (poetry.md §7), and their argument errors.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ExecutableTests {
    static let poems = try! BundledPoems.all()
    static func path(_ name: String) -> String { poems.first { $0.name == name }!.path }

    /// Bad command lines: each exits with status 2 and says what is wrong on stderr.
    static let badCommandLines: [(tool: String, arguments: [String], says: String)] = [
        ("fastpoetry", [], "Missing expected argument"),
        ("fastpoetry", ["/no/such/poem.txt"], "No such file: /no/such/poem.txt"),
        ("fastpoetry", ["--port", "70000", path("hope")], "--port must be between 0 and 65535"),
        ("fastpoetry", ["--port", "ten", path("hope")], "ten"),
        ("fastpoetry", ["--listen", "bogus:1", path("hope")], "bad --listen 'bogus:1': Unknown endpoint type: 'bogus'"),
        ("slowpoetry", ["--listen", "unix:", path("hope")], "bad --listen 'unix:'"),
        ("transformedpoetry", ["--listen", "tcp:http"], "bad --listen 'tcp:http'"),
        ("poetry-proxy", ["--listen", "TCP:1", "10000"], "bad --listen 'TCP:1'"),
        ("slowpoetry", ["--num-bytes", "0", path("hope")], "--num-bytes must be at least 1"),
        ("slowpoetry", ["--delay=-1", path("hope")], "--delay must be a non-negative"),
        ("slowpoetry", [path("hope"), path("hope")], "Unexpected argument"),
        ("transformedpoetry", ["extra"], "Unexpected argument"),
        ("transformedpoetry", ["--transform", "sonnetize"], "no such transform: 'sonnetize'"),
        ("poetry-proxy", [], "Missing expected argument"),
        ("poetry-proxy", ["localhost:http"], "Ports must be integers."),
        ("get-poetry", [], "give at least one poetry server address"),
        ("get-poetry", ["10000:"], "Ports must be integers."),
        ("get-poetry", ["--style", "twisted", "10000"], "twisted"),
        ("get-poetry", ["--transform", "a.b", "10000"], "--transform must be a non-empty name without '.'"),
        ("get-poetry", ["--xform-server", "x:y", "10000"], "Ports must be integers."),
        ("get-poetry", ["--frobnicate", "10000"], "Unknown option"),
    ]

    @Test(arguments: badCommandLines.indices)
    func aBadCommandLineExitsWithStatus2AndAClearMessage(_ index: Int) async throws {
        let (tool, arguments, says) = Self.badCommandLines[index]
        let result = try await runTool(tool, arguments)
        #expect(result.status == 2, "\(tool) \(arguments)")
        #expect(result.stderr.contains(says), "\(tool) \(arguments): \(result.stderr)")
        #expect(result.stderr.lowercased().contains("usage: \(tool)"))
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: ["fastpoetry", "slowpoetry", "transformedpoetry", "poetry-proxy", "get-poetry"])
    func helpExplainsAndExitsZero(_ tool: String) async throws {
        let result = try await runTool(tool, ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("OVERVIEW:"))
        #expect((result.stdout.contains("--port") && result.stdout.contains("--listen")) || tool == "get-poetry")
    }

    @Test func theFullScenarioInEveryStyleThenWithServersDown() async throws {
        let fast = try await ServerProcess("fastpoetry", [Self.path("the-tyger")])
        defer { fast.stop() }
        let slow = try await ServerProcess("slowpoetry", ["--num-bytes", "40", "--delay", "0.005", Self.path("die-lorelei")])
        defer { slow.stop() }
        let xform = try await ServerProcess("transformedpoetry", [])
        defer { xform.stop() }
        let proxy = try await ServerProcess("poetry-proxy", ["127.0.0.1:\(fast.port)"])
        defer { proxy.stop() }
        #expect(fast.printed == "Serving \(Self.path("the-tyger")) on 127.0.0.1:\(fast.port).\n")
        #expect(xform.printed == "Serving transforms on 127.0.0.1:\(xform.port).\n")

        let tyger = PoemTransforms.cummingsify(try BundledPoems.poem(named: "the-tyger").text) + "\n"
        let lorelei = PoemTransforms.cummingsify(try BundledPoems.poem(named: "die-lorelei").text) + "\n"
        for style in GetPoetryStyle.allCases {
            let result = try await runTool("get-poetry", ["--style", style.rawValue, "--xform-server", "\(xform.port)", "\(fast.port)", "\(slow.port)", "\(proxy.port)"])
            #expect(result.status == 0, "\(style)")
            #expect(result.stderr.isEmpty, "\(style): \(result.stderr)")
            // Poems are printed as they complete, so in any order, but each whole.
            #expect(result.stdout.count == 2 * tyger.count + lorelei.count)
            #expect(result.stdout.components(separatedBy: tyger).count == 3, "\(style)")
            #expect(result.stdout.contains(lorelei))
        }
        #expect(proxy.printed.contains("Fetching poem from server.\nUsing cached poem.\nUsing cached poem.\n"))
        #expect(slow.printed.contains("wants poetry!"))

        // The transform server down: originals on stdout, the failure on stderr, status 0.
        let noTransform = try await runTool("get-poetry", ["--style", "list", "--xform-server", "1", "\(fast.port)"])
        #expect(noTransform.status == 0)
        #expect(noTransform.stdout == (try BundledPoems.poem(named: "the-tyger").text) + "\n")
        #expect(noTransform.stderr == "Cummingsify failed!\n")

        // A poetry server down: the failure reported, the other poem printed, status 1.
        let oneDown = try await runTool("get-poetry", ["--style", "async", "--xform-server", "\(xform.port)", "1", "\(fast.port)"])
        #expect(oneDown.status == 1)
        #expect(oneDown.stdout == tyger)
        #expect(oneDown.stderr.hasPrefix("The poem download failed: connection was refused"))
        #expect(!oneDown.stderr.contains("Unhandled error"))
    }

    @Test func theWholeDemoOverUNIXSockets() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("poetry-unix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        func socket(_ name: String) -> String { directory.appendingPathComponent("\(name).sock").path }
        // Each server listens on TCP (the line ServerProcess waits for) and on a UNIX socket.
        let fast = try await ServerProcess("fastpoetry", ["--port", "0", "--listen", "unix:\(socket("fast"))", Self.path("hope")])
        defer { fast.stop() }
        let xform = try await ServerProcess("transformedpoetry", ["--port", "0", "--listen", "unix:\(socket("xform"))"])
        defer { xform.stop() }
        let proxy = try await ServerProcess("poetry-proxy", ["--port", "0", "--listen", "unix:\(socket("proxy"))", "unix:\(socket("fast"))"])
        defer { proxy.stop() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(fast.printed.hasSuffix("Serving \(Self.path("hope")) on unix:\(socket("fast")).\n"))
        #expect(proxy.printed.contains("Proxying unix:\(socket("fast")) on unix:\(socket("proxy")).\n"))

        let hope = PoemTransforms.cummingsify(try BundledPoems.poem(named: "hope").text) + "\n"
        let result = try await runTool("get-poetry", [
            "--xform-server", "unix:path=\(socket("xform"))", "unix:\(socket("proxy"))", "tcp:127.0.0.1:\(fast.port)",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == hope + hope)
        #expect(proxy.printed.contains("Fetching poem from server.\n"))

        // Nobody at a path: the download fails with the reason, status 1.
        let missing = try await runTool("get-poetry", ["unix:\(socket("nobody"))"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("The poem download failed: "), "\(missing.stderr)")
        #expect(missing.stderr.contains("unix:\(socket("nobody")): No such file or directory"), "\(missing.stderr)")
    }
}
