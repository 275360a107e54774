#!/usr/bin/env python3
"""An echo server on python-websockets (asyncio API), the peer most Python users run.

    websockets_server.py [--port 0] [--deflate] [--uvloop]

Prints ``PORT <n>`` once listening on 127.0.0.1, then echoes every message, text as text and
binary as binary, until SIGTERM or SIGINT, and exits 0.

How websockets is used, and why:

* ``websockets.asyncio.server.serve`` with the echo handler of its documentation: ``async for``
  over the messages, ``await send`` of each one. Text is decoded and encoded again on the way;
  that is the cost users pay, so it stays.
* Everything else at its default (keepalive pings, queue and write limits) except what the
  benchmarks need: ``max_size`` 64 MiB instead of 1 MiB, and ``compression`` off unless
  ``--deflate`` (websockets turns permessage-deflate on by default; the benchmarks measure
  bytes unless they ask for it).
* The default asyncio event loop, as users have it; ``--uvloop`` runs on uvloop instead.
"""

import argparse
import asyncio
import signal

from websockets.asyncio.server import serve

MAX_SIZE = 64 << 20


async def echo(connection):
    async for message in connection:
        await connection.send(message)


async def main(port: int, deflate: bool):
    async with serve(
        echo, "127.0.0.1", port, max_size=MAX_SIZE, compression="deflate" if deflate else None
    ) as server:
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        await stop.wait()
    # Leaving `serve` closed the open connections (with 1001) before the process exits 0.


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--deflate", action="store_true", help="accept permessage-deflate")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop instead of asyncio's loop")
    arguments = parser.parse_args()
    if arguments.uvloop:
        import uvloop

        uvloop.run(main(arguments.port, arguments.deflate))
    else:
        asyncio.run(main(arguments.port, arguments.deflate))
