// A first program as a new user writes it: top-level code (main-actor isolated in Swift 6) makes
// a Deferred from an async body, with a timeout, and runs the reactor on the main thread. The
// body must run while the reactor runs, and the Deferred fire with its value: prints "body", then
// "fired: 1". (Run by Tests/PoetryTests/SnippetExecutableTests.swift.)
import Twist

let reactor = Reactor()
_ = Deferred(on: reactor) { () -> Int in print("body"); return 1 }
    .addTimeout(0.5, clock: reactor)
    .addBoth { print("fired:", $0); try reactor.stop() }
reactor.callLater(2) { print("never fired"); try reactor.stop() }
try reactor.run()
