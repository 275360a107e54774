#!/usr/bin/env python3
"""An echo server on picows (Cython, uvloop), a fast peer for the end-to-end benchmarks.

    picows_server.py [--port 0] [--deflate]

Prints ``PORT <n>`` once listening on 127.0.0.1, then echoes every frame it receives until
SIGTERM or SIGINT, and exits 0.

picows works on frames, not messages: it echoes each data frame as it comes, with its opcode, so
a fragmented message comes back fragmented the same way. Our load clients send each message as
one frame, so for them this is a message echo. picows has no permessage-deflate, so ``--deflate``
is refused (exit 2) rather than silently benchmarking without compression.
"""

import argparse
import asyncio
import signal
import sys

import uvloop
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_create_server

# Room for the largest messages the benchmarks send (picows's default is 10 MiB).
MAX_FRAME_SIZE = 64 << 20


class Echo(WSListener):
    def on_ws_frame(self, transport: WSTransport, frame: WSFrame):
        if frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()
        elif frame.msg_type in (WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION):
            # The payload is only valid during this callback; send() copies it out.
            transport.send(frame.msg_type, frame.get_payload_as_memoryview(), frame.fin)


async def main(port: int):
    server = await ws_create_server(lambda _: Echo(), "127.0.0.1", port, max_frame_size=MAX_FRAME_SIZE)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await stopped()
    # Returning ends the loop and drops any connection still open; nothing waits on them.
    server.close()


async def stopped():
    """Returns on the first SIGTERM or SIGINT, which then no longer kill the process with a signal status."""
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--deflate", action="store_true", help="refused: picows has no permessage-deflate")
    arguments = parser.parse_args()
    if arguments.deflate:
        print("picows_server.py: picows does not support permessage-deflate", file=sys.stderr)
        sys.exit(2)
    uvloop.run(main(arguments.port))
