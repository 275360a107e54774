"""The Python peers of the soak (scripts/soak), on python-websockets and raw sockets.

    peers.py echo-server                      an echo server that sends every echo randomly fragmented
    peers.py clients URL --slots N --duration S
                                              clients that send randomly fragmented, checksummed
                                              messages to an echo server and verify the echoes
    peers.py abuse HOST PORT --duration S --max-message-size N
                                              abusive clients: invalid frames, oversized messages, a
                                              deflate bomb, slow-loris; each asserts the RFC 6455 answer

The clients' messages have the layout of `wsc soak`'s (Sources/wsc/SoakMessage.swift): 16 hex
digits of sequence number, 16 of send time, 16 of checksum, a colon, the body; here the checksum
is the body's CRC-32 (zlib's; pure-Python FNV over a mebibyte is too slow), checked by the same
process that sent it. Each command prints one JSON summary line on standard output and exits
non-zero if anything failed.
"""

import argparse
import asyncio
import base64
import json
import os
import random
import struct
import sys
import time
import zlib

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosedError

MAX_SIZE = 2 << 20
HEADER = 49
TEXT_UNITS = ["abcd", "WXYZ", "0123", "    ", "éü", "Жж", "€!", "中.", "😀", "🎉"]
SESSION_TIMEOUT = 120


def fragments(message):
    """Splits a message into 1 to 8 random pieces (str pieces for text, bytes for binary)."""
    if len(message) < 2:
        return message
    cuts = sorted(random.sample(range(1, len(message)), min(len(message) - 1, random.randint(0, 7))))
    edges = [0, *cuts, len(message)]
    return [message[a:b] for a, b in zip(edges, edges[1:])]


# MARK: echo server


async def echo(websocket):
    try:
        async for message in websocket:
            await websocket.send(fragments(message))
    except ConnectionClosedError:
        pass  # the soak's clients close with codes python-websockets calls errors (3000–4999)


async def echo_server():
    async with serve(echo, "127.0.0.1", 0, max_size=MAX_SIZE) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await server.serve_forever()


# MARK: fragmenting clients


class Tally:
    def __init__(self):
        self.counts = dict(connections=0, deflate=0, sent=0, verified=0, lost=0, corrupted=0,
                           unexpected_closes=0, failures=0)
        self.first_failures = []

    def fail(self, what):
        self.counts["failures"] += 1
        if len(self.first_failures) < 20:
            self.first_failures.append(what)


