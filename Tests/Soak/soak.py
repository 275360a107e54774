"""The soak driver behind scripts/soak: our server (`wsc serve`) and our client (`wsc soak`)
under connection churn with verified traffic and abusive peers, sampled every few seconds.

Processes, all on 127.0.0.1:
  - server:   wsc serve --stats-interval I (the server under test; one JSON stats line per I s);
  - client:   wsc soak against it (the client under test; its own stats lines);
  - client→py: wsc soak against peers.py's echo server, which fragments every echo;
  - py-clients: peers.py clients against our server, fragmenting every message;
  - abuse:    peers.py abuse against our server (invalid frames, oversized, deflate bomb, slow-loris).

Writes samples.csv, summary.json and soak.png into --out, prints a progress line per sample and
a summary table, and exits non-zero on a crash, a failed check, a lost or corrupted message, or
a clearly rising RSS or fd trend over the second half of the run.
"""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_MESSAGE_SIZE = 2 << 20
# A trend is "clearly rising" when the fitted line over the second half rises by more than
# this over that half: for RSS, the larger of 8 MiB and 10 % of its mean; for fds (beyond
# the live connections, which come and go), 8.
RSS_RISE_KIB, RSS_RISE_FRACTION, FD_RISE = 8 << 10, 0.10, 8


class Process:
    """A child process whose standard error is read line by line: JSON lines are samples."""

    def __init__(self, name, command, log_dir):
        self.name = name
        self.samples = []
        self.log = open(log_dir / f"{name}.log", "w")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.first_line = None
        self.got_first_line = threading.Event()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self):
        for line in self.process.stderr:
            self.log.write(line)
            self.log.flush()
            if line.startswith("{"):
                try:
                    self.samples.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
            elif self.first_line is None:
                self.first_line = line
                self.got_first_line.set()

    def summary(self, timeout):
        """Waits for the process to end; its last stdout line as JSON (None if none) and exit status."""
        try:
            out, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
            return None, f"overran by {timeout} s, killed"
        lines = [line for line in out.splitlines() if line.startswith("{")]
        return (json.loads(lines[-1]) if lines else None), self.process.returncode


def slope_per_minute(points):
    """Least-squares slope of (seconds, value) points, per minute."""
    if len(points) < 3:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return 60 * sum((t - mean_t) * (v - mean_v) for t, v in points) / var if var else 0.0


def trends(samples, duration):
    """RSS and fd slopes over the second half of the load, and whether either clearly rises."""
    half = [s for s in samples if duration / 2 <= s["t_ms"] / 1000 <= duration]
    rss = [(s["t_ms"] / 1000, s["rss_kib"]) for s in half]
    fds = [(s["t_ms"] / 1000, s["fds"]) for s in half]
    spare_fds = [(s["t_ms"] / 1000, s["fds"] - s["connections"]) for s in half]
    minutes = duration / 2 / 60
    result = {
        "rss_kib_per_min": slope_per_minute(rss),
        "fds_per_min": slope_per_minute(fds),
        "fds_beyond_connections_per_min": slope_per_minute(spare_fds),
        "samples_in_second_half": len(half),
    }
    mean_rss = sum(v for _, v in rss) / len(rss) if rss else 0
    rss_limit = max(RSS_RISE_KIB, RSS_RISE_FRACTION * mean_rss)
    result["rss_rising"] = result["rss_kib_per_min"] * minutes > rss_limit
    result["fds_rising"] = result["fds_beyond_connections_per_min"] * minutes > FD_RISE
    return result


def plot(path, server, client, duration):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(4, 1, figsize=(10, 11), sharex=True)
    for samples, label, color in [(server, "server (wsc serve)", "C0"), (client, "client (wsc soak)", "C1")]:
        minutes = [s["t_ms"] / 60000 for s in samples]
        axes[0].plot(minutes, [s["rss_kib"] / 1024 for s in samples], color=color, label=label)
        axes[1].plot(minutes, [s["fds"] for s in samples], color=color, label=f"{label} fds")
        axes[1].plot(minutes, [s["connections"] for s in samples], color=color, linestyle=":",
                     label=f"{label} connections")
        axes[2].plot(minutes, [s["lag_p99_us"] / 1000 for s in samples], color=color, label=f"{label} p99")
        axes[2].plot(minutes, [s["lag_max_us"] / 1000 for s in samples], color=color, linestyle=":",
                     label=f"{label} max")
    minutes = [s["t_ms"] / 60000 for s in client]
    axes[3].plot(minutes, [s["rtt_p50_us"] / 1000 for s in client], color="C1", label="p50")
    axes[3].plot(minutes, [s["rtt_p99_us"] / 1000 for s in client], color="C1", linestyle=":", label="p99")
    for axis, title in zip(axes, ["RSS (MiB)", "open fds and live connections", "event-loop lag (ms)",
                                  "client round trip (ms), echo verified"]):
        axis.set_ylabel(title)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7, loc="upper left")
        axis.axvspan(duration / 120, duration / 60, color="grey", alpha=0.08)
    axes[0].set_ylim(bottom=0)
    axes[1].set_ylim(bottom=0)
    axes[3].set_xlabel("minutes (shaded: the second half, where the slopes are fitted)")
    figure.suptitle(f"wsc soak: {duration / 60:.0f} min of churn against wsc serve")
    figure.tight_layout()
    figure.savefig(path, dpi=80)


