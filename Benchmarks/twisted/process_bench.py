#!/usr/bin/env python3
"""The process and thread workloads of Twist's `twist-microbench process`, written against Twisted.

Same rows and units, so `twist-microbench process --compare-twisted` prints both side by side:
  defertothread.sequential  deferToThread round trips per second, one in flight: each result,
                            delivered on the reactor thread, submits the next
  defertothread.batch       round trips per second with 1,000 submitted at once, all awaited
  spawn.true                /bin/true spawned (stdin/stdout/stderr pipes, Twisted's default) and
                            reaped per second, one at a time: each processEnded spawns the next

Usage: python3 process_bench.py [--tsv] [--quick]
Each row is the median of several repetitions; each repetition runs on the one reactor.
"""

import platform
import statistics
import sys
import time

import twisted
from twisted.internet import defer, protocol, reactor, threads


def work():
    return 1


def sequential(count, done):
    remaining = [count]

    def next_call(_=None):
        if remaining[0] == 0:
            done.callback(None)
            return
        remaining[0] -= 1
        threads.deferToThread(work).addCallback(next_call)

    next_call()


def batch(count, done):
    defer.gatherResults([threads.deferToThread(work) for _ in range(count)]).addCallback(
        lambda _: done.callback(None))


class TrueProcess(protocol.ProcessProtocol):
    def __init__(self, on_end):
        self.on_end = on_end

    def processEnded(self, reason):
        self.on_end()


def spawn_loop(count, done):
    remaining = [count]

    def next_spawn():
        if remaining[0] == 0:
            done.callback(None)
            return
        remaining[0] -= 1
        reactor.spawnProcess(TrueProcess(next_spawn), "/bin/true", ["true"], env={})

    next_spawn()


@defer.inlineCallbacks
def measure(rows, repetitions, quick):
    scale = 0.1 if quick else 1
    workloads = [
        ("defertothread.sequential", sequential, int(20_000 * scale)),
        ("defertothread.batch", batch, int(20_000 * scale)),
        ("spawn.true", spawn_loop, int(500 * scale)),
    ]
    for name, run, count in workloads:
        rates = []
        for _ in range(repetitions):
            done = defer.Deferred()
            start = time.perf_counter()
            run(count, done)
            yield done
            rates.append(count / (time.perf_counter() - start))
        rows.append((name, "per second", statistics.median(rates)))


def main():
    tsv = "--tsv" in sys.argv
    quick = "--quick" in sys.argv
    rows = []
    failure = []

    def finish(result):
        if isinstance(result, Exception) or hasattr(result, "getTraceback"):
            failure.append(result)
        reactor.stop()

    reactor.callWhenRunning(lambda: measure(rows, 3 if quick else 5, quick).addBoth(finish))
    reactor.run()
    if failure:
        print(failure[0], file=sys.stderr)
        sys.exit(1)
    versions = f"CPython {platform.python_version()}, Twisted {twisted.__version__}, {type(reactor).__name__}"
    if tsv:
        print(f"#versions\t{versions}")
        for name, unit, value in rows:
            print(f"{name}\t{unit}\t{value:.1f}")
    else:
        print(versions)
        for name, unit, value in rows:
            print(f"{name:28} {value:12.1f} {unit}")


if __name__ == "__main__":
    main()
