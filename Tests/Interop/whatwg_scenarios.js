// The interop clients' scenarios, written once against the WHATWG WebSocket API so that the same
// code runs in Chromium's page (browser_client.py), on Node 20's built-in WebSocket (undici) and on
// Node's ws, which offers the same EventTarget interface (node_client.js).
//
// It must stay plain script: browser_client.py sends this file's text into the page, where there
// is no `require`; only the last lines export for Node.
//
//   runScenario({ url, scenario, protocols, largest }, client) -> Promise<report>
//
// `client.open(url, protocols)` makes the socket, `client.extensions(socket)` tells the negotiated
// Sec-WebSocket-Extensions, and `client.handshake(socket)` (ws only) the response's status and
// headers. The report is the JSON object the clients print; see node_client.js.
'use strict';

const SCENARIOS = ['echo', 'subprotocol', 'close', 'headers'];

const ECHO_SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20];

// Exactly `size` UTF-8 bytes: numbered 16-byte records "<6 hex digits>é✓🎉\n", so that a lost,
// repeated or reordered piece shows and characters of 2, 3 and 4 bytes cross every frame and
// inflate boundary; ASCII dots fill the last size % 16 bytes. python_client.py makes the same text.
function textPayload(size) {
    const records = [];
    const count = Math.floor(size / 16);
    for (let index = 0; index < count; index += 1) {
        records.push(`${index.toString(16).padStart(6, '0')}é✓🎉\n`);
    }
    return records.join('') + '.'.repeat(size % 16);
}

// Exactly `size` bytes in which each 4-byte big-endian word holds its own index.
function binaryPayload(size) {
    const words = new DataView(new ArrayBuffer(Math.ceil(size / 4) * 4));
    for (let index = 0; index < words.byteLength / 4; index += 1) words.setUint32(index * 4, index);
    return words.buffer.slice(0, size);
}

// The index of the first differing byte, or -1 when equal; -2 when the lengths differ.
function firstDifference(expected, actual) {
    if (expected.byteLength !== actual.byteLength) return -2;
    const left = new Uint8Array(expected);
    const right = new Uint8Array(actual);
    for (let index = 0; index < left.length; index += 1) {
        if (left[index] !== right[index]) return index;
    }
    return -1;
}

function utf8Length(text) {
    return new TextEncoder().encode(text).byteLength;
}

// Turns the socket's events into a queue read one at a time. After the close event every read
// returns it again, so a scenario that meets an early close ends instead of waiting. The error
// events' messages go to `errors`.
function inbox(socket, errors) {
    const queue = [];
    let waiter = null;
    let closed = null;
    const push = (item) => {
        if (item.type === 'close') closed = item;
        if (waiter) {
            const resolve = waiter;
            waiter = null;
            resolve(item);
        } else {
            queue.push(item);
        }
    };
    socket.addEventListener('open', () => push({ type: 'open' }));
    socket.addEventListener('message', (event) => push({ type: 'message', data: event.data }));
    socket.addEventListener('close', (event) => push({
        type: 'close', code: event.code, reason: event.reason, wasClean: event.wasClean,
    }));
    // Browsers say nothing in an error event (Node's clients give a message), and the close event
    // after it tells the rest; but undici 6 fires no close event when it refuses the handshake
    // response (no subprotocol chosen), so one is made up if none follows within 3 s.
    socket.addEventListener('error', (event) => {
        const message = event.message || (event.error && event.error.message);
        if (message) errors.push(message);
        setTimeout(() => {
            if (!closed) push({ type: 'close', code: 1006, reason: '', wasClean: false, missing: true });
        }, 3000);
    });
    return () => {
        if (queue.length > 0) return Promise.resolve(queue.shift());
        if (closed) return Promise.resolve(closed);
        return new Promise((resolve) => { waiter = resolve; });
    };
}

function describe(data) {
    return typeof data === 'string'
        ? `text of ${utf8Length(data)} bytes`
        : `binary of ${data.byteLength} bytes`;
}

// Sends `message` and checks that the next message is its exact echo.
async function echoOne(socket, next, kind, size, message) {
    const started = performance.now();
    socket.send(message);
    const event = await next();
    const result = { kind, size, ok: false, ms: Math.round(performance.now() - started) };
    if (event.type !== 'message') {
        result.detail = `the connection closed (${event.code}) before the echo`;
    } else if (kind === 'text') {
        result.ok = typeof event.data === 'string' && event.data === message;
        if (!result.ok) result.detail = `received ${describe(event.data)}`;
    } else if (typeof event.data === 'string') {
        result.detail = `received ${describe(event.data)}`;
    } else {
        const difference = firstDifference(message, event.data);
        result.ok = difference === -1;
        if (difference === -2) result.detail = `received ${describe(event.data)}`;
        if (difference >= 0) result.detail = `first differing byte at ${difference}`;
    }
    return { result, closed: event.type === 'close' ? event : null };
}

async function echoAll(socket, next, largest) {
    const results = [];
    for (const size of ECHO_SIZES.filter((size) => size <= largest)) {
        for (const kind of ['text', 'binary']) {
            const message = kind === 'text' ? textPayload(size) : binaryPayload(size);
            const { result, closed } = await echoOne(socket, next, kind, size, message);
            results.push(result);
            if (closed) return results;
        }
    }
    return results;
}

async function runScenario({ url, scenario, protocols, largest = ECHO_SIZES[ECHO_SIZES.length - 1] }, client) {
    if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
    if (scenario === 'headers' && !client.handshake) {
        throw new Error('this client cannot see the handshake response: the headers scenario needs python or node ws');
    }
    const report = { opened: false };
    const socket = client.open(url, protocols);
    socket.binaryType = 'arraybuffer';
    const errors = [];
    const next = inbox(socket, errors);
    const finish = (event) => {
        report.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
        if (event.missing) errors.push('no close event followed the error event');
        if (errors.length > 0) report.error = errors.join('; ');
        return report;
    };

    const first = await next();
    if (first.type !== 'open') {
        errors.unshift('the opening handshake failed');
        if (client.handshake) Object.assign(report, client.handshake(socket));
        return finish(first);
    }
    report.opened = true;
    report.protocol = socket.protocol;
    report.extensions = client.extensions(socket);

    let closeCode = 1000;
    let closeReason = '';
    switch (scenario) {
        case 'echo':
            report.results = await echoAll(socket, next, largest);
            break;
        case 'close':
            report.results = [(await echoOne(socket, next, 'text', 2, 'hi')).result];
            closeCode = 4000;
            closeReason = 'bye';
            break;
        case 'headers':
            Object.assign(report, client.handshake(socket));
            break;
        default:  // subprotocol: the handshake is all there is to see
            break;
    }
    if (socket.readyState === 1) socket.close(closeCode, closeReason);
    let event = await next();
    while (event.type !== 'close') event = await next();  // messages after the last echo
    return finish(event);
}

if (typeof module !== 'undefined') module.exports = { runScenario, SCENARIOS };
