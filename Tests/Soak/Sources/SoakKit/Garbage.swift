/// Garbage: every malformed netstring form, seeded random bytes, a 1 GiB length prefix and a
/// `maxLength + 1` payload, each on its own connection (to the echo and to the transform server),
/// while healthy connections echo netstrings of every size up to `maxLength`. Each bad connection
/// must be closed after exactly the echoes a correct parser gives for its bytes; every healthy
/// echo must come back byte for byte; the server keeps running and returns to its baseline.
public enum Garbage {
    static let maxLength = 99_999

    /// The malformed forms, by name (each ends malformed by Twist's rules; the oracle checks it).
    static func forms() -> [(String, [UInt8])] {
        var forms: [(String, [UInt8])] = [
            ("colon first", ":aaa,"), ("letters", "aaa,"), ("letters, no comma", "aaa"),
            ("digits then letter", "3aaa,"), ("leading zero", "01:a,"), ("payload too long", "4:abcde"),
            ("payload too long 2", "2:aaa,"), ("empty with payload", "0:a,"),
            ("22 digits", "9999999999999999999999"), ("1 GiB length", "1073741824:"),
            ("negative", "-1:a,"), ("leading space", " 3:abc,"), ("wrong trailer", "3:abc;"),
            ("digits then newline", "12\n"), ("valid then bad", "3:abc,3aaa,"), ("nested then bad", "5:1:a,,x"),
            ("colon, no digits", ":"), ("NUL byte", "\u{0}"), ("high byte", "\u{7F}5:hello,"),
        ].map { ($0.0, Array($0.1.utf8)) }
        forms.append(("maxLength + 1", Array("\(maxLength + 1):".utf8) + [UInt8](repeating: 97, count: maxLength + 1) + [44]))
        forms.append(("1 GiB length + data", Array("1073741824:".utf8) + [UInt8](repeating: 98, count: 200_000)))
        return forms
    }

    public static func run(_ context: SoakContext) throws(LoadError) -> ScenarioResult {
        var result = ScenarioResult(name: "garbage")
        let baseline = try context.stats.snapshot()
        let driver = try ExchangeDriver()
        var bad = 0
        for (name, bytes) in forms() {
            let oracle = Netstring.expectedEcho(of: bytes, maxLength: maxLength)
            guard oracle.ending == .malformed else { throw LoadError("the garbage form '\(name)' is not malformed") }
            driver.add(try .open(port: context.server.echoPort, label: "echo '\(name)'", outgoing: bytes, expected: oracle.echo, expectClose: true))
            // The transform server answers nothing to bad framing (nor to a request without a dot).
            driver.add(try .open(port: context.server.transformPort, label: "transform '\(name)'", outgoing: bytes, expected: [], expectClose: true))
            bad += 2
        }
        var randomForms = 0
        while randomForms < context.config.garbageRandom {
            let bytes = context.random.bytes(Int.random(in: 1...4_096, using: &context.random))
            let oracle = Netstring.expectedEcho(of: bytes, maxLength: maxLength)
            guard oracle.ending == .malformed else { continue }  // an unfinished netstring would wait forever
            driver.add(try .open(port: context.server.echoPort, label: "random #\(randomForms)", outgoing: bytes, expected: oracle.echo, expectClose: true))
            randomForms += 1
            bad += 1
        }
        var healthyBytes = 0
        for index in 0..<context.config.garbageHealthy {
            var stream: [UInt8] = []
            for size in [0, 1, maxLength] + (0..<20).map({ _ in Int.random(in: 2...2_000, using: &context.random) })
                + (0..<3).map({ _ in Int.random(in: 2_001..<maxLength, using: &context.random) })
            {
                stream += Netstring.frame(context.payload(size))
            }
            healthyBytes += stream.count
            driver.add(try .open(port: context.server.echoPort, label: "healthy #\(index)", outgoing: stream, expected: stream))
        }
        var closedRight = 0
        var healthyOK = 0
        driver.run(until: monotonicNow() + 120) { connection in
            if case .failed(let why) = connection.outcome {
                result.check(false, "\(connection.label): \(why)")
            } else if connection.label.hasPrefix("healthy") {
                healthyOK += 1
            } else {
                closedRight += 1
            }
        }
        result.note("\(closedRight)/\(bad) bad conns closed alone (\(forms().count) forms ×2, \(randomForms) random)")
        result.note("\(healthyOK)/\(context.config.garbageHealthy) healthy conns echoed \(mebibytes(healthyBytes / 1024)) intact")
        try context.settle(to: baseline, into: &result)
        return result
    }
}
