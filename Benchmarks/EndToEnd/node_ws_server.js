#!/usr/bin/env node
// An echo server on Node's `ws` (Debian package node-ws, found at /usr/share/nodejs/ws), the
// most used WebSocket server for Node, as a peer for the end-to-end benchmarks.
//
//   node_ws_server.js [--port 0] [--deflate]
//
// Prints `PORT <n>` once listening on 127.0.0.1, then echoes every message, text as text and
// binary as binary, until SIGTERM or SIGINT, and exits 0.
//
// How ws is used, and why:
// - `WebSocketServer` listening by itself, and the echo of its documentation: each 'message'
//   event's data goes straight back with `send(data, { binary: isBinary })`. ws hands text over as
//   a Buffer it has validated as UTF-8, so nothing is decoded or encoded on the way.
// - Defaults otherwise, except `maxPayload` (64 MiB, as the other peers; ws's own default is
//   100 MiB, so this states the contract rather than relying on it) and `perMessageDeflate`,
//   off unless --deflate. With it on, ws's defaults apply: every message is compressed (the
//   1 KiB `threshold` only counts when no_context_takeover is negotiated, and by default it is
//   not), on libuv's thread pool, one message at a time per connection.
'use strict';

const { parseArgs } = require('util');

function loadWS() {
    for (const name of ['ws', '/usr/share/nodejs/ws']) {
        try {
            return require(name);
        } catch (error) {
            if (error.code !== 'MODULE_NOT_FOUND') throw error;
        }
    }
    process.stderr.write('node_ws_server.js: the ws module is not installed (Debian package node-ws)\n');
    process.exit(3);
}

const { WebSocketServer } = loadWS();

const MAX_PAYLOAD = 64 * 1024 * 1024;
// Made once: ws copies its options per send anyway, but there is no need to add garbage.
const AS_TEXT = { binary: false };
const AS_BINARY = { binary: true };

function main() {
    let options;
    try {
        options = parseArgs({
            options: { port: { type: 'string', default: '0' }, deflate: { type: 'boolean', default: false } },
        }).values;
    } catch (error) {
        process.stderr.write(`node_ws_server.js: ${error.message}\n`);
        process.exit(2);
    }
    const port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write('node_ws_server.js: --port must be a port number\n');
        process.exit(2);
    }

    const server = new WebSocketServer({
        host: '127.0.0.1', port, maxPayload: MAX_PAYLOAD, perMessageDeflate: options.deflate,
    });
    server.on('listening', () => process.stdout.write(`PORT ${server.address().port}\n`));
    server.on('error', (error) => {
        process.stderr.write(`node_ws_server.js: ${error.message}\n`);
        process.exit(1);
    });
    server.on('connection', (socket) => {
        socket.on('message', (data, isBinary) => socket.send(data, isBinary ? AS_BINARY : AS_TEXT));
        // A client that goes away mid-run is the client's failure to report, not the server's.
        socket.on('error', () => {});
    });

    const stop = () => {
        // server.close() leaves open connections alone (ws 8), so they are dropped here.
        for (const socket of server.clients) socket.terminate();
        server.close(() => process.exit(0));
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

main();
