#!/usr/bin/env python3
"""A fault-injecting TCP proxy for the fault scenarios (Tests/WebSocketsTests/Faults).

    fault_proxy.py --target HOST:PORT [--listen HOST:PORT] [--delay-ms N] [--jitter-ms N]
                   [--stall-after BYTES | --rst-after BYTES | --fin-after BYTES]
                   [--direction up|down|both]

Listens (127.0.0.1:0 by default), prints ``PORT <n>`` on standard output once bound, and relays
every accepted connection to the target, each direction on its own:

    --delay-ms, --jitter-ms  hold each chunk read for delay ± jitter (uniform) before writing it
                             on; a chunk never overtakes the one before it, so byte order holds
    --stall-after BYTES      once BYTES have been relayed in a faulty direction, relay nothing more
                             either way and read nothing more, but keep both connections open:
                             a peer that vanished without FIN, or a proxy that stopped forwarding
                             (0: relay nothing at all, a server that accepts TCP and never answers)
    --rst-after BYTES        once BYTES have been relayed in a faulty direction, reset both
                             connections (SO_LINGER 0, then close: an RST, no FIN)
    --fin-after BYTES        once BYTES have been relayed in a faulty direction, close both
                             connections normally (a FIN each way)
    --direction              which direction's bytes the fault counts: up (client to target),
                             down (target to client) or both (whichever reaches BYTES first)

A cut falls exactly at BYTES: the chunk that crosses it is split, so a test can place it in the
middle of a frame. Each connection gets its own counts. Events go to standard error, one a line.

Standard library only, so the faults are in plain sight.
"""

import argparse
import asyncio
import random
import socket
import struct
import sys
import time


def log(message):
    print(message, file=sys.stderr, flush=True)


def address(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


class Link:
    """One client connection and its connection to the target."""

    def __init__(self, options, client, target):
        self.options = options
        self.client = client  # (reader, writer)
        self.target = target
        self.relayed = {"up": 0, "down": 0}
        self.stalled = asyncio.Event()
        self.ended = False

    def counts(self, direction):
        return self.options.direction in (direction, "both")

    def fault_limit(self):
        """The byte offset of the fault in a faulty direction, or None."""
        for limit in (self.options.stall_after, self.options.rst_after, self.options.fin_after):
            if limit is not None:
                return limit
        return None

    async def run(self):
        if self.options.stall_after == 0:
            log("stall at 0")
            self.stalled.set()
        await asyncio.gather(
            self.pump("up", self.client[0], self.target[1]),
            self.pump("down", self.target[0], self.client[1]))

    async def pump(self, direction, reader, writer):
        """Reads chunks and queues them, each with the time it may be written; a sender writes them."""
        queue = asyncio.Queue(maxsize=64)  # at most 64 reads held: the proxy passes backpressure on
        sender = asyncio.ensure_future(self.send(direction, queue, writer))
        not_before = 0.0

        def due():
            """When a chunk read now may be written: delay ± jitter later, never before the previous."""
            nonlocal not_before
            jitter = random.uniform(-self.options.jitter_ms, self.options.jitter_ms)
            not_before = max(time.monotonic() + (self.options.delay_ms + jitter) / 1000, not_before)
            return not_before

        try:
            while not self.stalled.is_set() and not self.ended:
                read = asyncio.ensure_future(reader.read(65536))
                stall = asyncio.ensure_future(self.stalled.wait())
                done, _ = await asyncio.wait({read, stall}, return_when=asyncio.FIRST_COMPLETED)
                if read not in done:
                    read.cancel()
                    break
                stall.cancel()
                try:
                    chunk = read.result()
                except (ConnectionError, OSError):
                    chunk = b""
                if not chunk:
                    await queue.put(("eof", None, due()))
                    break
                limit = self.fault_limit() if self.counts(direction) else None
                if limit is not None and self.relayed[direction] + len(chunk) >= limit:
                    head = chunk[: limit - self.relayed[direction]]
                    self.relayed[direction] += len(head)
                    if head:
                        await queue.put(("data", head, due()))
                    await queue.put(("fault", None, due()))
                    break
                self.relayed[direction] += len(chunk)
                await queue.put(("data", chunk, due()))
            await queue.put(("stop", None, 0.0))
            await sender
        finally:
            sender.cancel()

    async def send(self, direction, queue, writer):
        while True:
            kind, chunk, due = await queue.get()
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            if kind == "stop" or self.stalled.is_set() or self.ended:
                return
            if kind == "data":
                try:
                    writer.write(chunk)
                    await writer.drain()
                except (ConnectionError, OSError):
                    self.end(reset=False)
                    return
            elif kind == "eof":
                # A FIN from one side is passed on as a FIN (half-close), as TCP does.
                try:
                    if writer.can_write_eof():
                        writer.write_eof()
                except (ConnectionError, OSError):
                    pass
                return
            else:
                self.fault(direction)
                return

    def fault(self, direction):
        at = self.relayed[direction]
        if self.options.stall_after is not None:
            log(f"stall {direction} at {at}")
            self.stalled.set()
        elif self.options.rst_after is not None:
            log(f"rst {direction} at {at}")
            self.end(reset=True)
        else:
            log(f"fin {direction} at {at}")
            self.end(reset=False)

    def end(self, reset):
        if self.ended:
            return
        self.ended = True
        for _, writer in (self.client, self.target):
            if reset:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
            else:
                writer.close()


async def serve(options):
    target_host, target_port = address(options.target)

    async def accepted(reader, writer):
        try:
            target = await asyncio.open_connection(target_host, target_port)
        except OSError as error:
            log(f"cannot reach the target: {error}")
            writer.transport.abort()
            return
        link = Link(options, (reader, writer), target)
        try:
            await link.run()
            if link.stalled.is_set():
                await asyncio.Event().wait()  # hold both connections open until the proxy ends
        finally:
            link.end(reset=False)

    host, port = address(options.listen)
    server = await asyncio.start_server(accepted, host, port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description="A fault-injecting TCP proxy.")
    parser.add_argument("--listen", default="127.0.0.1:0")
    parser.add_argument("--target", required=True)
    parser.add_argument("--delay-ms", type=float, default=0)
    parser.add_argument("--jitter-ms", type=float, default=0)
    faults = parser.add_mutually_exclusive_group()
    faults.add_argument("--stall-after", type=int)
    faults.add_argument("--rst-after", type=int)
    faults.add_argument("--fin-after", type=int)
    parser.add_argument("--direction", choices=["up", "down", "both"], default="both")
    options = parser.parse_args()
    if options.jitter_ms > options.delay_ms:
        parser.error("--jitter-ms may not exceed --delay-ms")
    try:
        asyncio.run(serve(options))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
