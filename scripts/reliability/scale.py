#!/usr/bin/env python3
"""Scale: one server process holds many connections from our client (`wsc scale`) in another
process on loopback. Reports connections reached, handshakes/s while ramping, memory per idle
connection of the server and of the client (RSS delta ÷ connections), CPU while idle, round
trips under a light load, and whether every connection closed cleanly and every descriptor was
given back.

    scale.py --wsc PATH [--connections N] [--tls-connections N] [--servers ours,...]
             [--repetitions N] [--short] [--json FILE]

Run by scripts/scale, which installs the peers, builds wsc and raises the descriptor limit.
The servers are the end-to-end benchmark's echo servers (Benchmarks/EndToEnd), started the same
way; each runs with and without permessage-deflate. A monitor thread reads /proc for both
processes every half second; `wsc scale` reports when each phase began, so each figure comes
from the samples of its own phase:

  at rest   the last sample before the client starts opening (both processes already started)
  idle      the median over the idle phase: every connection open, each has sent and received
            messages (so what it allocates on first use is counted), and none sends now
  after     the server 2 s after the client closed everything: its descriptors must be back

With --repetitions N every plain row runs N times, the servers taking turns, and the table gives
medians, memory per connection with its range: Node's figure moves with when its garbage
collector last ran.

Exits 1 if any run fails: a connection that does not open, a message lost or corrupted, a close
that is not clean, or a server that keeps descriptors after its clients left.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Benchmarks" / "EndToEnd"))
import bench  # noqa: E402  (the benchmark's servers, started the same way)

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
MARKERS = ("<!-- scale results: begin -->", "<!-- scale results: end -->")
SAMPLE_SECONDS = 0.5


def read_process(pid):
    """(RSS in KiB, CPU seconds so far, open descriptors) of a live process."""
    with open(f"/proc/{pid}/statm") as statm:
        rss_kib = int(statm.read().split()[1]) * PAGE_KIB
    return rss_kib, bench.process_cpu_seconds(pid), len(os.listdir(f"/proc/{pid}/fd"))


class Monitor(threading.Thread):
    """Samples processes every half second until stopped: {name: [(time, rss, cpu, fds)]}."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.samples = {name: [] for name in pids}
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            now = time.time()
            for name, pid in self.pids.items():
                try:
                    self.samples[name].append((now, *read_process(pid)))
                except (FileNotFoundError, ProcessLookupError):
                    pass
            self.stopping.wait(SAMPLE_SECONDS)

    def stop(self):
        self.stopping.set()
        self.join()

    def at(self, name, instant):
        """The last sample at or before `instant`."""
        earlier = [sample for sample in self.samples[name] if sample[0] <= instant]
        return earlier[-1] if earlier else self.samples[name][0]

    def between(self, name, start, end):
        return [sample for sample in self.samples[name] if start <= sample[0] <= end]


def make_certificates(directory):
    """A throwaway CA and a leaf for 127.0.0.1 it signed, with openssl: (CA, leaf, key) paths."""
    ca_key, ca, key, request, leaf = (directory / name for name in ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem"))
    extensions = directory / "leaf.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    quiet = dict(check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=scale test CA"], **quiet)
    subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", request, "-subj", "/CN=127.0.0.1"], **quiet)
    subprocess.run(["openssl", "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-out", leaf, "-days", "2", "-extfile", extensions], **quiet)
    return ca, leaf, key


class TLSServer(bench.Server):
    """Our server on wss: with a certificate from `make_certificates`."""

    def __init__(self, wsc, leaf, key, deflate):
        command = [wsc, "serve", "--port", "0", "--quiet", "--max-connections", "100000",
                   "--tls-cert", str(leaf), "--tls-key", str(key)] + ([] if deflate else ["--no-deflate"])
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stderr.readline()
        if "listening on wss://" not in line:
            raise RuntimeError(f"our wss server did not start: {line}{self.process.stderr.read()}")
        self.port = int(line.strip().rstrip("/").rsplit(":", 1)[1])


def drain(stream, into):
    """Reads a child's pipe to its end in the background, so that the child never blocks on it."""
    thread = threading.Thread(target=lambda: into.append(stream.read()), daemon=True)
    thread.start()
    return thread


