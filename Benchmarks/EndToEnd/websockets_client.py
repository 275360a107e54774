#!/usr/bin/env python3
"""A load client on python-websockets (asyncio API), the client most Python users run.

    websockets_client.py URL --connections N --size BYTES --in-flight K --duration SECONDS
                         [--binary] [--deflate] [--uvloop]
    websockets_client.py URL --connections N --duration SECONDS --churn [--deflate] [--uvloop]

Opens N connections (at most 64 handshakes at once), then for the duration keeps K messages of
BYTES bytes in flight on each, sending the next as each echo returns, and prints one JSON line:
messages and payload bytes echoed during the window, its length, this process's CPU seconds over
it, and round-trip percentiles in microseconds. Exits 1 if a connection fails or closes early, or
an echo is not a message of the kind and size sent. With ``--churn``, each of N slots opens a
connection and closes it, over and over, and the line counts those instead (see README.md).

How websockets is used, and why:

* ``websockets.asyncio.client.connect`` and one task per connection that awaits ``recv()`` and
  then ``send()``, the documented coroutine style.
* The payload is bytes made once; text goes out with ``send(payload, text=True)``, which the
  documentation gives as the way to skip encoding a message that is already UTF-8.
* ``recv()`` decodes text, since only then is the kind of an echo known (``decode=False`` would
  hand text over as bytes). Sizes are checked with ``len``: the payload is ASCII, so characters
  and bytes agree.
* Defaults otherwise, except ``max_size`` (raised to fit the messages) and ``compression`` (off
  unless ``--deflate``, since websockets offers permessage-deflate by default).
* The default asyncio event loop, as users have it; ``--uvloop`` runs on uvloop instead.
* Round trips come from a FIFO (``deque``) of send times per connection, since an echo server
  answers in order, and go into one ``array`` of nanoseconds: appending is cheap and the sort
  for the percentiles happens after the window.
* Churn uses ``async with connect(...)``, the documented form: leaving the block closes with 1000
  and waits for the server's Close.
"""

import asyncio
import json
import sys
from array import array
from collections import deque

from load_contract import Failure, argument_parser, check, churn, cpu_seconds, now, report
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

OPENING_AT_ONCE = 64  # handshakes in progress at once, so as not to overflow the server's backlog
DRAIN_TIMEOUT = 10.0  # seconds to wait for the last echoes, and then for the closing handshakes
MAX_SIZE = 64 << 20




class Run:
    """What every connection shares: the message, whether the window is over, the round trips."""

    def __init__(self, size: int, binary: bool, in_flight: int):
        self.kind = bytes if binary else str
        self.payload = (b"Z" if binary else b"z") * size
        self.text = not binary
        self.size = size
        self.in_flight = in_flight
        self.stopping = False
        self.round_trips = array("q")  # nanoseconds, one per echo received during the window


async def keep_loaded(connection, run: Run):
    """Keeps `in_flight` messages on their way until the run stops, then waits for their echoes."""
    sent = deque()  # send times of the messages on their way, oldest first
    payload, text, kind, size = run.payload, run.text, run.kind, run.size
    round_trips = run.round_trips
    for _ in range(run.in_flight):
        sent.append(now())
        await connection.send(payload, text=text)
    while sent:
        message = await connection.recv()
        round_trip = now() - sent.popleft()
        if type(message) is not kind or len(message) != size:
            got = "text" if type(message) is str else "binary"
            raise Failure(f"the server did not echo the message: got {got} of {len(message)} B")
        if not run.stopping:
            round_trips.append(round_trip)
            sent.append(now())
            await connection.send(payload, text=text)




def failure_of(tasks) -> str:
    """What failed the first failed task."""
    finished = (task for task in tasks if task.done() and not task.cancelled())
    error = next(task.exception() for task in finished if task.exception() is not None)
    if isinstance(error, Failure):
        return str(error)
    if isinstance(error, ConnectionClosed):
        return f"a connection closed before the end of the run: {error}"
    return f"a connection failed: {error!r}"


async def load(arguments) -> dict:
    run = Run(arguments.size, arguments.binary, arguments.in_flight)
    opening = asyncio.Semaphore(OPENING_AT_ONCE)

    def connecting():
        return connect(
            arguments.url,
            compression="deflate" if arguments.deflate else None,
            max_size=max(MAX_SIZE, arguments.size),
        )

    async def open_one():
        async with opening:
            try:
                return await connecting()
            except Exception as error:
                raise Failure(f"could not connect: {error!r}") from error

    async def open_and_close():
        try:
            async with connecting() as connection:
                pass
        except Exception as error:
            raise Failure(f"a connection failed: {error!r}") from error
        # Without the server's Close the code is 1006.
        if connection.close_code != 1000:
            raise Failure(f"a closing handshake did not finish with 1000 ({connection.close_code})")

    if arguments.churn:
        return await churn(open_and_close, arguments.connections, arguments.duration)

    connections = await asyncio.gather(*(open_one() for _ in range(arguments.connections)))

    start_time, start_cpu = now(), cpu_seconds()
    tasks = [asyncio.create_task(keep_loaded(connection, run)) for connection in connections]
    for task in tasks:
        # One failure is reported; the others, often the same one seen elsewhere, stay quiet.
        task.add_done_callback(lambda task: task.cancelled() or task.exception())
    # A task only ends before the window does if its connection failed.
    done, _ = await asyncio.wait(tasks, timeout=arguments.duration, return_when=asyncio.FIRST_COMPLETED)
    end_time, end_cpu = now(), cpu_seconds()
    run.stopping = True  # nothing else runs between the sample and this, so the counts agree
    if done:
        raise Failure(failure_of(tasks))

    done, pending = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT)
    if any(task.exception() is not None for task in done):
        raise Failure(failure_of(tasks))
    if pending:
        raise Failure(f"{len(pending)} connection(s) did not get their last echoes within {DRAIN_TIMEOUT} s")
    await asyncio.gather(*(connection.close(1000) for connection in connections))
    # close() waits for the server's Close (up to close_timeout); without it the code is 1006.
    unclean = sum(1 for connection in connections if connection.close_code != 1000)
    if unclean:
        raise Failure(f"{unclean} closing handshake(s) did not finish with 1000")

    return report(run.round_trips, arguments.size, start_time, end_time, start_cpu, end_cpu)


def parse_arguments():
    parser = argument_parser(__doc__.splitlines()[0], "offer permessage-deflate")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop instead of asyncio's loop")
    arguments = parser.parse_args()
    check(parser, arguments)
    return arguments


if __name__ == "__main__":
    arguments = parse_arguments()
    if arguments.uvloop:
        import uvloop

        run = uvloop.run
    else:
        run = asyncio.run
    try:
        results = run(load(arguments))
    except Failure as failure:
        print(f"websockets_client.py: {failure}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(results, separators=(",", ":")), flush=True)
