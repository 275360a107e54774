#!/usr/bin/env python3
"""A load client on picows (Cython, uvloop): the fastest Python peer for the end-to-end benchmarks.

    picows_client.py URL --connections N --size BYTES --in-flight K --duration SECONDS [--binary]
    picows_client.py URL --connections N --duration SECONDS --churn

Opens N connections (at most 64 handshakes at once), then for the duration keeps K messages of
BYTES bytes in flight on each, sending the next as each echo returns, and prints one JSON line:
messages and payload bytes echoed during the window, its length, this process's CPU seconds over
it, and round-trip percentiles in microseconds. Exits 1 if a connection fails or closes early, or
an echo is not a message of the kind and size sent; exits 2 on ``--deflate``, which picows lacks.
With ``--churn``, each of N slots opens a connection and closes it, over and over, and the line
counts those instead (see README.md).

How picows is used, and why:

* picows's own low-level API, as its documentation recommends for speed: a ``WSListener``
  whose ``on_ws_frame`` callback does the work on the uvloop event loop, with no coroutine or
  message object per echo. ``transport.send`` masks and writes each message as one frame from a
  payload made once.
* An echo is checked by ``frame.msg_type`` and ``frame.payload_size`` without copying the payload.
  picows hands over frames, not messages; a fragmented echo is reassembled as far as counting
  goes (kind of the first frame, sizes summed until ``fin``), so any server can be loaded.
* Round trips come from a FIFO (``deque``) of send times per connection, since an echo server
  answers in order, and go into one ``array`` of nanoseconds: appending is cheap and the sort
  for the percentiles happens after the window.
* picows uses aiofastnet for its sockets when it is installed (it is one of its dependencies).
* Churn opens with ``ws_connect`` and closes the way a loaded connection finishes:
  ``transport.send_close`` with 1000, then ``wait_disconnected`` once the server's Close is in.
"""

import asyncio
import json
import sys
from array import array
from collections import deque

import uvloop
from load_contract import Failure, argument_parser, check, churn, cpu_seconds, now, report
from picows import WSCloseCode, WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

OPENING_AT_ONCE = 64  # handshakes in progress at once, so as not to overflow the server's backlog
DRAIN_TIMEOUT = 10.0  # seconds to wait for the last echoes, and then for each closing handshake
MAX_FRAME_SIZE = 64 << 20

TEXT, BINARY, CONTINUATION, CLOSE = WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION, WSMsgType.CLOSE



class Run:
    """What every connection shares: the message, whether the window is over, the round trips."""

    def __init__(self, size: int, binary: bool, in_flight: int):
        self.kind = BINARY if binary else TEXT
        self.payload = (b"Z" if binary else b"z") * size
        self.size = size
        self.in_flight = in_flight
        self.stopping = False
        self.round_trips = array("q")  # nanoseconds, one per echo received during the window
        self.failure = asyncio.get_running_loop().create_future()

    def fail(self, message: str):
        if not self.failure.done():
            self.failure.set_result(message)


