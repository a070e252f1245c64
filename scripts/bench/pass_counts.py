#!/usr/bin/env python3
"""What one gutenfetch pass asked of the bench's servers, from their logs.

usage: pass_counts.py http|ftp LOG_SLICE OUT --label L --opens N >> counts.jsonl

LOG_SLICE holds the log lines the servers added during the pass: nginx's
access log in the bench's `bench` format (`CONNECTION METHOD URI STATUS
BYTES`, CONNECTION nginx's serial number of the TCP connection) or vsftpd's
log with `log_ftp_protocol=YES` (every command, with the PID of the session
process, and the server's CONNECT lines). OUT is the pass's output folder: its provenance records
(OUT/provenance/N.json) say which file each book was taken as, so books
taken as `N-0.txt` and the others (`N-8.txt`, `N.txt`, `old/…`, which an
update also asks for the `N-0.txt` that might have appeared) are counted
apart. --opens is the TCP connections the server's namespace accepted during
the pass (the delta of PassiveOpens in its /proc/net/snmp): over FTP, those
beyond the control connections are data connections.

What the pass itself reported (OUT/gutenfetch-report.json: updated,
unchanged, compared_by_size, gone_upstream, failed) is carried along.

Prints one JSON object: per HTTP kind of book, how many books asked how many
times; per FTP command, how many; totals; and the busiest connection's share
(requests, or commands after login): each waits a round trip, one after the
other, so with the connect it is the pass's critical path in round trips.
"""
import argparse
import collections
import json
import os
import re

from make_mirror import folder_of


def taken_files(out):
    """Book folder (`4/1/418/`) -> (ebook, file taken, relative to the folder), from the provenance records."""
    books = {}
    folder = os.path.join(out, "provenance")
    for name in os.listdir(folder):
        if name.endswith(".json"):
            with open(os.path.join(folder, name)) as f:
                record = json.load(f)
            mine = folder_of(record["ebook"])
            books[mine] = (record["ebook"], record["path"].removeprefix(mine))
    return books


def book_of(uri, books):
    """The book whose folder holds URI (its file, its listing, old/ or N-h/), else None.
    No book's folder is a prefix of another's (only the last part has several digits)."""
    parts = uri.strip("/").split("/")
    for end in range(len(parts), 0, -1):
        folder = "/".join(parts[:end]) + "/"
        if folder in books:
            return folder
    return None


def kind_of(n, name):
    return "N-0.txt" if name == f"{n}-0.txt" else "other"


def http_counts(lines, books):
    per_book = collections.Counter()
    book_statuses = collections.defaultdict(collections.Counter)
    statuses = collections.Counter()
    per_connection = collections.Counter()
    unattributed = 0
    for line in lines:
        parts = line.split()
        if len(parts) < 4:
            continue
        connection, _, uri, status = parts[:4]
        statuses[status] += 1
        per_connection[connection] += 1
        folder = book_of(uri, books)
        if folder is None:
            unattributed += 1
        else:
            per_book[folder] += 1
            book_statuses[folder][status] += 1
    kinds = {}
    for folder, (n, name) in books.items():
        k = kinds.setdefault(kind_of(n, name), {"books": 0, "requests": 0, "asked": collections.Counter(),
                                                "statuses": collections.Counter()})
        k["books"] += 1
        k["requests"] += per_book[folder]
        k["asked"][per_book[folder]] += 1
        k["statuses"].update(book_statuses[folder])
    for k in kinds.values():
        # "asked": {times a book was asked: how many books}
        k["asked"] = {str(times): count for times, count in sorted(k["asked"].items())}
        k["statuses"] = dict(sorted(k["statuses"].items()))
    return {"requests": sum(statuses.values()), "statuses": dict(sorted(statuses.items())),
            "unattributed": unattributed, "kinds": kinds, "connections_used": len(per_connection),
            "busiest_connection": max(per_connection.values(), default=0)}


COMMAND = re.compile(r'\[pid (\d+)\] (\[[^]]*\] )?FTP command: Client "[^"]*", "([A-Za-z]+)')


def ftp_counts(lines, opens):
    commands = collections.Counter()
    per_session = collections.Counter()
    connects = 0
    for line in lines:
        if "CONNECT: Client" in line:
            connects += 1
        # Commands before login (USER) are logged without the user's name
        # and by another process: only the logged-in session's are matched.
        m = COMMAND.search(line)
        if m:
            commands[m.group(3).upper()] += 1
            if m.group(2):
                per_session[m.group(1)] += 1
    return {"control_connections": connects, "data_connections": opens - connects,
            "data_commands": sum(commands[c] for c in ("RETR", "LIST", "NLST", "MLSD")),
            "commands": dict(sorted(commands.items())),
            "busiest_connection": max(per_session.values(), default=0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("protocol", choices=["http", "ftp"])
    ap.add_argument("log_slice")
    ap.add_argument("out")
    ap.add_argument("--label", required=True)
    ap.add_argument("--opens", type=int, required=True)
    a = ap.parse_args()
    with open(a.log_slice, errors="replace") as f:
        lines = f.read().splitlines()
    books = taken_files(a.out)
    kinds = collections.Counter(kind_of(n, name) for n, name in books.values())
    counts = {"protocol": a.protocol, "label": a.label, "books": len(books), "taken": dict(kinds),
              "tcp_connections": a.opens}
    with open(os.path.join(a.out, "gutenfetch-report.json")) as f:
        summary = json.load(f)["summary"]
    counts["reported"] = {k: summary.get(k) for k in ("updated", "unchanged", "compared_by_size", "gone_upstream", "failed")}
    counts.update(http_counts(lines, books) if a.protocol == "http" else ftp_counts(lines, a.opens))
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
