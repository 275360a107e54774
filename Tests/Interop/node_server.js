#!/usr/bin/env node
// A server on Node's `ws` (Debian package node-ws, at /usr/share/nodejs/ws) for the interop tests.
//
//   node_server.js --port 0 [--host 127.0.0.1] [--tls-cert F --tls-key F]
//                  [--subprotocols a,b] [--compression deflate|none] [--max-size BYTES]
//
// Prints `PORT <n>` on stdout once listening, then serves until killed (SIGTERM/SIGINT).
// Only ever listens on the loopback address it is given.
//
// Paths select the behaviour, as in python_server.py:
//
//   /echo                         echo every message, text as text and binary as binary
//   /close?code=4001&reason=bye   close with that code and reason after the first message;
//                                 &after=0 closes right after the handshake, &after=N after the
//                                 Nth message (each is echoed)
//   /request                      send one text message, a JSON object describing the handshake
//                                 request (path, headers, subprotocol), then echo
//   /reject403                    refuse the handshake with HTTP 403 (in the `upgrade` handler)
//
// Any other path is refused with HTTP 404. Subprotocols: `handleProtocols` picks the first of the
// server's list that the client offered, or none. perMessageDeflate is off unless
// `--compression deflate`; maxPayload is --max-size (default 64 MiB).
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');

function loadWS() {
    for (const name of ['ws', '/usr/share/nodejs/ws']) {
        try {
            return require(name);
        } catch (error) {
            if (error.code !== 'MODULE_NOT_FOUND') throw error;
        }
    }
    process.stderr.write('node_server.js: the ws module is not installed (Debian node-ws); run scripts/install-peers\n');
    process.exit(3);
}

const WebSocket = loadWS();
const WebSocketServer = WebSocket.WebSocketServer || WebSocket.Server;

function parseArguments(argv) {
    const options = {
        host: '127.0.0.1', port: 0, tlsCert: null, tlsKey: null, subprotocols: [], compression: 'none',
        maxSize: 64 * 1024 * 1024,
    };
    for (let index = 0; index < argv.length; index += 1) {
        const flag = argv[index];
        const value = argv[index + 1];
        if (value === undefined) usage(`${flag} needs a value`);
        index += 1;
        switch (flag) {
            case '--host': options.host = value; break;
            case '--port': options.port = Number.parseInt(value, 10); break;
            case '--tls-cert': options.tlsCert = value; break;
            case '--tls-key': options.tlsKey = value; break;
            case '--subprotocols': options.subprotocols = value.split(',').filter((name) => name); break;
            case '--compression':
                if (value !== 'deflate' && value !== 'none') usage(`--compression ${value}`);
                options.compression = value;
                break;
            case '--max-size': options.maxSize = Number.parseInt(value, 10); break;
            default: usage(`unknown option ${flag}`);
        }
    }
    if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) usage('--tls-cert and --tls-key go together');
    if (!Number.isInteger(options.port) || options.port < 0) usage('--port must be a number');
    return options;
}

function usage(message) {
    process.stderr.write(`node_server.js: ${message}\n`);
    process.exit(2);
}

function refuse(socket, status, reason) {
    const body = `${reason}\n`;
    socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n`
        + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function echo(socket, limit, then) {
    let count = 0;
    if (limit === 0) { then(); return; }
    socket.on('message', (data, isBinary) => {
        if (limit !== null && count >= limit) return;
        socket.send(data, { binary: isBinary });
        count += 1;
        if (limit !== null && count >= limit) then();
    });
}

function handle(socket, request) {
    const url = new URL(request.url, 'http://localhost');
    socket.on('error', () => {});
    switch (url.pathname) {
        case '/echo':
            echo(socket, null, () => {});
            break;
        case '/close': {
            const code = Number.parseInt(url.searchParams.get('code') ?? '1000', 10);
            const reason = url.searchParams.get('reason') ?? '';
            const after = Number.parseInt(url.searchParams.get('after') ?? '1', 10);
            echo(socket, after, () => socket.close(code, reason));
            break;
        }
        case '/request': {
            const headers = [];
            for (let index = 0; index < request.rawHeaders.length; index += 2) {
                headers.push([request.rawHeaders[index], request.rawHeaders[index + 1]]);
            }
            socket.send(JSON.stringify({ path: request.url, headers, subprotocol: socket.protocol || null }));
            echo(socket, null, () => {});
            break;
        }
        default:
            socket.close(1011, 'unknown path');
    }
}

const KNOWN_PATHS = new Set(['/echo', '/close', '/request']);

function main() {
    const options = parseArguments(process.argv.slice(2));
    const server = options.tlsCert
        ? https.createServer({ cert: fs.readFileSync(options.tlsCert), key: fs.readFileSync(options.tlsKey) })
        : http.createServer();
    server.on('request', (request, response) => {
        response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'Upgrade' });
        response.end('Upgrade Required\n');
    });

    const wss = new WebSocketServer({
        noServer: true,
        perMessageDeflate: options.compression === 'deflate',
        maxPayload: options.maxSize,
        handleProtocols: (protocols) => options.subprotocols.find((name) => protocols.has(name)) ?? false,
    });
    wss.on('connection', handle);

    server.on('upgrade', (request, socket, head) => {
        socket.on('error', () => {});
        const path = new URL(request.url, 'http://localhost').pathname;
        if (path === '/reject403') { refuse(socket, 403, 'Forbidden'); return; }
        if (!KNOWN_PATHS.has(path)) { refuse(socket, 404, 'Not Found'); return; }
        wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    });

    server.listen(options.port, options.host, () => {
        process.stdout.write(`PORT ${server.address().port}\n`);
    });

    const stop = () => {
        for (const client of wss.clients) client.terminate();
        server.close(() => process.exit(0));
        setTimeout(() => process.exit(0), 1000).unref();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

main();