class LoadListener(WSListener):
    """One loaded connection: each echo that comes back sends the next message."""

    def __init__(self, run: Run):
        super().__init__()
        self.run = run
        self.transport = None
        self.sent = deque()  # send times of the messages on their way, oldest first
        self.fragment_kind = None  # of a fragmented echo still arriving
        self.fragment_size = 0
        self.drained = None  # a future while finish() waits for the last echoes
        self.closing = False

    def on_ws_connected(self, transport: WSTransport):
        self.transport = transport

    def start(self):
        for _ in range(self.run.in_flight):
            self.send_next()

    def send_next(self):
        self.sent.append(now())
        self.transport.send(self.run.kind, self.run.payload)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame):
        msg_type = frame.msg_type
        if msg_type == TEXT or msg_type == BINARY:
            if frame.fin:
                return self.echoed(msg_type, frame.payload_size)
            self.fragment_kind, self.fragment_size = msg_type, frame.payload_size
        elif msg_type == CONTINUATION:
            self.fragment_size += frame.payload_size
            if frame.fin:
                self.echoed(self.fragment_kind, self.fragment_size)
        elif msg_type == CLOSE:
            if not self.closing:
                self.run.fail(f"the server closed a connection early, with {frame.get_close_code()}")
            # The server answered (or started) the closing handshake; the TCP close can follow.
            transport.disconnect()
        # PING is answered by picows itself (enable_auto_pong); PONG is not expected.

    def echoed(self, kind, size: int):
        sent = self.sent
        if not sent:
            return self.run.fail("a message came back that was never sent")
        round_trip = now() - sent.popleft()
        run = self.run
        if kind != run.kind or size != run.size:
            got = "text" if kind == TEXT else "binary" if kind == BINARY else kind
            return run.fail(f"the server did not echo the message: got {got} of {size} B")
        if not run.stopping:
            run.round_trips.append(round_trip)
            self.send_next()
        elif not sent and self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def on_ws_disconnected(self, transport: WSTransport):
        if not self.closing:
            self.run.fail("a connection was lost before the end of the run")
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    async def finish(self):
        """Waits (bounded) for the echoes still on their way, then closes with 1000."""
        if self.sent and not self.transport.is_disconnected:
            self.drained = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self.drained, DRAIN_TIMEOUT)
            except TimeoutError:
                self.run.fail(f"{len(self.sent)} echo(es) did not come back within {DRAIN_TIMEOUT} s")
        self.closing = True
        self.transport.send_close(WSCloseCode.OK)
        try:
            await asyncio.wait_for(self.transport.wait_disconnected(), DRAIN_TIMEOUT)
        except TimeoutError:
            self.transport.disconnect(graceful=False)
        handshake = self.transport.close_handshake
        if handshake is None or handshake.recv is None:
            self.run.fail("the closing handshake did not finish")




async def load(arguments) -> dict:
    run = Run(arguments.size, arguments.binary, arguments.in_flight)
    opening = asyncio.Semaphore(OPENING_AT_ONCE)

    async def open_one() -> LoadListener:
        async with opening:
            try:
                _, listener = await ws_connect(
                    lambda: LoadListener(run), arguments.url,
                    max_frame_size=max(MAX_FRAME_SIZE, arguments.size))
            except Exception as error:
                raise Failure(f"could not connect: {error!r}") from error
        return listener

    async def open_and_close():
        listener = await open_one()
        await listener.finish()
        if run.failure.done():
            raise Failure(run.failure.result())

    if arguments.churn:
        return await churn(open_and_close, arguments.connections, arguments.duration)

    listeners = await asyncio.gather(*(open_one() for _ in range(arguments.connections)))

    start_time, start_cpu = now(), cpu_seconds()
    for listener in listeners:
        listener.start()
    await asyncio.wait([run.failure], timeout=arguments.duration)
    end_time, end_cpu = now(), cpu_seconds()
    run.stopping = True  # no callback runs between the sample and this, so the counts agree
    if run.failure.done():
        raise Failure(run.failure.result())

    await asyncio.gather(*(listener.finish() for listener in listeners))
    if run.failure.done():
        raise Failure(run.failure.result())

    return report(run.round_trips, arguments.size, start_time, end_time, start_cpu, end_cpu)


def parse_arguments():
    parser = argument_parser(__doc__.splitlines()[0], "refused: picows has no permessage-deflate")
    arguments = parser.parse_args()
    if arguments.deflate:
        print("picows_client.py: picows does not support permessage-deflate", file=sys.stderr)
        sys.exit(2)
    check(parser, arguments)
    return arguments


if __name__ == "__main__":
    arguments = parse_arguments()
    try:
        results = uvloop.run(load(arguments))
    except Failure as failure:
        print(f"picows_client.py: {failure}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(results, separators=(",", ":")), flush=True)
