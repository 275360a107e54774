#!/usr/bin/env python3
"""End-to-end benchmarks: every client against one fast server, and every server under one load
generator, in one run, with repetitions; a Markdown report and a plot.

    bench.py [--repetitions 3] [--duration 5] [--quick] [--only-clients NAME,...]
             [--only-servers NAME,...] [--markdown FILE] [--plot FILE] [--json FILE]

Run by scripts/bench, which installs the peers and builds the Swift ones first. Each client and
server follows the contracts in Benchmarks/EndToEnd/README.md: a server prints ``PORT <n>``
(ours prints ``listening on …:<n>`` on standard error) and echoes; a client prints one JSON line
with the messages echoed in its load window, their bytes, the window's length and its own CPU
time in the window. With ``--churn`` (the "connect + close" and "connection churn" workloads) the
client's "messages" are connections opened and closed, and the figures are per connection. A
server's CPU time is read from /proc over the client's whole run (so it includes the handshakes
and the closing), the same way for every server.

CPU per unit is the figure to compare: this machine is shared, and wall-clock rates move by 2×.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "Benchmarks" / "EndToEnd"
PYTHON = ROOT / ".build" / "peers" / "bench-venv" / "bin" / "python"
WSC = ROOT / ".build" / "release" / "wsc"  # --wsc changes it
PEERS = ROOT / "Benchmarks" / "Peers" / ".build" / "release"
NODE_PATH = "/usr/share/nodejs"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# name → (command for an echo server, whether it can accept permessage-deflate)
SERVERS = {
    "ours": ([str(WSC), "serve", "--port", "0", "--quiet"], True),
    "picows": ([str(PYTHON), str(HERE / "picows_server.py"), "--port", "0"], False),
    "python-websockets": ([str(PYTHON), str(HERE / "websockets_server.py"), "--port", "0"], True),
    "node-ws": (["node", str(HERE / "node_ws_server.js"), "--port", "0"], True),
    "hummingbird": ([str(PEERS / "hummingbird-echo-server"), "--port", "0"], True),
    "websocket-kit": ([str(PEERS / "websocketkit-echo-server"), "--port", "0"], False),
    # The floor: SwiftNIO with the least WebSocket work a server must do (Benchmarks/Peers).
    "floor (SwiftNIO)": ([str(PEERS / "nio-floor-echo-server"), "--port", "0"], False),
}

# name → command prefix of a load client (URL and the load's flags follow)
CLIENTS = {
    "ours (WebSocket)": [str(WSC), "bench", "--api", "websocket", "--json", "--quiet"],
    "ours (WebSocketStream)": [str(WSC), "bench", "--api", "stream", "--json", "--quiet"],
    # The same, with the client's code on the connection's event loop (no thread hop).
    "ours (WebSocket on its event loop)": [str(WSC), "bench", "--api", "websocket", "--on-event-loop", "--json", "--quiet"],
    "ours (WebSocketStream on its event loop)": [str(WSC), "bench", "--api", "stream", "--on-event-loop", "--json", "--quiet"],
    "picows": [str(PYTHON), str(HERE / "picows_client.py")],
    "python-websockets": [str(PYTHON), str(HERE / "websockets_client.py")],
    "node-ws": ["node", str(HERE / "node_ws_client.js")],
    "hummingbird": [str(PEERS / "hummingbird-bench-client")],
    "websocket-kit": [str(PEERS / "websocketkit-bench-client")],
    # The floors: the least any client must spend (floor_client.c), and the least a client on
    # SwiftNIO must (Benchmarks/Peers).
    "floor (C, raw TCP)": [str(ROOT / ".build" / "peers" / "floor_client")],
    "floor (SwiftNIO)": [str(PEERS / "nio-floor-bench-client")],
}
# The floor clients: one connection, no permessage-deflate.
FLOORS = {"floor (C, raw TCP)", "floor (SwiftNIO)"}

# The client workloads of the table, and the server workloads.
CLIENT_WORKLOADS = [
    ("16 B echo, 64 in flight", dict(size=16, in_flight=64, connections=1), "µs CPU/msg"),
    ("1 MiB echo", dict(size=1 << 20, in_flight=1, connections=1, binary=True), "ms CPU/MB"),
    ("connect + close, 1 at a time", dict(connections=1, churn=True), "µs CPU/conn"),
]
SERVER_WORKLOADS = [
    ("16 B echo, 1 connection × 64 in flight", dict(size=16, in_flight=64, connections=1), "µs CPU/msg"),
    ("16 B echo, 64 connections", dict(size=16, in_flight=1, connections=64), "µs CPU/msg"),
    ("16 B echo, 1 000 connections", dict(size=16, in_flight=1, connections=1000), "µs CPU/msg"),
    ("1 MiB echo", dict(size=1 << 20, in_flight=1, connections=1, binary=True), "ms CPU/MB"),
    ("1 KiB text, permessage-deflate", dict(size=1024, in_flight=16, connections=1, deflate=True), "µs CPU/msg"),
    ("connection churn, 4 at a time", dict(connections=4, churn=True), "µs CPU/conn"),
]


def per_unit(who, unit):
    """The figure (key, digits) a workload's unit names: CPU per message or connection, or per MB."""
    if unit.endswith("/MB"):
        return f"{who}MillisecondsPerMegabyte", 3
    return f"{who}MicrosecondsPerMessage", 2


