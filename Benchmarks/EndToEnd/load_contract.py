"""What the Python load clients share: the contract's command line, the CPU and round-trip
bookkeeping, the churn loop, and its one-line JSON report (see README.md)."""

import argparse
import asyncio
import math
import resource
import time
from array import array

now = time.perf_counter_ns  # CLOCK_MONOTONIC on Linux


class Failure(Exception):
    pass


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(ordered, fraction: float) -> int:
    """Nearest rank, in microseconds, of nanoseconds sorted in ascending order."""
    rank = max(1, math.ceil(fraction * len(ordered)))
    return round(ordered[rank - 1] / 1000)


def argument_parser(description: str, deflate_help: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--size", type=int, default=16, help="bytes per message")
    parser.add_argument("--in-flight", type=int, default=1, help="messages on their way per connection")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load")
    parser.add_argument("--binary", action="store_true", help="binary messages instead of text")
    parser.add_argument("--deflate", action="store_true", help=deflate_help)
    parser.add_argument("--churn", action="store_true",
                        help="measure connection churn instead: each connection slot opens, closes with 1000 "
                             "and starts over; no messages")
    return parser


def check(parser: argparse.ArgumentParser, arguments) -> None:
    if arguments.connections < 1 or arguments.size < 0 or arguments.in_flight < 1 or arguments.duration <= 0:
        parser.error("--connections and --in-flight must be at least 1, --size not negative, "
                     "--duration positive")


def report(round_trips, size: int, start_time: int, end_time: int, start_cpu: float, end_cpu: float) -> dict:
    """The contract's figures for the round trips (nanoseconds) of one load window."""
    round_trips = sorted(round_trips)
    if not round_trips:
        raise Failure("no echo came back during the run")
    return {
        "messages": len(round_trips),
        "bytes": len(round_trips) * size,  # every one was checked to be this size
        "seconds": (end_time - start_time) / 1e9,
        "cpuSeconds": end_cpu - start_cpu,
        "p50": percentile(round_trips, 0.50),
        "p90": percentile(round_trips, 0.90),
        "p99": percentile(round_trips, 0.99),
        "p999": percentile(round_trips, 0.999),
    }


async def churn(open_and_close, connections: int, duration: float) -> dict:
    """The contract's figures for connection churn: each of `connections` slots awaits
    `open_and_close()` (one connection opened and closed with 1000) over and over until `duration`
    ends; each counts as a message of no bytes, and its duration as the round trip."""
    durations = array("q")  # nanoseconds, one per connection opened and closed
    start_time, start_cpu = now(), cpu_seconds()
    deadline = start_time + duration * 1e9

    async def slot():
        while now() < deadline:
            started = now()
            await open_and_close()
            durations.append(now() - started)

    await asyncio.gather(*(slot() for _ in range(connections)))
    return report(durations, 0, start_time, now(), start_cpu, cpu_seconds())
