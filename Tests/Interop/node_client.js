#!/usr/bin/env node
// A WebSocket client on Node for the interop tests of our server: Node's ws (Debian node-ws, with
// perMessageDeflate on) or Node 20's built-in WebSocket (undici).
//
//   node_client.js --impl ws --url ws://127.0.0.1:PORT/PATH --scenario echo|subprotocol|close|headers
//                  [--protocols a,b] [--cacert PEM] [--largest BYTES] [--timeout SECONDS]
//   node --experimental-websocket node_client.js --impl undici ...   (headers: ws only)
//
// The scenarios are in whatwg_scenarios.js; python_client.py describes them. Node 20 keeps its
// WebSocket behind --experimental-websocket, and undici takes no CA option, so for wss with
// --impl undici also set NODE_EXTRA_CA_CERTS=PEM (Node reads it only at start-up). undici 6 fails
// the connection (1006) on a compressed message that inflates past 4 MiB: --largest 1048576.
//
// Prints one JSON object on stdout and exits 0 once the scenario ran, whatever it saw:
//   { client, opened, protocol, extensions, results: [{ kind, size, ok, ms, detail? }],
//     status?, headers?: [[name, value]], close: { code, reason, wasClean }, error? }
// Exits non-zero with a message on stderr when it could not run or did not finish in time.
'use strict';

const fs = require('fs');
const path = require('path');
const { runScenario, SCENARIOS } = require(path.join(__dirname, 'whatwg_scenarios.js'));

function fail(message, status = 2) {
    process.stderr.write(`node_client.js: ${message}\n`);
    process.exit(status);
}

function parseArguments(argv) {
    const options = {
        impl: null, url: null, scenario: null, protocols: [], cacert: null, largest: 16 << 20, timeout: 120,
    };
    for (let index = 0; index < argv.length; index += 2) {
        const flag = argv[index];
        const value = argv[index + 1];
        if (value === undefined) fail(`${flag} needs a value`);
        switch (flag) {
            case '--impl': options.impl = value; break;
            case '--url': options.url = value; break;
            case '--scenario': options.scenario = value; break;
            case '--protocols': options.protocols = value.split(',').filter((name) => name); break;
            case '--cacert': options.cacert = value; break;
            case '--largest': options.largest = Number(value); break;
            case '--timeout': options.timeout = Number(value); break;
            default: fail(`unknown option ${flag}`);
        }
    }
    if (options.impl !== 'ws' && options.impl !== 'undici') fail('--impl must be ws or undici');
    if (!options.url || !options.scenario) fail('--url and --scenario are required');
    if (!SCENARIOS.includes(options.scenario)) fail(`unknown scenario ${options.scenario}`);
    if (!(options.timeout > 0)) fail('--timeout must be a positive number of seconds');
    return options;
}

// The module and its version (from the package.json beside its entry point).
function loadWS() {
    for (const name of ['ws', '/usr/share/nodejs/ws']) {
        try {
            const module = require(name);
            const { version } = require(path.join(path.dirname(require.resolve(name)), 'package.json'));
            return { WebSocket: module, version };
        } catch (error) {
            if (error.code !== 'MODULE_NOT_FOUND') throw error;
        }
    }
    return fail('the ws module is not installed (Debian node-ws); run scripts/install-peers', 3);
}

// ws's WHATWG-style interface, with the handshake response kept from its `upgrade` event (or
// `unexpected-response` when the server refuses), which the WHATWG API hides.
function wsClient(cacert) {
    const { WebSocket, version } = loadWS();
    const responses = new WeakMap();
    return {
        name: `ws ${version}`,
        open(url, protocols) {
            const socket = new WebSocket(url, protocols, {
                perMessageDeflate: true,
                ...(cacert ? { ca: fs.readFileSync(cacert) } : {}),
            });
            socket.on('upgrade', (response) => responses.set(socket, response));
            socket.on('unexpected-response', (request, response) => {
                responses.set(socket, response);
                socket.terminate();  // with this listener ws leaves aborting to us
            });
            return socket;
        },
        extensions(socket) {
            return responses.get(socket)?.headers['sec-websocket-extensions'] ?? '';
        },
        handshake(socket) {
            const response = responses.get(socket);
            if (!response) return {};
            const headers = [];
            for (let index = 0; index < response.rawHeaders.length; index += 2) {
                headers.push([response.rawHeaders[index], response.rawHeaders[index + 1]]);
            }
            return { status: response.statusCode, headers };
        },
    };
}

function undiciClient(cacert) {
    if (typeof WebSocket !== 'function') {
        fail(`node ${process.version} has no global WebSocket: run node with --experimental-websocket`, 3);
    }
    if (cacert && process.env.NODE_EXTRA_CA_CERTS !== cacert) {
        fail('undici trusts extra roots only through NODE_EXTRA_CA_CERTS: set it to the --cacert file');
    }
    return {
        name: `undici ${process.versions.undici} (Node ${process.version})`,
        open: (url, protocols) => new WebSocket(url, protocols),
        extensions: (socket) => socket.extensions,
    };
}

async function main() {
    const options = parseArguments(process.argv.slice(2));
    const client = options.impl === 'ws' ? wsClient(options.cacert) : undiciClient(options.cacert);
    const timer = setTimeout(
        () => fail(`${options.scenario} did not finish within ${options.timeout} s`, 1),
        options.timeout * 1000);
    let report;
    try {
        report = await runScenario(options, client);
    } catch (error) {
        fail(error.message, 1);
    }
    clearTimeout(timer);
    process.stdout.write(`${JSON.stringify({ client: client.name, ...report })}\n`, () => process.exit(0));
}

main();