def run(wsc, server_name, connections, deflate, timing, tls=None):
    """One server under `connections` of our client; the figures of the run, or its failure."""
    server = TLSServer(wsc, tls[1], tls[2], deflate) if tls else bench.Server(server_name, deflate)
    server_output = []
    drains = [drain(server.process.stdout, server_output), drain(server.process.stderr, server_output)]
    scheme = "wss" if tls else "ws"
    command = [wsc, "scale", f"{scheme}://127.0.0.1:{server.port}/", "--connections", str(connections), "--json",
               "--quiet", "--settle", "2", "--idle", str(timing["idle"]), "--hold", str(timing["hold"]),
               "--interval", str(timing["interval"])]
    if deflate:
        command.append("--deflate")
    if tls:
        command += ["--cacert", str(tls[0])]
    client = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    monitor = Monitor({"server": server.process.pid, "client": client.pid})
    monitor.start()
    try:
        out, err = client.communicate(timeout=timing["idle"] + timing["hold"] + connections / 50 + 120)
        time.sleep(2)  # let the server let go of the last connections
    finally:
        monitor.stop()
        server.stop()
        for thread in drains:
            thread.join(timeout=10)
    lines = out.strip().splitlines()
    if not lines:
        raise RuntimeError(f"wsc scale printed nothing ({client.returncode}): {err.strip()[-600:]}")
    result = json.loads(lines[-1])
    phases = result["phases"]
    figures = dict(server=server_name + (" (wss)" if tls else ""), deflate=deflate, connections=connections,
                   opened=result["opened"], handshakesPerSecond=result["handshakesPerSecond"],
                   p50=result["p50"], p99=result["p99"], messages=result["messagesEchoed"],
                   problems=[line[len("error: "):] for line in err.splitlines() if line.startswith("error: ")])
    idle_start, idle_end = phases["loadEnd"] + 1, phases["idleEnd"]
    for name in ("server", "client"):
        rest = monitor.at(name, phases["rampStart"])
        idle = monitor.between(name, idle_start, idle_end)
        if len(idle) < 2:
            raise RuntimeError("the idle phase is too short to sample; give it more seconds")
        rss_idle = statistics.median(sample[1] for sample in idle)
        figures[f"{name}KiBPerConnection"] = (rss_idle - rest[1]) / max(1, result["opened"])
        figures[f"{name}IdleCPUPercent"] = (idle[-1][2] - idle[0][2]) / (idle[-1][0] - idle[0][0]) * 100
    server_rest, server_after = monitor.at("server", phases["rampStart"]), monitor.samples["server"][-1]
    figures["serverFdsAtRest"], figures["serverFdsAfter"] = server_rest[3], server_after[3]
    if server_after[3] > server_rest[3]:
        figures["problems"].append(f"the server kept {server_after[3] - server_rest[3]} descriptor(s) after its clients closed")
    if client.returncode != 0 and not figures["problems"]:
        figures["problems"].append(f"wsc scale exited {client.returncode}: {err.strip()[-300:]}")
    # A clean shutdown exits 0; under a sanitizer a report makes it exit otherwise.
    if server.process.returncode != 0:
        figures["problems"].append(f"the server exited {server.process.returncode}: {''.join(server_output).strip()[-600:]}")
    return figures


def combine(rows):
    """One row per server and deflate setting: medians of its repetitions, the memory ranges,
    every problem; a failed repetition stands for the row."""
    groups = {}
    for row in rows:
        groups.setdefault((row["server"], row["deflate"]), []).append(row)
    combined = []
    for group in groups.values():
        failed = [row for row in group if "error" in row]
        if failed:
            combined.append(failed[0])
            continue
        row = dict(group[0])
        for key, value in row.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "connections":
                row[key] = statistics.median(other[key] for other in group)
        row["opened"] = min(other["opened"] for other in group)
        for key in ("serverFdsAtRest", "serverFdsAfter"):
            row[key] = max(other[key] for other in group)
        row["problems"] = [problem for other in group for problem in other["problems"]]
        for name in ("server", "client"):
            values = [other[f"{name}KiBPerConnection"] for other in group]
            row[f"{name}KiBPerConnectionRange"] = (min(values), max(values)) if len(values) > 1 else None
        combined.append(row)
    return combined


