#!/usr/bin/env python3
"""A python-websockets server for the interop tests (the asyncio API, websockets >= 14).

    python_server.py --port 0 [--host 127.0.0.1] [--tls-cert F --tls-key F]
                     [--subprotocols a,b] [--compression deflate|none] [--max-size BYTES]
                     [--unix PATH]

Prints ``PORT <n>`` on stdout once listening, then serves until killed (SIGTERM/SIGINT).
Only ever listens on the loopback address it is given. With ``--unix`` it listens on that Unix
domain socket instead (python-websockets' ``unix_serve``) and prints ``PORT 0``.

Paths select the behaviour:

    /echo                           echo every message, text as text and binary as binary
    /close?code=4001&reason=bye     close with that code and reason after the first message;
                                    add &after=0 to close right after the handshake, or
                                    &after=N to close after the Nth message (each is echoed)
    /request                        send one text message, a JSON object describing the
                                    handshake request (path, headers, subprotocol), then echo
    /reject403                      refuse the handshake with HTTP 403 (process_request)
    /basic-auth                     python-websockets' basic_auth: user ``alice``, password
                                    ``p@ss:wörd``, else 401; then send the username, then echo
    /cookie-required                refuse with 403 unless the request has the cookie
                                    ``session=abc``; then send the Cookie field, then echo
    /set-cookie                     accept with three Set-Cookie fields (process_response):
                                    ``token=xyz; Path=/``, ``scoped=1; Path=/elsewhere`` and
                                    ``secure=1; Path=/; Secure``; then echo

Any other path is refused with HTTP 404. Subprotocols: the server's ``subprotocols`` argument,
so python-websockets picks the first of the server's list that the client offered (and refuses
with 400 a client that offers none when the list is not empty).
"""

import argparse
import asyncio
import http
import json
import signal
import ssl
import sys
import urllib.parse

from http.cookies import SimpleCookie

from websockets.asyncio.server import basic_auth, serve, unix_serve


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert", help="PEM file: certificate chain, leaf first")
    parser.add_argument("--tls-key", help="PEM file: private key")
    parser.add_argument("--subprotocols", default="", help="comma-separated, in order of preference")
    parser.add_argument("--compression", choices=["deflate", "none"], default="deflate")
    parser.add_argument("--max-size", type=int, default=64 << 20, help="largest message accepted")
    parser.add_argument("--unix", help="listen on this Unix domain socket instead of TCP")
    arguments = parser.parse_args()
    if bool(arguments.tls_cert) != bool(arguments.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return arguments


def split_path(connection):
    path, _, query = connection.request.path.partition("?")
    return path, urllib.parse.parse_qs(query)


KNOWN_PATHS = {"/echo", "/close", "/request", "/set-cookie"}

check_basic_auth = basic_auth(realm="interop", credentials=("alice", "p@ss:wörd"))


async def process_request(connection, request):
    path = request.path.partition("?")[0]
    if path == "/reject403":
        return connection.respond(http.HTTPStatus.FORBIDDEN, "Forbidden\n")
    if path == "/basic-auth":
        return await check_basic_auth(connection, request)
    if path == "/cookie-required":
        cookies = SimpleCookie(request.headers.get("Cookie", ""))
        if "session" not in cookies or cookies["session"].value != "abc":
            return connection.respond(http.HTTPStatus.FORBIDDEN, "No session cookie\n")
        return None
    if path not in KNOWN_PATHS:
        return connection.respond(http.HTTPStatus.NOT_FOUND, "Not Found\n")
    return None


def process_response(connection, request, response):
    if request.path.partition("?")[0] == "/set-cookie" and response.status_code == 101:
        for cookie in ("token=xyz; Path=/", "scoped=1; Path=/elsewhere", "secure=1; Path=/; Secure"):
            response.headers["Set-Cookie"] = cookie  # websockets' Headers appends, it never replaces
    return None


async def echo(connection, limit=None):
    """Echoes messages; stops after `limit` messages when given."""
    count = 0
    if limit == 0:
        return
    async for message in connection:
        await connection.send(message)
        count += 1
        if limit is not None and count >= limit:
            return


async def handler(connection):
    path, query = split_path(connection)
    if path in ("/echo", "/set-cookie"):
        await echo(connection)
    elif path == "/basic-auth":
        await connection.send(connection.username)
        await echo(connection)
    elif path == "/cookie-required":
        await connection.send(connection.request.headers["Cookie"])
        await echo(connection)
    elif path == "/close":
        code = int(query.get("code", ["1000"])[0])
        reason = query.get("reason", [""])[0]
        after = int(query.get("after", ["1"])[0])
        await echo(connection, limit=after)
        await connection.close(code, reason)
    elif path == "/request":
        request = connection.request
        description = {
            "path": request.path,
            "headers": [[name, value] for name, value in request.headers.raw_items()],
            "subprotocol": connection.subprotocol,
        }
        await connection.send(json.dumps(description))
        await echo(connection)


async def main():
    arguments = parse_arguments()
    tls = None
    if arguments.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(arguments.tls_cert, arguments.tls_key)
    subprotocols = [name for name in arguments.subprotocols.split(",") if name] or None

    # A parent may start us with signals blocked (Foundation's Process inherits the mask of the
    # spawning thread, and Dispatch threads block most signals): unblock the ones that stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    stop = asyncio.get_running_loop().create_future()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signal_number, lambda: stop.done() or stop.set_result(None))

    options = dict(
        ssl=tls,
        subprotocols=subprotocols,
        compression=None if arguments.compression == "none" else "deflate",
        max_size=arguments.max_size,
        process_request=process_request,
        process_response=process_response,
        # The default 10 s is short for a test machine whose two cores are busy building.
        open_timeout=60,
    )
    if arguments.unix:
        async with unix_serve(handler, arguments.unix, **options):
            print("PORT 0", flush=True)
            await stop
        return
    async with serve(handler, arguments.host, arguments.port, **options) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await stop


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