def progress(elapsed, duration, server, client):
    s = server.samples[-1] if server.samples else None
    c = client.samples[-1] if client.samples else None
    line = f"[{elapsed:5.0f}/{duration:.0f} s]"
    if s:
        line += (f" server rss {s['rss_kib'] / 1024:6.1f} MiB fds {s['fds']:4d} conns {s['connections']:3d}"
                 f" lag p99 {s['lag_p99_us'] / 1000:5.1f} ms |")
    if c:
        line += (f" client rss {c['rss_kib'] / 1024:6.1f} MiB verified {c['verified']:7d} lost {c['lost']}"
                 f" corrupted {c['corrupted']} failures {c['failures']} rtt p99 {c['rtt_p99_us'] / 1000:.1f} ms")
    print(line, file=sys.stderr, flush=True)


def table(rows):
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wsc", required=True)
    parser.add_argument("--duration", type=float, default=1800)
    parser.add_argument("--interval", type=float, default=10, help="seconds between samples")
    parser.add_argument("--connections", type=int, default=8, help="wsc soak slots against our server")
    parser.add_argument("--py-connections", type=int, default=2,
                        help="slots of wsc soak against the Python server, and of Python clients against ours")
    parser.add_argument("--out", type=Path, default=Path(".build/soak/last"))
    parser.add_argument("--no-trend", action="store_true",
                        help="do not fail on rising RSS (under a sanitizer, whose own memory grows; LeakSanitizer "
                             "and the exit status judge instead)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    duration, interval = args.duration, args.interval

    server = Process("server", [args.wsc, "serve", "--port", "0", "--quiet", "--max-message-size",
                                str(MAX_MESSAGE_SIZE), "--stats-interval", str(interval)], args.out)
    if not server.got_first_line.wait(30) or "listening on ws://" not in server.first_line:
        sys.exit(f"soak: the server did not start: {server.first_line!r}")
    url = server.first_line.split("listening on ")[1].strip()
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    echo_server = subprocess.Popen([python, HERE / "peers.py", "echo-server"], stdout=subprocess.PIPE, text=True)
    py_url = f"ws://127.0.0.1:{echo_server.stdout.readline().strip()}/"
    print(f"soak: {duration:.0f} s; server {url}, Python echo server {py_url}; logs in {args.out}", file=sys.stderr)

    soak = [args.wsc, "soak", "--duration", str(duration), "--stats-interval", str(interval)]
    clients = {
        "client": Process("client", [*soak, url, "--connections", str(args.connections)], args.out),
        "client-to-python": Process("client-to-python", [*soak, py_url, "--connections", str(args.py_connections)],
                                    args.out),
        "python-clients": Process("python-clients", [python, HERE / "peers.py", "clients", url, "--slots",
                                                     str(args.py_connections), "--duration", str(duration)], args.out),
        "abuse": Process("abuse", [python, HERE / "peers.py", "abuse", "127.0.0.1", str(port), "--duration",
                                   str(duration), "--max-message-size", str(MAX_MESSAGE_SIZE)], args.out),
    }

    start = time.monotonic()
    crashed = None
    shown = 0
    while any(c.process.poll() is None for c in clients.values()) and time.monotonic() - start < duration + 180:
        time.sleep(1)
        if server.process.poll() is not None:
            crashed = f"the server exited with {server.process.returncode} during the run"
            break
        if len(server.samples) > shown:
            shown = len(server.samples)
            progress(time.monotonic() - start, duration, server, clients["client"])

    failures = [crashed] if crashed else []
    results = {}
    for name, client in clients.items():
        summary, status = client.summary(timeout=max(1, duration + 180 - (time.monotonic() - start)))
        results[name] = summary
        if status != 0:
            failures.append(f"{name} exited with {status}: {summary}")
    server.process.send_signal(signal.SIGTERM)
    echo_server.send_signal(signal.SIGTERM)
    _, status = server.summary(timeout=30)
    if status != 0 and not crashed:
        failures.append(f"the server exited with {status} on SIGTERM")
    echo_server.wait(timeout=10)

    server_trend = trends(server.samples, duration)
    client_trend = trends(clients["client"].samples, duration)
    for name, trend in [("server", server_trend), ("client", client_trend)]:
        if trend["rss_rising"] and not args.no_trend:
            failures.append(f"{name} RSS rises: {trend['rss_kib_per_min']:.0f} KiB/min over the second half")
        if trend["fds_rising"]:
            failures.append(f"{name} fds rise: {trend['fds_beyond_connections_per_min']:.2f}/min over the second half")

    with open(args.out / "samples.csv", "w", newline="") as file:
        fields = ["process", "t_ms", "rss_kib", "fds", "connections", "lag_max_us", "lag_p99_us",
                  "sent", "verified", "lost", "corrupted", "failures", "rtt_p50_us", "rtt_p99_us"]
        writer = csv.DictWriter(file, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for name in ["server", "client", "client-to-python"]:
            process = server if name == "server" else clients[name]
            for sample in process.samples:
                writer.writerow({"process": name, **sample})
    plot(args.out / "soak.png", server.samples, clients["client"].samples, duration)

    c, p, py, abuse = (results[name] or {} for name in ["client", "client-to-python", "python-clients", "abuse"])
    lag_p99 = max((s["lag_p99_us"] for s in server.samples), default=0) / 1000
    lag_max = max((s["lag_max_us"] for s in server.samples), default=0) / 1000
    rss = [s["rss_kib"] / 1024 for s in server.samples]
    client_rss = [s["rss_kib"] / 1024 for s in clients["client"].samples]
    abuse_passed = sum(r["passed"] for r in abuse.values() if isinstance(r, dict))
    abuse_failed = sum(r["failed"] for r in abuse.values() if isinstance(r, dict))
    abuse_resets = sum(r["outcomes"].get("reset", 0) for r in abuse.values() if isinstance(r, dict))

    def messages(r, verified="verified"):
        return (f"{r.get('sent', 0)} sent, {r.get(verified, 0)} verified, {r.get('lost', 0)} lost, "
                f"{r.get('corrupted', 0)} corrupted")

    rows = [
        ("duration", f"{duration:.0f} s of load, samples every {interval:.0f} s ({len(server.samples)} from the server)"),
        ("wsc soak → wsc serve", f"{c.get('connections', 0)} connections ({c.get('connectionsWithDeflate', 0)} with deflate; "
                                 f"{c.get('connectionsByAPI', {})}), {messages(c)}"),
        ("  closes", f"{c.get('closeCodes', {})}, {c.get('unexpectedCloses', 0)} unexpected"),
        ("  round trip", f"p50 {c.get('rttP50Microseconds', 0) / 1000:.2f} ms, p99 {c.get('rttP99Microseconds', 0) / 1000:.2f} ms, "
                         f"max {c.get('rttMaxMicroseconds', 0) / 1000:.1f} ms"),
        ("wsc soak → Python (fragmenting)", f"{p.get('connections', 0)} connections, {messages(p)}, "
                                            f"{p.get('unexpectedCloses', 0)} unexpected closes"),
        ("Python (fragmenting) → wsc serve", f"{py.get('connections', 0)} connections, {messages(py)}, "
                                             f"{py.get('unexpected_closes', 0)} unexpected closes"),
        ("abusive peers", f"{abuse_passed} passed ({abuse_resets} closed by a reset), {abuse_failed} failed: "
                          + ", ".join(f"{name} {r['passed']}" for name, r in sorted(abuse.items()))),
        ("server RSS", f"{min(rss, default=0):.1f}–{max(rss, default=0):.1f} MiB, slope {server_trend['rss_kib_per_min']:+.1f} KiB/min"),
        ("server fds", f"{min((s['fds'] for s in server.samples), default=0)}–{max((s['fds'] for s in server.samples), default=0)}, "
                       f"slope {server_trend['fds_per_min']:+.3f}/min "
                       f"({server_trend['fds_beyond_connections_per_min']:+.3f}/min beyond live connections)"),
        ("server event-loop lag", f"worst p99 {lag_p99:.1f} ms, max {lag_max:.1f} ms"),
        ("client RSS", f"{min(client_rss, default=0):.1f}–{max(client_rss, default=0):.1f} MiB, "
                       f"slope {client_trend['rss_kib_per_min']:+.1f} KiB/min"),
        ("client fds", f"slope {client_trend['fds_per_min']:+.3f}/min "
                       f"({client_trend['fds_beyond_connections_per_min']:+.3f}/min beyond live connections)"),
        ("crashes", "none" if not crashed else crashed),
        ("verdict", "PASS" if not failures else f"FAIL ({len(failures)})"),
    ]
    print(table(rows))
    for failure in failures:
        print(f"soak: {failure}", file=sys.stderr)
    with open(args.out / "summary.json", "w") as file:
        json.dump({"duration": duration, "results": results, "server_trend": server_trend,
                   "client_trend": client_trend, "failures": failures, "table": rows}, file, indent=1, sort_keys=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