def make_message(number, size, text):
    body_size = max(0, size - HEADER)
    if text:
        body = "".join(random.choice(TEXT_UNITS) for _ in range(body_size // 4)).encode()
    else:
        body = random.randbytes(body_size)
    header = b"%016x%016x%016x:" % (number, time.monotonic_ns(), zlib.crc32(body))
    data = header + body
    return data.decode() if text else data


def verify(message, number, sent):
    data = message.encode() if isinstance(message, str) else message
    if isinstance(message, str) != isinstance(sent, str) or data != (sent.encode() if isinstance(sent, str) else sent):
        return f"message {number} came back different"
    if int(data[:16], 16) != number or int(data[32:48], 16) != zlib.crc32(data[HEADER:]):
        return f"message {number} fails its checksum"
    return None


async def client_session(url, tally):
    deflate = random.random() < 0.5
    try:
        websocket = await asyncio.wait_for(
            connect(url, compression="deflate" if deflate else None, max_size=MAX_SIZE), 30)
    except Exception as error:
        tally.fail(f"did not open: {error!r}")
        return
    tally.counts["connections"] += 1
    tally.counts["deflate"] += deflate
    # Mostly small messages, some up to 256 KiB: Python builds and checks them slowly.
    plan = [make_message(n, random.choice([random.randint(0, 1024), random.randint(1024, 256 << 10)]),
                         random.random() < 0.5) for n in range(random.randint(1, 20))]

    async def write():
        for message in plan:
            await websocket.send(fragments(message))
            tally.counts["sent"] += 1
            await asyncio.sleep(random.random() * 0.02)

    async def read():
        for number, sent in enumerate(plan):
            try:
                message = await websocket.recv()
            except Exception as error:
                tally.counts["lost"] += len(plan) - number
                tally.fail(f"echo {number} lost: {error!r}")
                return
            failure = verify(message, number, sent)
            if failure:
                tally.counts["corrupted"] += 1
                tally.fail(failure)
            else:
                tally.counts["verified"] += 1

    try:
        await asyncio.wait_for(asyncio.gather(write(), read()), SESSION_TIMEOUT)
    except Exception as error:
        tally.fail(f"session failed: {error!r}")
    code = random.choice([1000, 1001, random.randint(3000, 4999)])
    reason = f"py soak {random.randrange(1 << 32)}"
    await websocket.close(code, reason)
    if (websocket.close_code, websocket.close_reason) != (code, reason):
        tally.counts["unexpected_closes"] += 1
        tally.fail(f"closed with {code} {reason!r}, answered {websocket.close_code} {websocket.close_reason!r}")


async def clients(url, slots, duration):
    tally = Tally()
    deadline = time.monotonic() + duration

    async def slot():
        while time.monotonic() < deadline:
            await client_session(url, tally)

    await asyncio.gather(*(slot() for _ in range(slots)))
    return tally.counts | {"first_failures": tally.first_failures}, tally.counts["failures"] == 0


# MARK: abusive clients


def frame(opcode, payload, fin=True, rsv=0, mask=True, length=None):
    length = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    bit = 0x80 if mask else 0
    if length < 126:
        head += bytes([bit | length])
    elif length < 1 << 16:
        head += bytes([bit | 126]) + struct.pack("!H", length)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    keys = (key * (len(payload) // 4 + 1))[:len(payload)]
    masked = (int.from_bytes(payload) ^ int.from_bytes(keys)).to_bytes(len(payload))
    return head + key + masked


def handshake_request(port, deflate=False):
    key = base64.b64encode(os.urandom(16)).decode()
    extension = "Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else ""
    return (f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extension}\r\n").encode()


async def opened(host, port, deflate=False):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(handshake_request(port, deflate))
    response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    if not response.startswith(b"HTTP/1.1 101"):
        raise AssertionError(f"handshake answered {response.splitlines()[0]!r}")
    if deflate and b"permessage-deflate" not in response.lower():
        raise AssertionError("the server did not accept permessage-deflate")
    return reader, writer


async def close_code(reader, writer):
    """Reads the server's frames until its Close, answers it, and waits for the TCP close:
    the close code, or "eof" if the connection ended without a Close."""
    code = "eof"
    try:
        while True:
            head = await reader.readexactly(2)
            length = head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", await reader.readexactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", await reader.readexactly(8))[0]
            payload = await reader.readexactly(length)
            if head[0] & 0x0F == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                writer.write(frame(0x8, payload[:2]))
                break
        # After its Close the server must close the TCP connection.
        if await reader.read(1) != b"":
            return f"{code} and data after the Close"
    except asyncio.IncompleteReadError:
        pass
    except ConnectionResetError:
        # The server closed its socket with our bytes unread: the kernel sent a reset, which
        # may discard its Close before we read it.
        return code if code != "eof" else "reset"
    return code


async def expect_close(expected, host, port, frames, deflate=False, unread_input=False):
    reader, writer = await opened(host, port, deflate)
    try:
        for data in frames:
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass  # the server may fail the connection before all of it is written
    try:
        got = await asyncio.wait_for(close_code(reader, writer), 15)
    finally:
        writer.close()
    # A server that fails the connection with our bytes still unread closes with a reset,
    # which RFC 6455 §7.1.7 allows (it SHOULD send the Close first; the reset may discard it).
    if got != expected and not (got == "reset" and unread_input):
        raise AssertionError(f"expected close {expected}, got {got}")
    return str(got)


async def expect_tcp_close_within(seconds, host, port, dribble):
    """Opens a TCP connection, sends the handshake one byte at a time (or nothing), and expects
    the server to close it within `seconds` (its handshake timeout, with slack)."""
    reader, writer = await asyncio.open_connection(host, port)
    start = time.monotonic()

    async def send_slowly():
        for byte in handshake_request(port) if dribble else b"":
            writer.write(bytes([byte]))
            await asyncio.sleep(0.25)
        await asyncio.sleep(3600)

    sender = asyncio.create_task(send_slowly())
    try:
        await asyncio.wait_for(reader.read(), seconds)
    except asyncio.TimeoutError:
        raise AssertionError(f"still open after {seconds} s") from None
    except ConnectionError:
        pass
    finally:
        sender.cancel()
        writer.close()
    return time.monotonic() - start


def abuse_cases(host, port, max_size):
    bomb = zlib.compressobj(wbits=-15)
    deflated = bomb.compress(bytes(4 * max_size)) + bomb.flush(zlib.Z_SYNC_FLUSH)
    return {
        "reserved opcode": lambda: expect_close(1002, host, port, [frame(0x3, b"x")]),
        "unmasked frame": lambda: expect_close(1002, host, port, [frame(0x1, b"hello", mask=False)]),
        "reserved bits": lambda: expect_close(1002, host, port, [frame(0x1, b"hello", rsv=0b010)]),
        "invalid UTF-8": lambda: expect_close(1007, host, port, [frame(0x1, b"ok \xff\xfe")]),
        "long ping": lambda: expect_close(1002, host, port, [frame(0x9, bytes(126))]),
        "stray continuation": lambda: expect_close(1002, host, port, [frame(0x0, b"x")]),
        "oversized message": lambda: expect_close(
            1009, host, port, [frame(0x2, b"", length=2 * max_size) + bytes(64 << 10)], unread_input=True),
        "oversized fragments": lambda: expect_close(
            1009, host, port, [frame(0x2, bytes(max_size // 2), fin=False)]
            + [frame(0x0, bytes(max_size // 2), fin=False) for _ in range(3)], unread_input=True),
        "deflate bomb": lambda: expect_close(
            1009, host, port, [frame(0x2, deflated[:-4], rsv=0b100)], deflate=True),
    }


async def abuse(host, port, duration, max_size):
    results = {}

    def record(name, failure, outcome=None):
        result = results.setdefault(name, {"passed": 0, "failed": 0, "outcomes": {}})
        if failure:
            result["failed"] += 1
            result.setdefault("first_failure", failure)
        else:
            result["passed"] += 1
            outcome = outcome or "closed"
            result["outcomes"][outcome] = result["outcomes"].get(outcome, 0) + 1

    cases = abuse_cases(host, port, max_size)
    deadline = time.monotonic() + duration

    async def quick():
        while time.monotonic() < deadline:
            name, case = random.choice(list(cases.items()))
            try:
                record(name, None, await asyncio.wait_for(case(), 30))
            except Exception as error:
                record(name, repr(error))
            await asyncio.sleep(0.5)

    async def slow():
        # The server's handshake timeout is 10 s; a dribbled handshake needs about 50 s.
        while time.monotonic() < deadline:
            for name, dribble in [("slow-loris handshake", True), ("idle connection", False)]:
                try:
                    await expect_tcp_close_within(15, host, port, dribble)
                    record(name, None)
                except Exception as error:
                    record(name, repr(error))

    await asyncio.gather(quick(), quick(), slow())
    return results, all(result["failed"] == 0 for result in results.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("echo-server")
    clients_parser = commands.add_parser("clients")
    clients_parser.add_argument("url")
    clients_parser.add_argument("--slots", type=int, default=2)
    clients_parser.add_argument("--duration", type=float, default=60)
    abuse_parser = commands.add_parser("abuse")
    abuse_parser.add_argument("host")
    abuse_parser.add_argument("port", type=int)
    abuse_parser.add_argument("--duration", type=float, default=60)
    abuse_parser.add_argument("--max-message-size", type=int, required=True)
    args = parser.parse_args()

    if args.command == "echo-server":
        asyncio.run(echo_server())
        return
    if args.command == "clients":
        summary, ok = asyncio.run(clients(args.url, args.slots, args.duration))
    else:
        summary, ok = asyncio.run(abuse(args.host, args.port, args.duration, args.max_message_size))
    print(json.dumps(summary, sort_keys=True), flush=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
