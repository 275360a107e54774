#!/usr/bin/env python3
"""Summarises an Autobahn|Testsuite run as Markdown, for scripts/autobahn.

    autobahn-report.py OUTDIR [--agent NAME] [--expected-from WSTEST_LOG] [--markdown FILE]
                       [--title TEXT] [--seconds N]

Reads the JSON results the suite wrote in OUTDIR (index.json, or the per-case files when the
index is missing), prints a table of verdicts per case group and every case that is not OK,
and exits 1 if a case's behavior or behaviorClose is FAILED, or a case expected (from the
"Cases = [...]" line of the suite's log) has no result; 0 otherwise.
"""

import argparse
import ast
import glob
import json
import os
import sys

GROUPS = {
    "1": "Framing",
    "2": "Pings/Pongs",
    "3": "Reserved bits",
    "4": "Opcodes",
    "5": "Fragmentation",
    "6": "UTF-8 handling",
    "7": "Close handling",
    "9": "Limits/performance",
    "10": "Auto-fragmentation",
    "12": "permessage-deflate, payloads",
    "13": "permessage-deflate, parameters",
}
COLUMNS = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]


def case_key(case_id):
    return tuple(int(part) for part in case_id.split("."))


def verdict(result):
    """One column per case: FAILED wins, then what the case's own behavior says."""
    behavior, closing = result["behavior"], result["behaviorClose"]
    if "FAILED" in (behavior, closing):
        return "FAILED"
    if behavior in ("UNIMPLEMENTED", "INFORMATIONAL"):
        return behavior
    if closing == "OK" and behavior in ("OK", "NON-STRICT"):
        return behavior
    return "other"  # WRONG CODE, UNCLEAN, FAILED BY CLIENT, NO CLOSE: listed with the non-OK cases


def load_results(outdir, agent):
    """Case id -> result, with the case's detail (result text, description) merged in."""
    index_path = os.path.join(outdir, "index.json")
    results = {}
    if os.path.exists(index_path):
        with open(index_path) as file:
            index = json.load(file)
        if agent not in index and len(index) == 1:
            agent = next(iter(index))
        for case_id, summary in index.get(agent, {}).items():
            results[case_id] = dict(summary)
    else:
        # The index is written before the per-case files, so this only helps when a run was
        # cut short while writing; the per-case files still say everything the index would.
        for path in glob.glob(os.path.join(outdir, "*_case_*.json")):
            with open(path) as file:
                detail = json.load(file)
            if detail.get("agent") == agent or not agent:
                results[detail["id"]] = dict(detail, reportfile=os.path.basename(path))
    for result in results.values():
        path = os.path.join(outdir, result.get("reportfile", ""))
        if "result" not in result and os.path.isfile(path):
            with open(path) as file:
                detail = json.load(file)
            for key in ("description", "result", "resultClose", "remoteCloseCode", "localCloseCode"):
                result.setdefault(key, detail.get(key))
    return results


def expected_cases(log_path):
    """The case ids the suite said it would run, from its log's "Cases = [...]" line."""
    if not log_path or not os.path.exists(log_path):
        return None
    with open(log_path, errors="replace") as file:
        for line in file:
            if line.startswith("Cases = "):
                return ast.literal_eval(line[len("Cases = "):].strip())
    return None


def cell(text):
    return " ".join(str(text if text is not None else "").split()).replace("|", "\\|")


def summarise(results, expected, title, seconds):
    missing = sorted(set(expected or []) - set(results), key=case_key)
    groups = {}
    for case_id, result in results.items():
        counts = groups.setdefault(case_id.split(".")[0], {})
        counts[verdict(result)] = counts.get(verdict(result), 0) + 1
    for case_id in missing:
        counts = groups.setdefault(case_id.split(".")[0], {})
        counts["missing"] = counts.get("missing", 0) + 1
    extra = [name for name in ("other", "missing") if any(name in counts for counts in groups.values())]
    columns = COLUMNS + extra

    lines = [f"### {title}", ""]
    if seconds is not None:
        lines += [f"{len(results)} cases run in {seconds} s.", ""]
    lines.append("| Group | Cases | " + " | ".join(columns) + " |")
    lines.append("|---|---:|" + "---:|" * len(columns))
    totals = {}
    for group in sorted(groups, key=int):
        counts = groups[group]
        for name, count in counts.items():
            totals[name] = totals.get(name, 0) + count
        name = f"{group} {GROUPS.get(group, '')}".strip()
        lines.append(f"| {name} | {sum(counts.values())} | " + " | ".join(str(counts.get(c, 0)) for c in columns) + " |")
    lines.append(f"| **All** | **{sum(totals.values())}** | " + " | ".join(f"**{totals.get(c, 0)}**" for c in columns) + " |")

    not_ok = sorted((c for c, r in results.items() if (r["behavior"], r["behaviorClose"]) != ("OK", "OK")), key=case_key)
    lines += ["", f"Cases not OK: {len(not_ok)}" + (":" if not_ok else "."), ""]
    if not_ok:
        lines.append("| Case | behavior | behaviorClose | Peer's close code | Result | Closing |")
        lines.append("|---|---|---|---|---|---|")
        for case_id in not_ok:
            r = results[case_id]
            lines.append(f"| {case_id} | {r['behavior']} | {r['behaviorClose']} | {cell(r.get('remoteCloseCode'))} "
                         f"| {cell(r.get('result'))} | {cell(r.get('resultClose'))} |")
    if missing:
        lines += ["", f"Cases without a result: {', '.join(missing)}."]
    failed = totals.get("FAILED", 0) + len(missing)
    return "\n".join(lines) + "\n", failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--agent", default="")
    parser.add_argument("--expected-from", help="the suite's log, for the list of cases it meant to run")
    parser.add_argument("--markdown", help="also write the summary to this file")
    parser.add_argument("--title", default="Autobahn|Testsuite results")
    parser.add_argument("--seconds", type=int)
    arguments = parser.parse_args()

    results = load_results(arguments.outdir, arguments.agent)
    expected = expected_cases(arguments.expected_from)
    if not results and not expected:
        print(f"autobahn-report: no results in {arguments.outdir}", file=sys.stderr)
        return 1
    markdown, failed = summarise(results, expected, arguments.title, arguments.seconds)
    print(markdown, end="")
    if arguments.markdown:
        with open(arguments.markdown, "w") as file:
            file.write(markdown)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
