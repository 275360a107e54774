#!/usr/bin/env node
// A load client on Node's `ws` (Debian package node-ws, found at /usr/share/nodejs/ws), as a
// peer for the end-to-end benchmarks.
//
//   node_ws_client.js URL --connections N --size BYTES --in-flight K --duration SECONDS
//                     [--binary] [--deflate]
//   node_ws_client.js URL --connections N --duration SECONDS --churn [--deflate]
//
// Opens N connections (at most 64 handshakes at once), then for the duration keeps K messages of
// BYTES bytes in flight on each, sending the next as each echo returns, and prints one JSON line:
// messages and payload bytes echoed during the window, its length, this process's CPU seconds
// over it, and round-trip percentiles in microseconds. Exits 1 if a connection fails or closes
// early, or an echo is not a message of the kind and size sent. With --churn, each of N slots
// opens a connection and closes it, over and over, and the line counts those instead (see
// README.md).
//
// How ws is used, and why:
// - A `WebSocket` per connection and its 'message' event, where each echo sends the next message.
// - The payload is a Buffer made once. Text goes out as that Buffer with `{ binary: false }`,
//   which ws documents; it then skips turning a string into bytes on every send.
// - An echo is checked by `isBinary` and `data.length`: ws gives text as a Buffer (validated
//   UTF-8), so nothing is decoded.
// - Defaults otherwise, except `maxPayload` (raised to fit the messages) and
//   `perMessageDeflate` (ws offers it by default; off unless --deflate). With it on, ws's
//   defaults apply: every message is compressed (the 1 KiB `threshold` only counts when
//   no_context_takeover is negotiated, and by default it is not), on libuv's thread pool, one
//   message at a time per connection.
// - Round trips come from a ring of send times per connection (`performance.now()`), since an
//   echo server answers in order, and go into one growing Float64Array of microseconds, sorted
//   for the percentiles after the window.
// - Churn opens a `WebSocket`, waits for 'open', calls `close(1000)` and waits for 'close', as a
//   loaded connection finishes.
'use strict';

const { parseArgs } = require('util');
const { performance } = require('perf_hooks');

function loadWS() {
    for (const name of ['ws', '/usr/share/nodejs/ws']) {
        try {
            return require(name);
        } catch (error) {
            if (error.code !== 'MODULE_NOT_FOUND') throw error;
        }
    }
    process.stderr.write('node_ws_client.js: the ws module is not installed (Debian package node-ws)\n');
    process.exit(3);
}

const WebSocket = loadWS();

const OPENING_AT_ONCE = 64; // handshakes in progress at once, so as not to overflow the server's backlog
const DRAIN_TIMEOUT = 10_000; // ms to wait for the last echoes, and then for the closing handshakes
const MAX_PAYLOAD = 64 * 1024 * 1024;

function fail(message) {
    process.stderr.write(`node_ws_client.js: ${message}\n`);
    process.exit(1);
}

/// Round trips in microseconds, one per echo received during the window.
class RoundTrips {
    constructor() {
        this.values = new Float64Array(1 << 16);
        this.count = 0;
    }

    add(microseconds) {
        if (this.count === this.values.length) {
            const larger = new Float64Array(this.values.length * 2);
            larger.set(this.values);
            this.values = larger;
        }
        this.values[this.count++] = microseconds;
    }

    /// Nearest-rank percentiles, rounded to whole microseconds.
    percentiles(fractions) {
        const ordered = this.values.subarray(0, this.count).sort();
        const rank = (fraction) => Math.max(1, Math.ceil(fraction * this.count));
        return fractions.map((fraction) => Math.round(ordered[rank(fraction) - 1]));
    }
}

/// What every connection shares: the message, whether the window is over, the round trips.
const run = {
    payload: null, sendOptions: null, binary: false, size: 0, inFlight: 1, stopping: false, roundTrips: new RoundTrips(),
};

/// One loaded connection: each echo that comes back sends the next message.
class Connection {
    constructor(socket) {
        this.socket = socket;
        this.sent = new Float64Array(run.inFlight); // a ring of send times, oldest at `head`
        this.head = 0;
        this.pending = 0;
        this.closing = false;
        this.drained = null; // resolves when the last echo is back, once the run stops
        socket.on('message', (data, isBinary) => this.echoed(data, isBinary));
        socket.on('close', (code) => {
            if (!this.closing) fail(`a connection closed before the end of the run (${code})`);
        });
        socket.on('error', (error) => fail(`a connection failed: ${error.message}`));
    }

    start() {
        for (let index = 0; index < run.inFlight; index += 1) this.sendNext();
    }

    sendNext() {
        this.sent[(this.head + this.pending) % this.sent.length] = performance.now();
        this.pending += 1;
        this.socket.send(run.payload, run.sendOptions);
    }

    echoed(data, isBinary) {
        if (this.pending === 0) fail('a message came back that was never sent');
        const roundTrip = performance.now() - this.sent[this.head];
        this.head = (this.head + 1) % this.sent.length;
        this.pending -= 1;
        if (isBinary !== run.binary || data.length !== run.size) {
            const got = isBinary ? 'binary' : 'text';
            fail(`the server did not echo the message: got ${got} of ${data.length} B`);
        }
        if (!run.stopping) {
            run.roundTrips.add(roundTrip * 1000);
            this.sendNext();
        } else if (this.pending === 0 && this.drained) {
            this.drained();
        }
    }