def rate(unit):
    """The key and unit of a workload's throughput (a churn run's "messages" are connections)."""
    if unit.endswith("/MB"):
        return "megabytesPerSecond", "MB/s"
    return "msgPerSecond", "conn/s" if unit.endswith("/conn") else "msg/s"


def process_cpu_seconds(pid):
    """User + system CPU of a process so far, from /proc (fields 14 and 15 of stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Server:
    """An echo server running for one measurement."""

    def __init__(self, name, deflate):
        command, accepts_deflate = SERVERS[name]
        if deflate and not accepts_deflate:
            raise Unsupported(f"{name} has no permessage-deflate")
        if name == "ours" and not deflate:
            command = command + ["--no-deflate"]
        elif deflate and name != "ours":
            command = command + ["--deflate"]
        env = dict(os.environ, NODE_PATH=NODE_PATH)
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        self.port = self._wait_for_port(name)

    def _wait_for_port(self, name):
        # Ours announces on standard error, the peers on standard output.
        stream = self.process.stderr if name == "ours" else self.process.stdout
        pattern = re.compile(r"listening on ws://[^:]+:(\d+)/" if name == "ours" else r"^PORT (\d+)$")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = stream.readline()
            if not line:
                raise RuntimeError(f"{name} server exited: {self.process.stderr.read()}")
            match = pattern.search(line.strip())
            if match:
                return int(match.group(1))
        raise RuntimeError(f"{name} server did not announce its port")

    def cpu_seconds(self):
        return process_cpu_seconds(self.process.pid)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Unsupported(Exception):
    """A combination a peer cannot run (e.g. picows has no permessage-deflate)."""


def run_client(name, port, load, duration):
    if name in FLOORS and (load["connections"] != 1 or load.get("deflate")):
        raise Unsupported("the floor client has one connection and no permessage-deflate")
    command = CLIENTS[name] + [
        f"ws://127.0.0.1:{port}/", "--connections", str(load["connections"]), "--duration", str(duration),
    ]
    if load.get("churn"):
        command.append("--churn")  # no messages, so no size or in-flight count
    else:
        command += ["--size", str(load["size"]), "--in-flight", str(load["in_flight"])]
    if load.get("binary"):
        command.append("--binary")
    if load.get("deflate"):
        command.append("--deflate")
    env = dict(os.environ, NODE_PATH=NODE_PATH)
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=duration + 120)
    if result.returncode != 0:
        raise RuntimeError(f"{name} client failed ({result.returncode}): {result.stderr.strip()[-400:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(server_name, client_name, load, duration):
    """One run: the client's own figures and the server's CPU per unit."""
    server = Server(server_name, load.get("deflate", False))
    try:
        before = server.cpu_seconds()
        figures = run_client(client_name, server.port, load, duration)
        server_cpu = server.cpu_seconds() - before
    finally:
        server.stop()
    messages = max(figures["messages"], 1)
    megabytes = max(figures["bytes"], 1) / 1e6
    # Churn moves no bytes: per-megabyte figures would be meaningless, and None leaves them out.
    churn = load.get("churn", False)
    return {
        "msgPerSecond": figures["messages"] / figures["seconds"],
        "megabytesPerSecond": None if churn else figures["bytes"] / 1e6 / figures["seconds"],
        "clientMicrosecondsPerMessage": figures["cpuSeconds"] * 1e6 / messages,
        "clientMillisecondsPerMegabyte": None if churn else figures["cpuSeconds"] * 1e3 / megabytes,
        "serverMicrosecondsPerMessage": server_cpu * 1e6 / messages,
        "serverMillisecondsPerMegabyte": None if churn else server_cpu * 1e3 / megabytes,
        "p50": figures.get("p50"), "p99": figures.get("p99"),
    }


def available(name, table):
    """Whether a peer's program (and its script, for Python and Node) is there to run."""
    command = table[name][0] if isinstance(table[name], tuple) else table[name]
    if command[0] == "node":
        return shutil.which("node") is not None and Path(NODE_PATH, "ws").exists() and Path(command[1]).exists()
    if command[0] == str(PYTHON):
        return PYTHON.exists() and Path(command[1]).exists()
    return Path(command[0]).exists()