def kib(row, name):
    figure = f"{row[f'{name}KiBPerConnection']:.1f}"
    spread = row.get(f"{name}KiBPerConnectionRange")
    return figure + (f" ({spread[0]:.1f}–{spread[1]:.1f})" if spread else "")


def table(rows):
    lines = [
        "| server | deflate | connections open | handshakes/s | server KiB/conn | client KiB/conn "
        "| server CPU idle | client CPU idle | round trip p50 / p99 | fds after | result |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['server']} | {'on' if row['deflate'] else 'off'} | — | — | — | — | — | — | — | — | "
                         f"**failed**: {row['error']} |")
            continue
        result = "ok" if not row["problems"] else "**" + "; ".join(row["problems"]) + "**"
        lines.append(
            f"| {row['server']} | {'on' if row['deflate'] else 'off'} | {row['opened']:,} of {row['connections']:,} "
            f"| {row['handshakesPerSecond']:,.0f} | {kib(row, 'server')} | {kib(row, 'client')} "
            f"| {row['serverIdleCPUPercent']:.1f} % | {row['clientIdleCPUPercent']:.1f} % "
            f"| {row['p50'] / 1000:.2f} / {row['p99'] / 1000:.2f} ms | {row['serverFdsAfter']} (at rest {row['serverFdsAtRest']}) "
            f"| {result} |")
    return "\n".join(lines).replace(",", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wsc", required=True)
    parser.add_argument("--connections", type=int, help="plain connections (default 10 000; 1 000 with --short)")
    parser.add_argument("--tls-connections", type=int, help="wss: connections (default 1 000; 200 with --short)")
    parser.add_argument("--servers", default="ours,python-websockets,node-ws")
    parser.add_argument("--repetitions", type=int, default=1,
                        help="run each plain row this many times, servers taking turns, and give medians")
    parser.add_argument("--short", action="store_true", help="our server only, fewer connections, short phases")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--markdown", help="put the table, with the command and commit, between this file's scale markers")
    arguments = parser.parse_args()

    bench.SERVERS["ours"] = ([arguments.wsc, "serve", "--port", "0", "--quiet", "--max-connections", "100000"], True)
    servers = arguments.servers.split(",")
    connections, tls_connections = 10_000, 1_000
    timing = dict(idle=10, hold=30, interval=5)
    if arguments.short:
        servers, connections, tls_connections = ["ours"], 1_000, 200
        timing = dict(idle=3, hold=6, interval=2)
    connections = arguments.connections or connections
    tls_connections = arguments.tls_connections or tls_connections

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        tls = make_certificates(Path(scratch))
        runs = [(name, deflate, connections, None)
                for _ in range(arguments.repetitions) for name in servers for deflate in (False, True)]
        runs.append(("ours", False, tls_connections, tls))
        for name, deflate, count, tls_files in runs:
            label = f"{name}{' (wss)' if tls_files else ''}, {count} connections, deflate {'on' if deflate else 'off'}"
            print(f"scale: {label}", file=sys.stderr, flush=True)
            try:
                rows.append(run(arguments.wsc, name, count, deflate, timing, tls_files))
            except Exception as error:  # a failed run is reported in the table, and fails the script
                rows.append(dict(server=name, deflate=deflate, error=str(error)[-300:]))
    rows = combine(rows)
    print(table(rows))
    if arguments.markdown:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
        shown = " ".join(arg for arg, previous in zip(sys.argv[1:], [""] + sys.argv[1:])
                         if arg not in ("--wsc", "--markdown", "--json") and previous not in ("--wsc", "--markdown", "--json"))
        command = f"scripts/scale {shown}".strip()
        repeated = (f" Every row but `wss:` ran {arguments.repetitions} times, the servers taking turns: medians,"
                    f" and memory per connection with its range." if arguments.repetitions > 1 else "")
        report = (f"Measured {time.strftime('%Y-%m-%d')} at commit `{commit}` with `{command}`"
                  f" ({connections:,} connections; {tls_connections:,} on wss:).".replace(",", " ") + repeated + "\n\n"
                  + table(rows) + "\n")
        bench.write_markdown(Path(arguments.markdown), report, MARKERS)
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(rows, indent=2) + "\n")
    if any("error" in row or row["problems"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