    /// Waits (bounded) for the echoes still on their way, then closes with 1000.
    async finish() {
        if (this.pending > 0) {
            await withTimeout(new Promise((resolve) => { this.drained = resolve; }),
                `${this.pending} echo(es) did not come back within ${DRAIN_TIMEOUT / 1000} s`);
        }
        this.closing = true;
        const closed = new Promise((resolve) => this.socket.once('close', resolve));
        this.socket.close(1000);
        // ws reports 1006 when the server's Close did not come back.
        const code = await withTimeout(closed, 'the closing handshake did not finish');
        if (code === 1006) fail('the closing handshake did not finish');
    }
}

function withTimeout(promise, message) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), DRAIN_TIMEOUT);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function openOne(url, options) {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(url, options);
        socket.once('open', () => {
            socket.removeAllListeners('error');
            resolve(new Connection(socket));
        });
        socket.once('error', (error) => reject(new Error(`could not connect: ${error.message}`)));
    });
}

/// Opens `count` connections, never more than OPENING_AT_ONCE handshakes at a time.
async function openAll(count, url, options) {
    const connections = [];
    let started = 0;
    const worker = async () => {
        while (started < count) {
            started += 1;
            connections.push(await openOne(url, options));
        }
    };
    await Promise.all(Array.from({ length: Math.min(count, OPENING_AT_ONCE) }, worker));
    return connections;
}

function parseArguments() {
    let parsed;
    try {
        parsed = parseArgs({
            allowPositionals: true,
            options: {
                connections: { type: 'string', default: '1' },
                size: { type: 'string', default: '16' },
                'in-flight': { type: 'string', default: '1' },
                duration: { type: 'string', default: '10' },
                binary: { type: 'boolean', default: false },
                deflate: { type: 'boolean', default: false },
                churn: { type: 'boolean', default: false },
            },
        });
    } catch (error) {
        usage(error.message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) usage('give one URL');
    const options = {
        url: positionals[0],
        connections: Number(values.connections),
        size: Number(values.size),
        inFlight: Number(values['in-flight']),
        duration: Number(values.duration),
        binary: values.binary,
        deflate: values.deflate,
        churn: values.churn,
    };
    if (!(Number.isInteger(options.connections) && options.connections >= 1
        && Number.isInteger(options.size) && options.size >= 0
        && Number.isInteger(options.inFlight) && options.inFlight >= 1
        && options.duration > 0)) {
        usage('--connections and --in-flight must be at least 1, --size not negative, --duration positive');
    }
    return options;
}

function usage(message) {
    process.stderr.write(`node_ws_client.js: ${message}\n`);
    process.exit(2);
}

async function main() {
    const options = parseArguments();
    run.payload = Buffer.alloc(options.size, options.binary ? 0x5a : 0x7a); // 'Z' or 'z'
    run.sendOptions = { binary: options.binary };
    run.binary = options.binary;
    run.size = options.size;
    run.inFlight = options.inFlight;

    const socketOptions = { perMessageDeflate: options.deflate, maxPayload: Math.max(MAX_PAYLOAD, options.size) };
    if (options.churn) return churn(options, socketOptions);

    let connections;
    try {
        connections = await openAll(options.connections, options.url, socketOptions);
    } catch (error) {
        fail(error.message);
    }

    const startTime = performance.now();
    const startCPU = process.cpuUsage();
    for (const connection of connections) connection.start();
    await new Promise((resolve) => setTimeout(resolve, options.duration * 1000));
    const cpu = process.cpuUsage(startCPU);
    const seconds = (performance.now() - startTime) / 1000;
    run.stopping = true; // nothing runs between the sample and this, so the counts agree

    try {
        await Promise.all(connections.map((connection) => connection.finish()));
    } catch (error) {
        fail(error.message);
    }

    if (run.roundTrips.count === 0) fail('no echo came back during the run');
    report(options.size, seconds, cpu); // every echo was checked to be this size
}

/// Connection churn: each of the N slots opens a connection, closes it with 1000 and starts over
/// until the duration ends; every open-and-close counts as a message of no bytes, and its
/// duration as the round trip.
async function churn(options, socketOptions) {
    const startTime = performance.now();
    const startCPU = process.cpuUsage();
    const deadline = startTime + options.duration * 1000;
    const slot = async () => {
        while (performance.now() < deadline) {
            const started = performance.now();
            await (await openOne(options.url, socketOptions)).finish();
            run.roundTrips.add((performance.now() - started) * 1000);
        }
    };
    try {
        await Promise.all(Array.from({ length: options.connections }, slot));
    } catch (error) {
        fail(error.message);
    }
    report(0, (performance.now() - startTime) / 1000, process.cpuUsage(startCPU));
}

/// Prints the contract's JSON line for the round trips of the window.
function report(size, seconds, cpu) {
    const messages = run.roundTrips.count;
    const [p50, p90, p99, p999] = run.roundTrips.percentiles([0.5, 0.9, 0.99, 0.999]);
    process.stdout.write(`${JSON.stringify({
        messages,
        bytes: messages * size,
        seconds,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        p50, p90, p99, p999,
    })}\n`);
}

main();
