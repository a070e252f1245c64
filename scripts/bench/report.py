#!/usr/bin/env python3
"""Markdown summary of a bench run, from hyperfine's JSON and the bench's own.

usage: report.py WORK_DIR --title TEXT > table.md

Reads from WORK_DIR: ftp.json and http.json (hyperfine --export-json; http.json
may be missing), lower-bound.json, memory.json (optional). In hyperfine's JSON
each command is named "TOOL PROTOCOL" (hyperfine -n).
"""
import argparse
import json
import os
import statistics


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def rows_of(bench):
    rows = []
    for r in (bench or {}).get("results", []):
        tool, protocol = r["command"].split(" ", 1)
        times = r["times"]
        rows.append({"tool": tool, "protocol": protocol, "median": statistics.median(times),
                     "min": min(times), "max": max(times), "runs": len(times)})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--title", default="gutenfetch end-to-end benchmark")
    a = ap.parse_args()

    rows = rows_of(load(os.path.join(a.work, "ftp.json"))) + rows_of(load(os.path.join(a.work, "http.json")))
    lb = load(os.path.join(a.work, "lower-bound.json"))
    mem = load(os.path.join(a.work, "memory.json"))
    gf = {r["protocol"]: r["median"] for r in rows if r["tool"] == "gutenfetch"}

    out = [f"### {a.title}", "",
           "| tool | protocol | median s | min–max s | runs | gutenfetch ÷ tool |",
           "|---|---|---:|---:|---:|---:|"]
    for r in rows:
        ratio = f"{gf[r['protocol']] / r['median']:.2f}" if r["protocol"] in gf else "n/a (no gutenfetch)"
        out.append(f"| {r['tool']} | {r['protocol']} | {r['median']:.3f} | {r['min']:.3f}–{r['max']:.3f} "
                   f"| {r['runs']} | {ratio} |")
    if lb:
        for key, label in (("slow_start_s", "lower bound (RTTs + slow start)"), ("simple_s", "lower bound (3 RTT/book)")):
            ratio = f"{gf['ftp'] / lb[key]:.2f}" if "ftp" in gf else "n/a"
            out.append(f"| {label} | ftp | {lb[key]:.3f} | – | – | {ratio} |")
    out.append("")
    out.append("Ratio column: gutenfetch's median divided by the row's; below 1 means gutenfetch is faster.")
    if mem:
        def mib(kib):
            return f"{kib / 1024:.1f}"

        runs = mem["runs"]
        out += ["", "| gutenfetch peak RSS, FTP, --jobs %d | " % mem["jobs"] +
                " | ".join(f"{m['books']} books" for m in runs) + " |",
                "|---|" + "---:|" * len(runs),
                "| max RSS, median (MiB) | " + " | ".join(mib(statistics.median(m["max_rss_kib"])) for m in runs) + " |",
                "| max RSS, min–max (MiB) | " +
                " | ".join(f"{mib(min(m['max_rss_kib']))}–{mib(max(m['max_rss_kib']))}" for m in runs) + " |",
                "| runs | " + " | ".join(str(len(m["max_rss_kib"])) for m in runs) + " |",
                "| data (MB) | " + " | ".join(f"{m['bytes'] / 1e6:.1f}" for m in runs) + " |",
                "| wall, median (s) | " + " | ".join(f"{statistics.median(m['wall_s']):.2f}" for m in runs) + " |"]
    print("\n".join(out))


if __name__ == "__main__":
    main()
