#!/usr/bin/env python3
"""An echo server on picows (Cython, uvloop), a fast peer for the end-to-end benchmarks.

    picows_server.py [--port 0]

Prints ``PORT <n>`` once listening on 127.0.0.1, then echoes every frame it receives (our
clients send each message as one frame) until killed.
"""

import argparse
import asyncio

import uvloop
from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_create_server


class Echo(WSListener):
    def on_ws_frame(self, transport: WSTransport, frame: WSFrame):
        if frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()
        elif frame.msg_type in (WSMsgType.TEXT, WSMsgType.BINARY):
            transport.send(frame.msg_type, frame.get_payload_as_memoryview())


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    arguments = parser.parse_args()
    server = await ws_create_server(lambda _: Echo(), "127.0.0.1", arguments.port, max_frame_size=64 << 20)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(main())
