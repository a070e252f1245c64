#!/usr/bin/env python3
"""Markdown summary of a bench run, from hyperfine's JSON and the bench's own.

usage: report.py WORK_DIR --title TEXT > table.md

Reads from WORK_DIR: ftp.json and http.json (hyperfine --export-json; http.json
may be missing), lower-bound.json, memory.json (optional), and for the
--update section update-PROTOCOL-{unchanged,changed}.json (hyperfine) with
update-counts.jsonl (pass_counts.py; optional). In hyperfine's JSON each
command is named "TOOL PROTOCOL" (hyperfine -n).
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
    out += update_tables(a.work, rows)
    print("\n".join(out))


UPDATE_PASSES = (("fresh", "fresh fetch (baseline)"), ("unchanged", "--update, nothing changed"),
                 ("changed", "--update, 10% changed"))


def update_tables(work, rows):
    """The --update section: wall times against gutenfetch's fresh fetch, and
    what each pass asked of the servers (one counted pass of each kind)."""
    counts = {}
    path = os.path.join(work, "update-counts.jsonl")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                c = json.loads(line)
                counts[(c["protocol"], c["label"])] = c
    if not counts:
        return []
    fresh = {r["protocol"]: r for r in rows if r["tool"] == "gutenfetch"}
    out = ["", "| --update | protocol | median s | min–max s | runs | ÷ fresh | updated | unchanged | of which by size only |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for protocol in ("ftp", "http"):
        if (protocol, "fresh") not in counts:
            continue
        timed = {"fresh": fresh.get(protocol)}
        for label in ("unchanged", "changed"):
            r = rows_of(load(os.path.join(work, f"update-{protocol}-{label}.json")))
            timed[label] = r[0] if r else None
        base = timed["fresh"]["median"] if timed["fresh"] else None
        for label, name in UPDATE_PASSES:
            r = timed[label]
            if r is None:
                continue
            ratio = f"{r['median'] / base:.2f}" if base else "n/a"
            said = counts.get((protocol, label), {}).get("reported", {}) if label != "fresh" else {}
            told = " | ".join(str(said.get(k, "–")) for k in ("updated", "unchanged", "compared_by_size"))
            out.append(f"| {name} | {protocol} | {r['median']:.3f} | {r['min']:.3f}–{r['max']:.3f} | {r['runs']} "
                       f"| {ratio} | {told} |")
    taken = next(iter(counts.values()))["taken"]
    out += ["", f"What one pass of each kind asked ({taken.get('N-0.txt', 0)} books taken as N-0.txt, "
            f"{taken.get('other', 0)} under another name, N-8.txt or N.txt):"]
    if any(p == "http" for p, _ in counts):
        out += ["", "| HTTP pass | requests | books taken as N-0.txt: asked × times | others: asked × times "
                "| requests per book (N-0.txt / others) | statuses | TCP connections | busiest connection |",
                "|---|---:|---|---|---:|---|---:|---:|"]
        for label, name in UPDATE_PASSES:
            c = counts.get(("http", label))
            if c is None:
                continue
            kinds = c["kinds"]

            def asked(kind):
                k = kinds.get(kind)
                return ", ".join(f"{n} × {t}" for t, n in k["asked"].items()) if k else "–"

            def per_book(kind):
                k = kinds.get(kind)
                return f"{k['requests'] / k['books']:.2f}" if k and k["books"] else "–"

            statuses = ", ".join(f"{s} × {n}" for s, n in c["statuses"].items())
            out.append(f"| {name} | {c['requests']} | {asked('N-0.txt')} | {asked('other')} "
                       f"| {per_book('N-0.txt')} / {per_book('other')} | {statuses} | {c['tcp_connections']} "
                       f"| {c['busiest_connection']} |")
    if any(p == "ftp" for p, _ in counts):
        out += ["", "| FTP pass | control connections | data connections | STAT | SIZE | MDTM | RETR "
                "| LIST/NLST/MLSD | PASV/EPSV | all commands | busiest connection |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for label, name in UPDATE_PASSES:
            c = counts.get(("ftp", label))
            if c is None:
                continue
            cmd = c["commands"]
            listing = sum(cmd.get(k, 0) for k in ("LIST", "NLST", "MLSD"))
            out.append(f"| {name} | {c['control_connections']} | {c['data_connections']} | {cmd.get('STAT', 0)} "
                       f"| {cmd.get('SIZE', 0)} | {cmd.get('MDTM', 0)} | {cmd.get('RETR', 0)} | {listing} "
                       f"| {cmd.get('PASV', 0) + cmd.get('EPSV', 0)} | {sum(cmd.values())} "
                       f"| {c['busiest_connection']} |")
    out += ["", "Data connections: TCP connections the servers' namespace accepted during the pass, less the "
            "control connections (vsftpd's CONNECT lines). Busiest connection: the most requests (HTTP) or "
            "commands after login (FTP) one connection carried; each waits a round trip, so with the "
            "connect it is the pass's critical path in round trips."]
    return out


if __name__ == "__main__":
    main()
