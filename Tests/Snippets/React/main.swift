// A program whose whole main is one async function under `react` (Twisted's `task.react`): the
// exit status is the outcome. The first argument picks it: "ok" sleeps on the reactor's clock and
// exits 0, "exit5" throws SystemExit(5), "fail" throws an error (logged, status 1).
// (Run by Tests/PoetryTests/SnippetExecutableTests.swift.)
import Twist

struct Refused: Error {}

let mode = CommandLine.arguments.dropFirst().first ?? "ok"
react { reactor in
    try await deferLater(reactor, 0.05).value()
    switch mode {
    case "exit5": throw SystemExit(5)
    case "fail": throw Refused()
    default: print("main finished on the reactor thread: \(reactor.isInReactorThread)")
    }
}
