// Reads a JSON array of hosts from the file named by the first argument and prints, as JSON, the
// versions of Node and its URL parser (ada) and the host that parser makes of each `ws://<host>/`
// (null where it fails), for Tests/WebSocketsTests/IDNA/NodeURLHostTests.swift.
"use strict";
const fs = require("fs");
const hosts = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const results = hosts.map((host) => {
    try {
        return new URL("ws://" + host + "/").host;
    } catch {
        return null;
    }
});
process.stdout.write(JSON.stringify({ node: process.version, ada: process.versions.ada, hosts: results }));
