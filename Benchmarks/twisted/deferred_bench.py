#!/usr/bin/env python3
"""The Deferred workloads of Twist's `twist-microbench deferred`, written against Twisted.

Same rows, same units, so `twist-microbench deferred --compare-twisted` can print both side by
side. The workloads are those of Twisted's benchmarks/test_deferred.py and
docs/core/benchmarks/deferreds.py (described in shared/spec/benchmarks.md sections 1.1 and 2).

Usage: python3 deferred_bench.py [--tsv] [--quick]
  --tsv    machine-readable rows (name, unit, value), as the Swift runner reads them
  --quick  fewer repetitions and iterations (a smoke run, not for the record)

Each row is the median of several repetitions; one repetition times a loop of calls with
time.perf_counter_ns and the garbage collector left on, as pytest-benchmark does.
"""

import platform
import statistics
import sys
import time

import twisted
from twisted.internet.defer import Deferred, ensureDeferred, succeed


def add(x, a):
    return x + a


def fire_then_add_4():
    d = Deferred()
    d.callback(2)
    d.addCallback(add, 1)
    d.addCallback(add, 2)
    d.addCallback(add, 3)
    d.addCallback(add, 4)
    return d


def add_4_then_fire():
    d = Deferred()
    d.addCallback(add, 1)
    d.addCallback(add, 2)
    d.addCallback(add, 3)
    d.addCallback(add, 4)
    d.callback(2)
    return d


def raise_boom(_):
    raise Exception("boom!")


def trap_and_raise(failure):
    failure.trap(Exception)
    raise Exception("lesser boom!")


def swallow(_):
    return None


def errback_chain():
    d = succeed("result")
    d.addCallback(raise_boom)
    d.addErrback(trap_and_raise)
    d.addBoth(swallow)
    return d


def chained_already_fired():
    d = Deferred()
    d2 = Deferred()
    d3 = Deferred()
    d2.callback(123)
    d3.callback(456)
    d.addCallback(lambda _: d2)
    d.addCallback(lambda _: d3)
    d.callback(123)
    return d


def chained_not_fired():
    d = Deferred()
    d2 = Deferred()
    d3 = Deferred()
    d4 = Deferred()
    d3.addCallback(lambda _: d4)
    d3.callback(123)
    d.addCallback(lambda _: d2)
    d.addCallback(lambda _: d3)
    d2.callback(123)
    d4.callback(57)
    d.callback(7)
    return d


def instantiate():
    return Deferred()


def instantiate_callback():
    d = Deferred()
    d.callback(1)
    return d


async def sum_fired():
    total = 0
    for x in range(1000):
        total += await succeed(x)
    return total


def await_1000_fired():
    return ensureDeferred(sum_fired())


async def sum_in_order(deferreds):
    total = 0
    for d in deferreds:
        total += await d
    return total


def await_20_unfired():
    deferreds = [Deferred() for _ in range(20)]
    result = ensureDeferred(sum_in_order(deferreds))
    for index, d in enumerate(deferreds):
        d.callback(index)
    return result


def identity(result):
    return result


def add_n(n, mode):
    """deferreds.py: n times addCallback, addErrback, addBoth and addCallbacks (4n stages)."""
    d = Deferred()
    if mode in ("after_result", "paused"):
        d.callback(1)
    if mode == "paused":
        d.pause()
    for _ in range(n):
        d.addCallback(identity)
        d.addErrback(identity)
        d.addBoth(identity)
        d.addCallbacks(identity, identity)
    if mode == "before_result":
        d.callback(1)
    if mode == "paused":
        d.unpause()
    return d


def result_of(d):
    """The Deferred's current result, read without leaving an unhandled failure behind."""
    box = []
    d.addBoth(box.append)
    return box[0] if box else None


def check():
    """Each workload gives the result its Twist twin checks for."""
    assert result_of(fire_then_add_4()) == 12
    assert result_of(add_4_then_fire()) == 12
    assert result_of(errback_chain()) is None
    assert result_of(chained_already_fired()) == 456
    assert result_of(chained_not_fired()) == 57
    assert result_of(await_1000_fired()) == 499500
    assert result_of(await_20_unfired()) == 190
    for mode in ("before_result", "after_result", "paused"):
        assert result_of(add_n(10, mode)) == 1


def measure(body, calls, repetitions, per):
    """Median over `repetitions` of the time per call of `body`, divided by `per`, in ns."""
    samples = []
    body()
    for _ in range(repetitions):
        start = time.perf_counter_ns()
        for _ in range(calls):
            body()
        samples.append((time.perf_counter_ns() - start) / calls / per)
    return statistics.median(samples)


def rows(quick):
    repetitions = 3 if quick else 7
    scale = 0.1 if quick else 1.0

    def calls(base):
        return max(1, int(base * scale))

    yield "instantiate", "ns/chain", measure(instantiate, calls(200_000), repetitions, 1)
    yield "instantiate_callback", "ns/chain", measure(instantiate_callback, calls(100_000), repetitions, 1)
    for name, body in (
        ("fire_then_add_4", fire_then_add_4),
        ("add_4_then_fire", add_4_then_fire),
        ("errback_chain", errback_chain),
        ("chained_already_fired", chained_already_fired),
        ("chained_not_fired", chained_not_fired),
    ):
        yield name, "ns/chain", measure(body, calls(20_000), repetitions, 1)
    yield "await_1000_fired", "µs/run", measure(await_1000_fired, calls(100), repetitions, 1000)
    yield "await_20_unfired", "µs/run", measure(await_20_unfired, calls(5_000), repetitions, 1000)
    for n in (10, 1_000, 10_000):
        for mode in ("no_result", "before_result", "after_result", "paused"):
            runs = max(1, calls(200_000) // (4 * n))
            yield (
                f"add_n[{n}, {mode}]",
                "ns/stage",
                measure(lambda: add_n(n, mode), runs, repetitions, 4 * n),
            )


def main(arguments):
    tsv = "--tsv" in arguments
    quick = "--quick" in arguments
    check()
    versions = f"CPython {platform.python_version()}, Twisted {twisted.__version__}"
    if tsv:
        print(f"#versions\t{versions}")
    else:
        print(f"### Deferred, Twisted ({versions})\n")
        print("| benchmark | unit | Twisted |")
        print("|---|---|---:|")
    for name, unit, value in rows(quick):
        if tsv:
            print(f"{name}\t{unit}\t{value:.3f}", flush=True)
        else:
            print(f"| `{name}` | {unit} | {value:.1f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
