import Twist
import TwistTesting

/// The receivers' parsing cost: a stream fed to one fresh receiver in reads of a fixed size, as
/// the reactor would hand it over. Reports MB/s of stream, messages/s, and heap allocations per
/// message (counted in a separate pass, so counting does not slow the timed one).
///
/// Workloads (the same as `Benchmarks/twisted/receiver_bench.py`):
/// - `netstring`: 1 MiB of netstrings with 32-byte payloads;
/// - `line`, `lineonly`: 1,000 lines of 50 bytes + CRLF (Twisted's `test_linereceiver.py`);
/// - `int16`, `int32`: 1,000 strings of 50 bytes with a length prefix.
struct ReceiverBenchmark {
    struct Row {
        let name: String
        let readSize: Int
        let megabytesPerSecond: Double
        let messagesPerSecond: Double
        let allocationsPerMessage: Double
    }

    let readSizes = [16, 64, 256, 1024, 65_536]
    let repetitions: Int

    func run() -> [Row] {
        let netstring = Array(repeating: Array("32:".utf8) + Array(repeating: UInt8(ascii: "x"), count: 32) + [44], count: (1 << 20) / 36).flatMap { $0 }
        let lines = Array(repeating: Array(String(repeating: "abcde", count: 10).utf8) + [13, 10], count: 1_000).flatMap { $0 }
        let int16 = Array(repeating: [0, 50] + Array(String(repeating: "abcde", count: 10).utf8), count: 1_000).flatMap { $0 }
        let int32 = Array(repeating: [0, 0, 0, 50] + Array(String(repeating: "abcde", count: 10).utf8), count: 1_000).flatMap { $0 }
        let workloads: [(String, [UInt8], () -> any CountingReceiver)] = [
            ("netstring", netstring, { CountingNetstrings() }),
            ("line", lines, { CountingLines() }),
            ("lineonly", lines, { CountingOnlyLines() }),
            ("int16", int16, { CountingInt16s() }),
            ("int32", int32, { CountingInt32s() }),
        ]
        var rows: [Row] = []
        for (name, stream, make) in workloads {
            for readSize in readSizes {
                rows.append(measure(name: name, stream: stream, readSize: readSize, make: make))
            }
        }
        return rows
    }

    private func measure(name: String, stream: [UInt8], readSize: Int, make: () -> any CountingReceiver) -> Row {
        let reads = stride(from: 0, to: stream.count, by: readSize).map { stream[$0..<min($0 + readSize, stream.count)] }
        var messages = 0
        let feed = { (receiver: any CountingReceiver) in
            let transport = StringTransport()
            transport.connect(receiver)
            for read in reads { try! receiver.dataReceived(read) }
            messages = receiver.count
        }
        var seconds: [Double] = []
        for _ in 0..<repetitions {
            let receiver = make()
            seconds.append(nanosecondsPerOperation(1) { feed(receiver) } / 1e9)
        }
        precondition(messages > 0, "the receiver parsed the stream")
        let receiver = make()
        let transport = StringTransport()
        transport.connect(receiver)
        let allocations = AllocationCounter.allocations {
            for read in reads { try! receiver.dataReceived(read) }
        }
        let time = median(seconds)
        return Row(
            name: name, readSize: readSize,
            megabytesPerSecond: Double(stream.count) / time / 1e6,
            messagesPerSecond: Double(messages) / time,
            allocationsPerMessage: Double(allocations) / Double(receiver.count)
        )
    }
}

/// A receiver that counts what it is handed and keeps nothing.
protocol CountingReceiver: Protocol {
    var count: Int { get }
}

final class CountingNetstrings: NetstringReceiver, CountingReceiver {
    var count = 0
    override func stringReceived(_ string: ArraySlice<UInt8>) throws { count += 1 }
}

final class CountingLines: LineReceiver, CountingReceiver {
    var count = 0
    override func lineReceived(_ line: ArraySlice<UInt8>) throws { count += 1 }
}

final class CountingOnlyLines: LineOnlyReceiver, CountingReceiver {
    var count = 0
    override func lineReceived(_ line: ArraySlice<UInt8>) throws { count += 1 }
}

final class CountingInt16s: Int16StringReceiver, CountingReceiver {
    var count = 0
    override func stringReceived(_ string: ArraySlice<UInt8>) throws { count += 1 }
}

final class CountingInt32s: Int32StringReceiver, CountingReceiver {
    var count = 0
    override func stringReceived(_ string: ArraySlice<UInt8>) throws { count += 1 }
}
