public import TwistTesting
public import TwistCore
internal import CFuzzDriver
#if canImport(Glibc)
internal import Glibc
#endif

/// What one fuzz input means: the first byte chooses how the rest is split into reads; the rest
/// is the stream.
public struct FuzzInput {
    /// The stream the receiver is fed.
    public let stream: [UInt8]
    /// A read size derived from the input, 1 to 256.
    public let readSize: Int

    /// Interprets the raw bytes libFuzzer hands over.
    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        let bytes = Array(UnsafeBufferPointer(start: data, count: size))
        readSize = Int(bytes.first ?? 0) + 1
        stream = Array(bytes.dropFirst())
    }

    /// The ways the stream is split into reads; every receiver must behave the same under all.
    public var splittings: [[ArraySlice<UInt8>]] {
        [
            [stream[...]],
            Self.split(stream, size: 1),
            Self.split(stream, size: readSize),
        ]
    }

    /// `bytes` in consecutive reads of `size` bytes.
    public static func split(_ bytes: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
    }
}

/// Stops the fuzzer with a message when an invariant fails (libFuzzer saves the input).
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("invariant broken: \(message())") }
}

/// Feeds `reads` to `receiver` over a fresh `StringTransport`; returns the transport. A thrown
/// error means the connection would close, as the transport would do. With `directReads`, each
/// read is first offered to the receiver's `readDirectly` (what fits in the region it offers goes
/// there, the rest to `dataReceived`), as a stream transport does.
@discardableResult
public func feed(
    _ receiver: Protocol, _ reads: [ArraySlice<UInt8>], directReads: Bool = false, afterEachRead: () -> Void = {}
) -> StringTransport {
    let transport = StringTransport()
    transport.connect(receiver)
    for read in reads {
        if transport.isDisconnecting { break }
        do {
            var rest = read
            if directReads {
                // As a stream transport reads with readv: the protocol's region first, then the
                // transport's buffer; the bytes past the region go to dataReceived.
                var region = 0
                let taken = receiver.readDirectly { target in
                    region = min(target.count, read.count)
                    read.prefix(region).withUnsafeBytes { target.copyMemory(from: $0) }
                    return read.count
                }
                if taken != nil { rest = read.dropFirst(region) }
            }
            if !rest.isEmpty { try receiver.dataReceived(rest) }
        } catch {
            transport.loseConnection()
        }
        afterEachRead()
    }
    return transport
}

/// Runs libFuzzer with the process's arguments over `check`, then exits with its status.
public func runFuzzer(_ check: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, check))
}