def summary(values):
    """Median and spread (min–max) of the repetitions."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5)
    parser.add_argument("--quick", action="store_true", help="one repetition of 1 s, two clients, two servers: a smoke test")
    parser.add_argument("--only-clients", default="")
    parser.add_argument("--only-servers", default="")
    parser.add_argument("--load-generator", default="ours (WebSocket on its event loop)")
    parser.add_argument("--reference-server", default="picows")
    parser.add_argument("--wsc", type=Path, default=WSC, help="the wsc binary that runs our server and clients")
    parser.add_argument("--from-json", type=Path, help="measure nothing: render the figures a previous run wrote with --json")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--markdown", type=Path,
                        help="put the report's tables into this file, between its end-to-end markers if it has them")
    parser.add_argument("--plot", type=Path, help="write the PNG plot here")
    arguments = parser.parse_args()
    use_wsc(arguments.wsc)
    if arguments.quick:
        arguments.repetitions, arguments.duration = 1, 1
        arguments.only_clients = arguments.only_clients or "ours (WebSocket),ours (WebSocket on its event loop),picows"
        arguments.only_servers = arguments.only_servers or "ours,picows"

    def chosen(table, only):
        names = [name for name in table if not only or name in only.split(",")]
        missing = [name for name in names if not available(name, table)]
        for name in missing:
            print(f"bench: {name} is not built or installed; run scripts/bench without --skip-install", file=sys.stderr)
        return [name for name in names if name not in missing]

    if arguments.from_json:
        return report(json.loads(arguments.from_json.read_text()), arguments)

    clients = chosen(CLIENTS, arguments.only_clients)
    servers = chosen(SERVERS, arguments.only_servers)
    results = {"clients": {}, "servers": {}, "loadGenerator": arguments.load_generator,
               "referenceServer": arguments.reference_server, "repetitions": arguments.repetitions,
               "duration": arguments.duration}

    def repeat(server, client, load, unit, label):
        runs = []
        for repetition in range(arguments.repetitions):
            try:
                runs.append(measure(server, client, load, arguments.duration))
            except Unsupported as reason:
                return {"unsupported": str(reason)}
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"bench: {label}: {error}", file=sys.stderr)
                return {"failed": str(error)[:300]}
            key, rate_unit = rate(unit)
            print(f"bench: {label} #{repetition + 1}: {runs[-1][key]:.0f} {rate_unit}", file=sys.stderr)
        return {key: summary([run[key] for run in runs]) for key in runs[0] if runs[0][key] is not None}

    for workload, load, unit in CLIENT_WORKLOADS:
        for client in clients:
            results["clients"].setdefault(client, {})[workload] = repeat(
                arguments.reference_server, client, load, unit, f"client {client}, {workload}")
    for workload, load, unit in SERVER_WORKLOADS:
        if arguments.quick and load["connections"] > 64:
            continue
        for server in servers:
            results["servers"].setdefault(server, {})[workload] = repeat(
                server, arguments.load_generator, load, unit, f"server {server}, {workload}")

    report(results, arguments)


def report(results, arguments):
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=1) + "\n")
    if arguments.markdown:
        write_markdown(arguments.markdown, markdown(results))
    if arguments.plot:
        plot(results, arguments.plot)
    print(markdown(results))


def colour(name):
    """Ours red, the peers blue, the floors grey."""
    return "#d9534f" if name.startswith("ours") else "#9a9a9a" if name.startswith("floor") else "#5b8fd9"


def use_wsc(path):
    """Points our server and clients at `path`."""
    for table in (CLIENTS, SERVERS):
        for name, entry in table.items():
            command = entry[0] if isinstance(entry, tuple) else entry
            if command[0] == str(WSC):
                command[0] = str(path)


BEGIN, END = "<!-- end-to-end results: begin -->", "<!-- end-to-end results: end -->"


def write_markdown(path, tables, markers=(BEGIN, END)):
    """Replaces what lies between the markers (or the whole file when it has none)."""
    begin, end = markers
    text = path.read_text() if path.exists() else ""
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + begin + "\n" + tables + end + rest.split(end, 1)[1]
    else:
        text = tables
    path.write_text(text)


def cell(figures, key, digits):
    if "unsupported" in figures:
        return "—"
    if "failed" in figures:
        return "failed"
    value = figures[key]
    return f"{value['median']:.{digits}f} ({value['min']:.{digits}f}–{value['max']:.{digits}f})"


def markdown(results):
    lines = [f"Client CPU per unit against the {results['referenceServer']} echo server, median (min–max) of "
             f"{results['repetitions']} runs of {results['duration']:g} s; lower is better.", ""]
    # Rates beside the CPU figures for the workloads counted in messages or connections.
    rated = [(workload, *rate(unit)) for workload, _, unit in CLIENT_WORKLOADS if not unit.endswith("/MB")]
    header = (["client"] + [f"{workload}: {unit}" for workload, _, unit in CLIENT_WORKLOADS]
              + [f"{workload}: {rate_unit}" for workload, _, rate_unit in rated])
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for client, by_workload in results["clients"].items():
        row = [client]
        for workload, _, unit in CLIENT_WORKLOADS:
            row.append(cell(by_workload.get(workload, {"unsupported": ""}), *per_unit("client", unit)))
        for workload, key, _ in rated:
            row.append(cell(by_workload.get(workload, {"unsupported": ""}), key, 0))
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", f"Server CPU per unit under one load generator ({results['loadGenerator']}), median (min–max); "
              "lower is better. The server's CPU is read from /proc over the client's whole run.", ""]
    header = ["server"] + [f"{workload}: {unit}" for workload, _, unit in SERVER_WORKLOADS]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for server, by_workload in results["servers"].items():
        row = [server]
        for workload, _, unit in SERVER_WORKLOADS:
            row.append(cell(by_workload.get(workload, {"unsupported": ""}), *per_unit("server", unit)))
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Throughput in the same server runs (msg/s; MB/s for 1 MiB; connections opened and closed "
              "per second for churn), median:", ""]
    lines += ["| " + " | ".join(["server"] + [workload for workload, _, _ in SERVER_WORKLOADS]) + " |",
              "|" + "---|" * (len(SERVER_WORKLOADS) + 1)]
    for server, by_workload in results["servers"].items():
        row = [server]
        for workload, _, unit in SERVER_WORKLOADS:
            row.append(cell(by_workload.get(workload, {"unsupported": ""}), rate(unit)[0], 0))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    panels = [("clients", workload, unit, "client") for workload, _, unit in CLIENT_WORKLOADS]
    panels += [("servers", workload, unit, "server") for workload, _, unit in SERVER_WORKLOADS]
    figure, axes = pyplot.subplots(len(panels), 1, figsize=(9, 2.4 * len(panels)))
    for axis, (role, workload, unit, who) in zip(axes, panels):
        key, _ = per_unit(who, unit)
        names, medians, low, high = [], [], [], []
        for name, by_workload in results[role].items():
            figures = by_workload.get(workload, {})
            if key not in figures:
                continue
            names.append(name)
            medians.append(figures[key]["median"])
            low.append(figures[key]["median"] - figures[key]["min"])
            high.append(figures[key]["max"] - figures[key]["median"])
        axis.barh(names, medians, xerr=[low, high], color=[colour(name) for name in names])
        axis.set_title(f"{role[:-1]} CPU, {workload} ({unit}, lower is better)", fontsize=9)
        axis.tick_params(labelsize=8)
        axis.invert_yaxis()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
