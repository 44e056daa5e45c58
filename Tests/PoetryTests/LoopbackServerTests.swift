import Logging
import Poetry
import Testing
import Twist
import TwistTesting
import TwistTestSupport

/// The servers over real sockets on 127.0.0.1, port 0, in this process.
@Suite(.timeLimit(.minutes(1))) struct LoopbackServerTests {
    @Test(arguments: PoemPin.all)
    func theFastServerGivesEveryPoemExactly(_ pin: PoemPin) async throws {
        let poem = try pin.poem.bytes
        let received = Shared<[UInt8]?>(nil)
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, PoetryServerFactory(poem: poem), interface: "127.0.0.1")
            _ = downloadPoem(reactor, host: "127.0.0.1", port: port.address.port!).addBoth { result in
                received.value = try? result.get()
                try reactor.stop()
            }
        }
        #expect(stopped)
        let bytes = try #require(received.value)
        #expect(bytes.count == pin.size)
        #expect(fnv1a(bytes) == pin.hash)
    }

    @Test func aHundredConcurrentClientsOfTheFastServerAllGetThePoem() async throws {
        let poem = try BundledPoems.poem(named: "die-lorelei").bytes
        let results = Shared<[[UInt8]]>([])
        let stopped = await runReactor(timeout: 30) { reactor in
            let port = try reactor.listenTCP(0, PoetryServerFactory(poem: poem), interface: "127.0.0.1")
            let downloads = (0..<100).map { _ in downloadPoem(reactor, host: "127.0.0.1", port: port.address.port!) }
            _ = DeferredList.all(downloads, consumeErrors: true).addCallback { outcomes in
                results.value = outcomes.compactMap { try? $0.get() }
                try reactor.stop()
            }
        }
        #expect(stopped)
        #expect(results.value.count == 100)
        #expect(results.value.allSatisfy { $0 == poem })
    }

    @Test func theSlowServerWithNoDelayGivesThePoemIdentically() async throws {
        let poem = try BundledPoems.poem(named: "wandrers-nachtlied").bytes
        let received = Shared<[UInt8]?>(nil)
        let stopped = await runReactor { reactor in
            let factory = SlowPoetryFactory(poem: poem, charactersPerChunk: 7, delay: 0, clock: reactor)
            let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1")
            _ = downloadPoem(reactor, host: "127.0.0.1", port: port.address.port!).addBoth { result in
                received.value = try? result.get()
                try reactor.stop()
            }
        }
        #expect(stopped)
        #expect(received.value == poem)
    }

    @Test func aSlowClientHangingUpMidPoemDoesNotStopTheServerServingTheNext() async throws {
        let poem = try BundledPoems.poem(named: "the-tyger").bytes
        let leaver = Shared(RawExchange())
        let next = Shared<[UInt8]?>(nil)
        let pending = Shared(-1)
        let stopped = await runReactor { reactor in
            let factory = SlowPoetryFactory(poem: poem, charactersPerChunk: 20, delay: 0.01, clock: reactor)
            let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1").address.port!
            reactor.connectTCP("127.0.0.1", port, RawClientFactory(hangUpAfterFirstBytes: true, log: leaver) {
                // The leaver is gone; the next client must still get the whole poem.
                _ = downloadPoem(reactor, host: "127.0.0.1", port: port).addBoth { result in
                    next.value = try? result.get()
                    pending.value = reactor.pendingCalls.count  // the leaver's timer is not among them
                    try reactor.stop()
                }
            })
        }
        #expect(stopped)
        #expect(leaver.value.closed)
        #expect(leaver.value.received.count < poem.count)
        #expect(next.value == poem)
        #expect(pending.value == 1)  // only this test's watchdog
    }

    @Test func badTransformRequestsAreEachClosedUnansweredWhileOthersAreServed() async throws {
        let requests: [[UInt8]] = TransformProtocolTests.badInputs.map { Array($0.sent.utf8) }
            + [netstring([UInt8]("shout.".utf8) + [0xFF]), netstring("title. \n")]
        let good = netstring("cummingsify.HERE IS MY POEM")
        let capture = LogCapture()
        let bad = Shared([RawExchange](repeating: RawExchange(), count: requests.count))
        let answered = Shared([RawExchange](repeating: RawExchange(), count: 3))
        let stopped = await runReactor { reactor in
            let factory = try TransformFactory(service: .standard(), logger: capture.logger())
            let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1").address.port!
            let countdown = Countdown(requests.count + 3, reactor)
            // A good client before, among and after the bad ones.
            func ask(_ index: Int) {
                let log = Shared(RawExchange())
                reactor.connectTCP("127.0.0.1", port, RawClientFactory(request: good, log: log) {
                    answered.mutate { $0[index] = log.value }
                    try countdown.tick()
                })
            }
            ask(0)
            for (index, request) in requests.enumerated() {
                let log = Shared(RawExchange())
                reactor.connectTCP("127.0.0.1", port, RawClientFactory(request: request, log: log) {
                    bad.mutate { $0[index] = log.value }
                    try countdown.tick()
                })
                if index == requests.count / 2 { ask(1) }
            }
            ask(2)
        }
        #expect(stopped)
        for (index, exchange) in bad.value.enumerated() {
            #expect(exchange.closed, "request \(index)")
            #expect(exchange.received.isEmpty, "request \(index): \(String(decoding: exchange.received, as: UTF8.self))")
        }
        #expect(answered.value.map { String(decoding: $0.received, as: UTF8.self) } == Array(repeating: "15:here is my poem,", count: 3))
        #expect(capture.records.count == requests.count)  // one line per refused connection
    }

    @Test func anOversizeRequestIsRefusedBeforeItsPayloadArrives() async throws {
        let capture = LogCapture()
        let exchange = Shared(RawExchange())
        let stopped = await runReactor { reactor in
            let factory = try TransformFactory(service: .standard(), logger: capture.logger())
            let port = try reactor.listenTCP(0, factory, interface: "127.0.0.1").address.port!
            let request = netstring([UInt8]("cummingsify.".utf8) + [UInt8](repeating: 0x41, count: 100_000))
            reactor.connectTCP("127.0.0.1", port, RawClientFactory(request: request, log: exchange) { try reactor.stop() })
        }
        #expect(stopped)
        #expect(exchange.value.closed)
        #expect(exchange.value.received.isEmpty)
        #expect(capture.records.count == 1)
        #expect(capture.records.first?.message.contains("malformed netstring") == true)
    }

    @Test(arguments: PoemPin.all)
    func everyPoemRoundTripsThroughTheTransformServer(_ pin: PoemPin) async throws {
        let text = try pin.poem.text
        let transformed = Shared<String?>(nil)
        let stopped = await runReactor { reactor in
            let port = try reactor.listenTCP(0, try TransformFactory(service: .standard()), interface: "127.0.0.1")
            _ = TransformProxy(reactor, PoetryAddress(port: port.address.port!)).xform("cummingsify", text).addBoth { result in
                transformed.value = try? result.get()
                try reactor.stop()
            }
        }
        #expect(stopped)
        let bytes = Array(try #require(transformed.value).utf8)
        #expect(bytes.count == pin.cummingsifiedSize)
        #expect(fnv1a(bytes) == pin.cummingsifiedHash)
    }

    @Test func theProxyFetchesOnceThenServesFromItsCache() async throws {
        let poem = try BundledPoems.poem(named: "hope").bytes
        let got = Shared<[[UInt8]]>([])
        let lines = Shared<[String]>([])
        let stopped = await runReactor { reactor in
            let upstream = try reactor.listenTCP(0, PoetryServerFactory(poem: poem), interface: "127.0.0.1").address.port!
            let output = PoetryOutput(out: { line in lines.mutate { $0.append(line) } }, err: { _ in })
            let service = PoetryProxyService(reactor, upstream: PoetryAddress(port: upstream), output: output)
            let proxy = try reactor.listenTCP(0, PoetryProxyFactory(service: service, output: output), interface: "127.0.0.1").address.port!
            _ = downloadPoem(reactor, host: "127.0.0.1", port: proxy).addCallback { first in
                got.mutate { $0.append(first) }
                return downloadPoem(reactor, host: "127.0.0.1", port: proxy)
            }.addBoth { second in
                got.mutate { $0.append((try? second.get()) ?? []) }
                try reactor.stop()
            }
        }
        #expect(stopped)
        #expect(got.value == [poem, poem])
        #expect(lines.value == ["Fetching poem from server.\n", "Using cached poem.\n"])
    }

    @Test func aProxyWhoseUpstreamIsDownClosesEmptyAndRetriesForTheNextClient() async throws {
        let got = Shared<[[UInt8]]>([])
        let lines = Shared<[String]>([])
        // Nobody listens on the upstream port, and no other test can take it meanwhile.
        let closed = ReservedPort()
        let stopped = await runReactor { reactor in
            let output = PoetryOutput(out: { line in lines.mutate { $0.append(line) } }, err: { _ in })
            let service = PoetryProxyService(reactor, upstream: PoetryAddress(port: closed.port), output: output)
            let proxy = try reactor.listenTCP(0, PoetryProxyFactory(service: service, output: output), interface: "127.0.0.1").address.port!
            _ = downloadPoem(reactor, host: "127.0.0.1", port: proxy).addCallback { first in
                got.mutate { $0.append(first) }
                return downloadPoem(reactor, host: "127.0.0.1", port: proxy)
            }.addBoth { second in
                got.mutate { $0.append((try? second.get()) ?? [1]) }
                try reactor.stop()
            }
        }
        withExtendedLifetime(closed) {}
        #expect(stopped)
        #expect(got.value == [[], []])
        #expect(lines.value == ["Fetching poem from server.\n", "Fetching poem from server.\n"])
    }
}
