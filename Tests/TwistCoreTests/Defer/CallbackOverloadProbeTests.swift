import Testing
import TwistCore

/// Compile-time probes for `addCallback`'s two overloads (issue: "overload resolution of
/// addCallback"): each function below must type-check *without* annotations, so a change to the
/// overloads that breaks a common form fails the build; the tests then check each picks the
/// overload that gives Twisted's result.
///
/// Not here because it does not type-check yet (Swift 6.3 ranks the Deferred-returning overload
/// first): a multi-statement closure that returns nothing as the last stage of a function
/// returning `Deferred<Void>` — `d.addCallback { text in seen.append(text); seen.append("!") }` —
/// needs `text -> Void in`. Marking either overload `@_disfavoredOverload` fixes that form and
/// breaks nested-Deferred forms (DeferredNestingTests), so the two overloads stay as they are.
@Suite struct CallbackOverloadProbeTests {
    /// A multi-statement closure returning nothing, as the last stage of a `Deferred<Void>`: the
    /// one form that needs its result type written (see above).
    static func lastStageReturningNothing(_ d: Deferred<String>, _ seen: Box<[String]>) -> Deferred<Void> {
        d.addCallback { text -> Void in
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
