#!/usr/bin/env python3
"""The receiver workloads of Twist's `twist-microbench receivers`, written against Twisted.

Same rows and units (MB/s of stream parsed), so `twist-microbench receivers --compare-twisted`
prints both side by side:
  netstring.<chunk>  1 MiB of netstrings with 32-byte payloads, fed in chunks of <chunk> bytes
  line.<chunk>       1,000 lines of 50 bytes + CRLF (Twisted's benchmarks/test_linereceiver.py)
  lineonly.<chunk>   the same through LineOnlyReceiver
  int16.<chunk>      1,000 strings of 50 bytes with 2-byte prefixes (twisted-benchmarks int16receiver)

Usage: python3 receiver_bench.py [--tsv] [--quick]
Each row is the median of several repetitions, each timing one fresh receiver over the stream.
"""

import platform
import statistics
import sys
import time

import twisted
from twisted.internet.testing import StringTransport
from twisted.protocols.basic import Int16StringReceiver, LineOnlyReceiver, LineReceiver, NetstringReceiver


class Netstrings(NetstringReceiver):
    count = 0

    def stringReceived(self, string):
        self.count += 1


class Lines(LineReceiver):
    count = 0

    def lineReceived(self, line):
        self.count += 1


class OnlyLines(LineOnlyReceiver):
    count = 0

    def lineReceived(self, line):
        self.count += 1


class Int16s(Int16StringReceiver):
    count = 0

    def stringReceived(self, string):
        self.count += 1


def netstring_stream():
    frame = b"32:" + b"x" * 32 + b","
    return frame * ((1 << 20) // len(frame))


def line_stream():
    return (b"abcde" * 10 + b"\r\n") * 1000


def int16_stream():
    return (b"\x00\x32" + b"abcde" * 10) * 1000


WORKLOADS = [
    ("netstring", Netstrings, netstring_stream(), [16, 64, 256, 1024, 65536]),
    ("line", Lines, line_stream(), [16, 64, 256, 1024, 65536]),
    ("lineonly", OnlyLines, line_stream(), [16, 64, 256, 1024, 65536]),
    ("int16", Int16s, int16_stream(), [16, 64, 256, 1024, 65536]),
]


def megabytes_per_second(cls, stream, chunk, repetitions):
    chunks = [stream[i:i + chunk] for i in range(0, len(stream), chunk)]
    samples = []
    for _ in range(repetitions):
        proto = cls()
        proto.makeConnection(StringTransport())
        start = time.perf_counter_ns()
        for piece in chunks:
            proto.dataReceived(piece)
        elapsed = time.perf_counter_ns() - start
        assert proto.count > 0
        samples.append(len(stream) / (elapsed / 1e9) / 1e6)
    return statistics.median(samples)


def main():
    tsv = "--tsv" in sys.argv
    repetitions = 3 if "--quick" in sys.argv else 7
    if tsv:
        print(f"#versions\tCPython {platform.python_version()}, Twisted {twisted.__version__}")
    for name, cls, stream, sizes in WORKLOADS:
        for chunk in sizes:
            value = megabytes_per_second(cls, stream, chunk, repetitions)
            row = f"{name}.{chunk}"
            print(f"{row}\tMB/s\t{value:.3f}" if tsv else f"{row:20} {value:10.2f} MB/s")


if __name__ == "__main__":
    main()
