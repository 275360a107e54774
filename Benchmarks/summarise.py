#!/usr/bin/env python3
"""Turns the text output of

    swift package --allow-writing-to-package-directory benchmark --no-progress --time-units nanoseconds

into the Markdown tables of ../BENCHMARKS.md: per benchmark the best (p0) and median (p50)
wall-clock time, the bytes per second they mean, the allocations, and the ratio to the peer
measured in the same run (peer time / our time: above 1 means ours is faster).

Usage: python3 summarise.py run.log [more-runs.log ...]
"""
import re
import sys

MIB = 1 << 20


def parse(path):
    """{benchmark name: {metric: [p0, p25, p50, p75, p90, p99, p100, samples]}}, in file order."""
    results = {}
    name = None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith(("Masking:", "Parse:", "Serialise:", "UTF-8:", "Deflate:")):
            name = line.strip()
            results[name] = {}
            continue
        if name and line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            metric, values = cells[0], cells[1:]
            if metric == "Metric":
                continue
            unit = 1.0
            m = re.search(r"\((#|K|M|G)\)\s*\*?$", metric)
            if metric.startswith("Throughput") and m:
                unit = {"#": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m.group(1)]
            t = re.search(r"\((ns|μs|us|ms|s)\)\s*\*?$", metric)
            if metric.startswith("Time") and t:
                unit = {"ns": 1, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}[t.group(1)]
            key = metric.split(" (")[0]
            results[name][key] = [float(v) * (unit if i < 7 else 1) for i, v in enumerate(values)]
    return results


def work(name):
    """(bytes per reported unit, what the unit is) for a benchmark name."""
    if name.startswith(("Masking:", "UTF-8:")):
        m = re.search(r"UTF-8: (\d+) B", name)
        return (int(m.group(1)) if m else MIB), "1 MiB op"
    if name.startswith("Deflate:"):
        return (1024, "1 KiB message") if "1 KiB" in name else (MIB, "1 MiB message")
    if "16 B" in name:
        return 16, "frame"  # .kilo scaling: figures are per frame
    if "64 KiB" in name:
        return 16 * 64 * 1024, "16 frames"
    raise ValueError(name)


def group(name):
    if name.startswith("Masking:"):
        return "Masking"
    if name.startswith("Deflate:"):
        return name.split(" text-like")[0]
    if name.startswith("UTF-8:"):
        return name.split(",")[0]
    return name.rsplit(", ", 1)[0]


def fmt_time(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def main(paths):
    runs = [parse(p) for p in paths]
    first = runs[0]
    peers = {}
    for name in first:
        if "[peer" in name:
            peers.setdefault(group(name), name)
    current = None
    for name in first:
        section = name.split(":")[0]
        if section != current:
            current = section
            print(f"\n#### {section}\n")
            later = "".join(f" run {i + 2}: vs peer at p0 / p50 |" for i in range(len(runs) - 1))
            print("| benchmark | unit | best (p0) | median (p50) | rate at p0 / p50 | mallocs per unit | "
                  "vs peer at p0 / p50 |" + later)
            print("|---|---|---|---|---|---|---|" + "---|" * (len(runs) - 1))
        bytes_, unit = work(name)
        p0, p50, mallocs = first[name]["Time"][0], first[name]["Time"][2], first[name].get("Malloc", [0] * 3)[2]
        if unit == "frame":
            rate = f"{1e3 / p0:.2f} / {1e3 / p50:.2f} M frames/s"
        else:
            rate = f"{bytes_ / p0:.2f} / {bytes_ / p50:.2f} GB/s"
        peer = peers.get(group(name))
        ratios = []
        for run in runs:
            if peer and peer != name and "[ours]" in name and name in run and peer in run:
                ours, theirs = run[name]["Time"], run[peer]["Time"]
                ratios.append(f"{theirs[0] / ours[0]:.2f}× / {theirs[2] / ours[2]:.2f}×")
            else:
                ratios.append("—")
        print(f"| {name} | {unit} | {fmt_time(p0)} | {fmt_time(p50)} | {rate} | {mallocs:g} | " + " | ".join(ratios) + " |")

if __name__ == "__main__":
    main(sys.argv[1:])
