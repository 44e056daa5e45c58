import Poetry
import Testing

/// The transforms and the registry, without any networking.
@Suite struct TransformServiceTests {
    @Test(arguments: PoemPin.all)
    func cummingsifyMatchesPythonsLowerOnEveryPoem(_ pin: PoemPin) throws {
        let lowered = Array(PoemTransforms.cummingsify(try pin.poem.text).utf8)
        #expect(lowered.count == pin.cummingsifiedSize)
        #expect(fnv1a(lowered) == pin.cummingsifiedHash)
    }

    @Test func shoutUpperCasesUnicodeAndMayGrowThePoem() {
        #expect(PoemTransforms.shout("Ich weiß, kühl.\n") == "ICH WEISS, KÜHL.\n")
    }

    @Test func backwardsReversesTheLinesAndKeepsTheFinalNewline() {
        #expect(PoemTransforms.backwards("one\ntwo\n\nthree\n") == "three\n\ntwo\none\n")
        #expect(PoemTransforms.backwards("no newline") == "no newline")
        #expect(PoemTransforms.backwards("") == "")
    }

    @Test func titleKeepsTheFirstNonBlankLineAndFailsOnABlankPoem() throws {
        #expect(try PoemTransforms.title("\n  \nThe Tyger\n\nTyger Tyger\n") == "The Tyger\n")
        #expect(throws: PoemTransformError.noTitle) { try PoemTransforms.title(" \n\t\n") }
        #expect(throws: PoemTransformError.noTitle) { try PoemTransforms.title("") }
    }

    @Test func theStandardServiceHoldsFourTransformsByName() throws {
        let service = TransformService.standard()
        #expect(service.names == ["backwards", "cummingsify", "shout", "title"])
        #expect(try service.transform("cummingsify", "HERE IS MY POEM") == "here is my poem")
    }

    @Test func anUnregisteredNameIsAnUnknownTransform() {
        #expect(throws: UnknownTransform.self) { try TransformService.standard().transform("__init__", "x") }
        #expect("\(UnknownTransform(name: "x"))" == "'x' no such transform")
    }

    @Test func registeringReplacesAndExtends() throws {
        let service = TransformService()
        service.register("echo") { $0 }
        service.register("echo") { $0 + $0 }
        #expect(try service.transform("echo", "ab") == "abab")
        #expect(service.names == ["echo"])
    }

    @Test func theFactoryExposesOnlyTheTransformsItNames() throws {
        let factory = try TransformFactory(service: .standard(), exposing: ["shout"])
        #expect(factory.exposedNames == ["shout"])
        #expect(try factory.transform("shout", "a") == "A")
        #expect(throws: UnknownTransform.self) { try factory.transform("cummingsify", "A") }
    }

    @Test func aFactoryCannotExposeATransformTheServiceLacks() {
        #expect(throws: UnknownTransform.self) { try TransformFactory(service: .standard(), exposing: ["shout", "sonnetize"]) }
    }

    @Test func aThrowingTransformReachesTheFactoryAsTransformFailed() throws {
        let factory = try TransformFactory(service: .standard())
        #expect(throws: TransformFailed.self) { try factory.transform("title", "\n") }
    }

    @Test func requestsSplitAtTheFirstDot() throws {
        let request = try TransformRequest(payload: Array("cummingsify.One. Two.".utf8)[...])
        #expect(request == TransformRequest(name: "cummingsify", poem: "One. Two."))
        #expect(request.payload == Array("cummingsify.One. Two.".utf8))
        #expect(try TransformRequest(payload: Array(".poem".utf8)[...]).name == "")
        #expect(throws: TransformRequestError.noDot(byteCount: 0)) { try TransformRequest(payload: [][...]) }
        #expect(throws: TransformRequestError.noDot(byteCount: 6)) { try TransformRequest(payload: Array("nodot!".utf8)[...]) }
        #expect(throws: TransformRequestError.notUTF8) { try TransformRequest(payload: [0x61, 0x2E, 0xFF][...]) }
    }
}
