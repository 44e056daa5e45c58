import Testing
import TwistCore

/// Values whose stored type is not exactly the stage's input type still reach the stage intact
/// (the chain takes exact types out of its storage by a fast path and the others by a cast).
@Suite("Deferred values of existential, optional and class types")
struct DeferredValueTypeTests {
    class Animal { var name: String { "animal" } }
    final class Dog: Animal { override var name: String { "dog" } }

    @Test func subclassInstanceReachesACallbackTypedBySuperclass() throws {
        let d = Deferred<Animal>()
        var seen: String?
        _ = d.addCallback { seen = $0.name }
        try d.callback(Dog())
        #expect(seen == "dog")
    }

    @Test func optionalValuesKeepTheirNilAndSomeCases() throws {
        let d = Deferred<Int?>()
        let described = d.addCallback { value -> String in value.map { "some \($0)" } ?? "none" }
        try d.callback(nil)
        #expect(described.successValue == "none")
        let e = succeed(Optional(3)).addCallback { value -> Int in (value ?? 0) + 1 }
        #expect(e.successValue == 4)
    }

    @Test func existentialValuesReachTheCallbackAsTheExistential() throws {
        let d = Deferred<any CustomStringConvertible>()
        let text = d.addCallback { $0.description }
        try d.callback(42)
        #expect(text.successValue == "42")
        let any = succeed([1, 2] as Any).addCallback { ($0 as? [Int])?.count ?? -1 }
        #expect(any.successValue == 2)
    }

    @Test func awaitingGivesBackTheSameValueTypes() async throws {
        let animal: Animal = try await succeed(Dog() as Animal).value()
        #expect(animal.name == "dog")
        let optional: Int? = try await succeed(Int?.none).value()
        #expect(optional == nil)
    }
}
