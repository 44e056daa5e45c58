import Testing
import TwistCore

/// Compile-time probes for `addCallback`'s two overloads (issue: "overload resolution of
/// addCallback"): each function below must type-check *without* annotations, so a change to the
/// overloads that breaks a common form fails the build; the tests then check each picks the
/// overload that gives Twisted's result.
///
/// A multi-statement closure that returns nothing, as the last stage of a function returning
/// `Deferred<Void>`, used to fail with "missing return in closure expected to return
/// 'Deferred<Void>'" (issue 21, finding 4): Swift picked the Deferred-returning overload, and
/// checks a closure's missing `return` only after choosing. `addCallback` and `addBoth` now have a
/// `Void` form, which such a closure picks; a closure returning a value or a Deferred (of
/// `Void` too) still picks the generic forms — the probes below pin each case.
@Suite struct CallbackOverloadProbeTests {
    /// A multi-statement closure returning nothing, as the last stage of a `Deferred<Void>`, with
    /// no annotation (the form issue 21 found failing).
    static func lastStageReturningNothing(_ d: Deferred<String>, _ seen: Box<[String]>) -> Deferred<Void> {
        d.addCallback { text in
            seen.value.append(text)
            seen.value.append("\(text.count)")
        }
    }

    /// A multi-statement closure returning a plain value, with the result type from context.
    static func multiStatementPlainValue(_ d: Deferred<String>) -> Deferred<Int> {
        d.addCallback { text in
            let count = text.count
            return count * 2
        }
    }

    /// Two multi-statement stages chained with no context at all.
    static func chainedWithoutContext(_ d: Deferred<String>) -> Deferred<Int> {
        let chained = d.addCallback { text in
            let count = text.count
            return count * 2
        }
        .addCallback { doubled in
            let more = doubled + 1
            return more
        }
        return chained
    }

    /// A multi-statement closure returning a Deferred, with the result type from context: the
    /// chain waits for it (Twisted's nested Deferred).
    static func multiStatementDeferredFromContext(_ d: Deferred<String>, _ inner: Deferred<Int>) -> Deferred<Int> {
        d.addCallback { text in
            _ = text
            return inner
        }
    }

    /// A one-expression closure returning a Deferred in an un-annotated chain.
    static func oneLineDeferredInAChain(_ d: Deferred<String>, _ inner: Deferred<Int>) -> Deferred<Int> {
        d.addCallback { _ in inner }.addCallback { $0 + 1 }
    }

    /// The same for `addBoth`: a body of several statements that returns nothing.
    static func bothReturningNothing(_ d: Deferred<String>, _ seen: Box<[String]>) -> Deferred<Void> {
        d.addBoth { result in
            if case .success(let text) = result { seen.value.append(text) }
            seen.value.append("both")
        }
    }

    /// A one-expression closure returning a `Deferred<Void>`: still the nested-Deferred form, so
    /// the chain waits for it (the `Void` form must not swallow it).
    static func oneLineDeferredOfVoid(_ d: Deferred<String>, _ inner: Deferred<Void>) -> Deferred<Void> {
        d.addCallback { _ in inner }
    }

    /// A side effect with no context at all, then more chaining.
    static func sideEffectThenMore(_ d: Deferred<String>, _ seen: Box<[String]>) -> Deferred<Int> {
        d.addCallback { seen.value.append($0) }.addCallback { _ in 7 }
    }

    /// Mutable storage the probes write to.
    final class Box<Value> {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    @Test func everyProbeTypeChecksAndGivesTwistedsResult() throws {
        let seen = Box<[String]>([])
        let last = Self.lastStageReturningNothing(succeed("abc"), seen)
        #expect(last.hasFired)
        #expect(seen.value == ["abc", "3"])

        #expect(Self.bothReturningNothing(succeed("x"), seen).hasFired)
        #expect(seen.value == ["abc", "3", "x", "both"])
        let innerVoid = Deferred<Void>()
        let waitingOnVoid = Self.oneLineDeferredOfVoid(succeed("y"), innerVoid)
        #expect(waitingOnVoid.isWaiting)
        try innerVoid.callback(())
        #expect(waitingOnVoid.hasFired && !waitingOnVoid.isWaiting)
        #expect(try #require(Self.sideEffectThenMore(succeed("z"), seen).currentResult).get() == 7)
        #expect(seen.value.last == "z")

        #expect(try #require(Self.multiStatementPlainValue(succeed("abcd")).currentResult).get() == 8)
        #expect(try #require(Self.chainedWithoutContext(succeed("ab")).currentResult).get() == 5)

        let inner = Deferred<Int>()
        let waiting = Self.multiStatementDeferredFromContext(succeed("x"), inner)
        #expect(waiting.isWaiting)  // paused on the inner Deferred
        try inner.callback(41)
        #expect(try #require(waiting.currentResult).get() == 41)

        let second = Deferred<Int>()
        let oneLine = Self.oneLineDeferredInAChain(succeed("y"), second)
        try second.callback(1)
        #expect(try #require(oneLine.currentResult).get() == 2)
    }
}
