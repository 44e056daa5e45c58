public import Logging

/// Logs every connection's traffic, one line per event, for debugging a protocol on the wire
/// (Twisted's `TrafficLoggingFactory`, which writes each connection to its own file).
///
/// ```swift
/// let port = try reactor.listenTCP(8000, TrafficLoggingFactory(wrapping: factory, logger: Logger(label: "wire")))
/// ```
///
/// **Lines.** Connections are numbered from 1 in the order they are built (``resetCounter()``
/// starts again at 1). For connection `n`:
///
/// | Event | Line |
/// |---|---|
/// | connected | `* n: <peer address>` |
/// | bytes received | `C n: "<bytes>"` |
/// | `write` | `S n: "<bytes>"` |
/// | `writeSequence` | `SV n: ["<bytes>", "<bytes>"]` |
/// | `loseConnection` | `S n: *` |
/// | `abortConnection` | `S n: !` |
/// | connection lost | `C n: <reason>` |
///
/// Bytes are quoted with printable ASCII as is and everything else escaped (`\r`, `\n`, `\t`,
/// `\"`, `\\`, `\xNN`); with a ``lengthLimit``, a longer chunk shows its first `lengthLimit`
/// bytes followed by `<... elided>`.
///
/// **Where lines go.** Either to a swift-log `Logger`, one record per line at the level given,
/// with the connection number as `connection` metadata; or to a closure that receives the
/// connection number and the line (to write files, or collect in a test). Nothing is opened by
/// the factory itself. Everything else passes through, as for ``WrappingFactory``.
public final class TrafficLoggingFactory: WrappingFactory {
    /// The most bytes of one chunk shown in a line; nil shows everything.
    public let lengthLimit: Int?

    /// The number the last connection got (0 before the first, and after ``resetCounter()``).
    public private(set) var counter = 0

    private let sink: (_ connection: Int, _ line: String) -> Void

    /// A factory that passes each line, with its connection's number, to `sink`.
    ///
    /// - Precondition: `lengthLimit` is nil or positive.
    public init(wrapping wrappedFactory: Factory, lengthLimit: Int? = nil, sink: @escaping (_ connection: Int, _ line: String) -> Void) {
        precondition((lengthLimit ?? 1) > 0, "TrafficLoggingFactory needs a positive length limit, got \(lengthLimit ?? 0)")
        self.lengthLimit = lengthLimit
        self.sink = sink
        super.init(wrapping: wrappedFactory)
    }

    /// A factory that logs each line to `trafficLogger` at `level` (`info` by default), with the
    /// connection's number as `connection` metadata.
    ///
    /// - Precondition: `lengthLimit` is nil or positive.
    public convenience init(wrapping wrappedFactory: Factory, logger trafficLogger: Logger, level: Logger.Level = .info, lengthLimit: Int? = nil) {
        self.init(wrapping: wrappedFactory, lengthLimit: lengthLimit) { connection, line in
            trafficLogger.log(level: level, "\(line)", metadata: ["connection": "\(connection)"])
        }
    }

    /// Numbers the next connection 1 again (Twisted's `resetCounter`).
    public func resetCounter() {
        counter = 0
    }

    /// The wrapped factory's protocol in a logging wrapper with the next number; nil (and no
    /// number used) when the wrapped factory builds none.
    public override func buildProtocol(address: Address) -> Protocol? {
        guard let wrapped = wrappedFactory.buildProtocol(address: address) else { return nil }
        counter += 1
        return TrafficLoggingProtocolWrapper.logging(wrapped, factory: self, number: counter)
    }

    /// Passes `line` of connection `number` to the sink.
    func log(_ line: String, connection number: Int) {
        sink(number, line)
    }
}
