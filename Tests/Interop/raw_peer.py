#!/usr/bin/env python3
"""A deliberately unhelpful WebSocket server on raw sockets, for backpressure and unclean-close tests.

    raw_peer.py --mode stall|close-then-stall|close-then-reset|reset [--stall SECONDS] [--close-after SECONDS] [--port N]

Prints ``PORT <n>`` once listening on 127.0.0.1, serves one connection, then exits.

    stall             answer the handshake, wait for the client's first byte, then read nothing
                      for --stall seconds (the kernel's buffers fill and the client's writes must
                      wait), then read and discard everything until the client closes
    close-then-stall  answer the handshake, wait for the client's first byte, send a Close frame
                      (4000 "bye") --close-after seconds later, then read nothing for --stall
                      seconds, then read and discard until the client closes
    close-then-reset  answer the handshake, wait for the client's first byte, send a Close frame
                      (1000 "done"), give the client 0.5 s to answer it, then reset the TCP
                      connection (RST) instead of closing it, as some servers do
    reset             answer the handshake, wait for the client's first byte, then reset the TCP
                      connection (RST) without a Close frame

Standard library only: the behaviour is in plain sight.
"""

import argparse
import base64
import hashlib
import socket
import struct
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def handshake(connection):
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = connection.recv(4096)
        if not chunk:
            raise ConnectionError("closed during the handshake")
        request += chunk
    key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
               if line.lower().startswith(b"sec-websocket-key:"))
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")


def drain(connection):
    try:
        while connection.recv(1 << 16):
            pass
    except OSError:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["stall", "close-then-stall", "close-then-reset", "reset"], required=True)
    parser.add_argument("--stall", type=float, default=2.0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--close-after", type=float, default=0.0, help="close-then-stall: seconds before the Close")
    arguments = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", arguments.port))
    listener.listen(1)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    connection, _ = listener.accept()
    # Small buffers, so that "the peer reads nothing" holds back megabytes, not the kernel's maximum.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)
    handshake(connection)
    # The clock starts with the client's first byte, however late a loaded machine lets it come.
    connection.recv(1)
    if arguments.mode in ("close-then-reset", "reset"):
        if arguments.mode == "close-then-reset":
            connection.sendall(struct.pack("!BBH", 0x88, 6, 1000) + b"done")
            time.sleep(0.5)  # the client's answering Close arrives meanwhile
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()
        return
    if arguments.mode == "close-then-stall":
        time.sleep(arguments.close_after)
        reason = b"bye"
        connection.sendall(struct.pack("!BBH", 0x88, 2 + len(reason), 4000) + reason)
    time.sleep(arguments.stall)
    drain(connection)
    connection.close()


if __name__ == "__main__":
    main()
