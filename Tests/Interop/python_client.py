#!/usr/bin/env python3
"""A python-websockets client for the interop tests of our server (the asyncio API, websockets 17).

    python_client.py --url ws://127.0.0.1:PORT/PATH --scenario echo|subprotocol|close|headers
                     [--protocols a,b] [--cacert PEM] [--largest BYTES] [--timeout SECONDS]

permessage-deflate is offered, as python-websockets does by default. The scenarios are those of
whatwg_scenarios.js, which the Node and browser clients run:

    echo         text and binary messages of 0, 1, 125, 126, 65535, 65536 bytes, 1 MiB and 16 MiB
                 (--largest leaves out the bigger ones), each echo checked byte for byte; close 1000
    subprotocol  offer --protocols, see which one the server chose; close 1000
    close        send "hi", await its echo, close with 4000 "bye"
    headers      the handshake response's status and headers; close 1000

Prints one JSON object on stdout and exits 0 once the scenario ran, whatever it saw:
    {client, opened, protocol, extensions, results: [{kind, size, ok, ms, detail?}],
     status?, headers?: [[name, value]], close: {code, reason, wasClean}, error?}
Exits non-zero with a message on stderr when it could not run or did not finish in time.
"""

import argparse
import array
import asyncio
import json
import signal
import ssl
import sys
import time

try:
    import websockets
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
    from websockets.protocol import State
except ImportError:
    print("python_client.py: python-websockets is not installed; run scripts/install-peers", file=sys.stderr)
    sys.exit(3)

SCENARIOS = ["echo", "subprotocol", "close", "headers"]
ECHO_SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--scenario", required=True, choices=SCENARIOS)
    parser.add_argument("--protocols", default="", help="comma-separated, in order of preference")
    parser.add_argument("--cacert", help="PEM file: the root to trust for wss")
    parser.add_argument("--largest", type=int, default=ECHO_SIZES[-1], help="largest echo message")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for the whole scenario")
    return parser.parse_args()


def text_payload(size):
    """Exactly `size` UTF-8 bytes: numbered 16-byte records, as in whatwg_scenarios.js."""
    records = "".join(f"{index:06x}é✓🎉\n" for index in range(size // 16))
    return records + "." * (size % 16)


def binary_payload(size):
    """Exactly `size` bytes in which each 4-byte big-endian word holds its own index."""
    words = array.array("I", range((size + 3) // 4))
    if sys.byteorder == "little":
        words.byteswap()
    return words.tobytes()[:size]


def describe(data):
    if isinstance(data, str):
        return f"text of {len(data.encode())} bytes"
    return f"binary of {len(data)} bytes"


async def echo_one(connection, kind, size, message):
    """Sends `message` and checks that the next message is its exact echo."""
    started = time.monotonic()
    result = {"kind": kind, "size": size, "ok": False}
    try:
        await connection.send(message)
        echo = await connection.recv()
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else 1006
        result["detail"] = f"the connection closed ({code}) before the echo"
    else:
        result["ok"] = type(echo) is type(message) and echo == message
        if not result["ok"]:
            difference = first_difference(message, echo)
            result["detail"] = f"first differing byte at {difference}" if difference is not None else f"received {describe(echo)}"
    result["ms"] = round((time.monotonic() - started) * 1000)
    return result


def first_difference(expected, actual):
    """The first differing byte of two same-length binary messages, else None."""
    if isinstance(expected, str) or isinstance(actual, str) or len(expected) != len(actual):
        return None
    return next(index for index, (left, right) in enumerate(zip(expected, actual)) if left != right)


async def echo_all(connection, largest):
    results = []
    for size in (size for size in ECHO_SIZES if size <= largest):
        for kind, make in (("text", text_payload), ("binary", binary_payload)):
            result = await echo_one(connection, kind, size, make(size))
            results.append(result)
            if not result["ok"] and connection.state is not State.OPEN:
                return results  # the echo that never came is the last result
    return results


def handshake(response):
    return {"status": response.status_code, "headers": [[name, value] for name, value in response.headers.raw_items()]}


def close_seen(connection):
    """The closing frame received (1006 without one) and whether both frames went."""
    protocol = connection.protocol
    received = protocol.close_rcvd
    return {
        "code": received.code if received else 1006,
        "reason": received.reason if received else "",
        "wasClean": received is not None and protocol.close_sent is not None,
    }


async def run(arguments):
    protocols = [name for name in arguments.protocols.split(",") if name]
    tls = ssl.create_default_context(cafile=arguments.cacert) if arguments.cacert else None
    report = {"client": f"python-websockets {websockets.version.version}", "opened": False}
    try:
        connection = await connect(
            arguments.url,
            subprotocols=protocols or None,
            ssl=tls,
            max_size=None,  # the 16 MiB echo; the default is 1 MiB
            proxy=None,  # never a proxy from the environment: the traffic stays on loopback
            open_timeout=60,  # the default 10 s is short on a busy 2-core machine
        )
    except InvalidStatus as error:
        report.update(handshake(error.response), error=f"the opening handshake failed: {error}")
        report["close"] = {"code": 1006, "reason": "", "wasClean": False}
        return report
    except (InvalidHandshake, OSError) as error:
        report.update(error=f"the opening handshake failed: {error}")
        report["close"] = {"code": 1006, "reason": "", "wasClean": False}
        return report

    report.update(
        opened=True,
        protocol=connection.subprotocol or "",
        extensions=connection.response.headers.get("Sec-WebSocket-Extensions", ""),
    )
    close_code, close_reason = 1000, ""
    if arguments.scenario == "echo":
        report["results"] = await echo_all(connection, arguments.largest)
    elif arguments.scenario == "close":
        report["results"] = [await echo_one(connection, "text", 2, "hi")]
        close_code, close_reason = 4000, "bye"
    elif arguments.scenario == "headers":
        report.update(handshake(connection.response))
    # A no-op when the server closed first; close_seen then tells what it sent.
    await connection.close(close_code, close_reason)
    report["close"] = close_seen(connection)
    return report


async def main():
    arguments = parse_arguments()
    # Foundation's Process starts children with the spawning thread's signal mask, in which
    # Dispatch blocks SIGTERM: unblock it so that a test's time-out can stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    try:
        async with asyncio.timeout(arguments.timeout):
            report = await run(arguments)
    except TimeoutError:
        print(f"python_client.py: {arguments.scenario} did not finish within {arguments.timeout:g} s", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
