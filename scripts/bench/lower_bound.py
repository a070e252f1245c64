#!/usr/bin/env python3
"""Round-trip lower bound of an FTP run in passive mode.

usage: lower_bound.py CHOSEN.tsv --rtt-ms MS --jobs J [--link-mbps M] [--json OUT]

What passive-mode FTP must wait for, whoever the client, once every command
that can be overlapped is (the folder listing goes on the control connection
while the data connection is being made, and each PASV is sent before the
previous transfer's 226 has come back, as gutenfetch does):

  once per connection (J connections, in parallel):
    TCP connect + 220 greeting       2 RTT  (the server greets after the handshake)
    USER (anonymous, no PASS)        1 RTT
    TYPE I with the first PASV       1 RTT
    QUIT at the end (all at once)    1 RTT
  per book:
    data connection: TCP handshake   1 RTT  (the listing is answered meanwhile)
    RETR -> 150 + the first flight   1 RTT  (the server sends once the handshake is done)
    last byte -> 226 (+ next 227)    1 RTT  (the server confirms once its last byte is
                                             acknowledged; the file may not be kept before)
    TCP slow start of the fresh data connection: the server's first flight
    is IW = 10 segments of MSS 1448 bytes and each round trip doubles it, so a
    file of S bytes needs ceil(log2(S / (IW*MSS) + 1)) flights, that is
    ss(S) = that - 1 round trips beyond the one counted above.

Two bounds are printed:
  simple:     T = RTT * (5 + ceil(N * 3 / J))
  slow start: T = RTT * (5 + max(ceil(sum_i (3 + ss(S_i)) / J), max_i (3 + ss(S_i))))
and each is raised to bytes * 8 / link bandwidth if that is larger (the link
cannot carry the bytes faster, whatever the concurrency). Neither counts any
time on the server, the client or the disk, nor a connection waiting for a
book while another finishes: reaching them is not possible.

For HTTP it prints a model, not a bound: J kept-alive connections, each
sending one request at a time (HTTP/1.1, no pipelining) and waiting one RTT
for its answer, with the link shared evenly while they transfer:

  T = RTT * (2 + ceil(sum_i r_i / J)) + bytes * 8 / link bandwidth

where 2 RTT are the connection's handshake and the first flight, and r_i is
the number of requests book i costs: 1 for a client given the exact URLs
(aria2c), and for a client that must find the file, 1 when the folder holds
N-0.txt (asked for first) and at least 2 otherwise (the N-0.txt that is not
there, then the file). What it leaves out (slow start of each connection,
time on the server and the client) is small next to the round trips.
"""
import argparse
import json
import math

IW_SEGMENTS = 10
MSS = 1448
SETUP_RTTS = 5  # connect + greeting 2, USER 1, TYPE I + PASV 1, QUIT 1
BOOK_RTTS = 3  # data handshake (listing meanwhile) 1, RETR 1, 226 after the last byte 1


def slow_start_extra(size):
    flights = math.ceil(math.log2(size / (IW_SEGMENTS * MSS) + 1))
    return max(flights - 1, 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("chosen")
    ap.add_argument("--rtt-ms", type=float, required=True)
    ap.add_argument("--jobs", type=int, required=True)
    ap.add_argument("--link-mbps", type=float, default=0.0)
    ap.add_argument("--json")
    a = ap.parse_args()

    sizes = [int(line.split("\t")[2]) for line in open(a.chosen) if line.strip()]
    n, total = len(sizes), sum(sizes)
    rtt = a.rtt_ms / 1000.0
    per_book = [BOOK_RTTS + slow_start_extra(s) for s in sizes]

    simple_rtts = SETUP_RTTS + math.ceil(n * BOOK_RTTS / a.jobs)
    ss_rtts = SETUP_RTTS + max(math.ceil(sum(per_book) / a.jobs), max(per_book))
    bw_s = total * 8 / (a.link_mbps * 1e6) if a.link_mbps > 0 else 0.0
    simple = max(simple_rtts * rtt, bw_s)
    slow = max(ss_rtts * rtt, bw_s)

    print(f"lower bound, FTP, {n} books, {total / 1e6:.1f} MB, J={a.jobs}, RTT={a.rtt_ms:.2f} ms:")
    print(f"  simple:     RTT x ({SETUP_RTTS} + ceil(N x {BOOK_RTTS} / J)) = {a.rtt_ms:.2f} ms x {simple_rtts}"
          f" = {simple_rtts * rtt:.3f} s")
    print(f"  slow start: RTT x ({SETUP_RTTS} + ceil(sum({BOOK_RTTS} + ss(S_i)) / J)) = {a.rtt_ms:.2f} ms x {ss_rtts}"
          f" = {ss_rtts * rtt:.3f} s   (sum of per-book RTTs {sum(per_book)}, mean {sum(per_book) / n:.2f})")
    if a.link_mbps > 0:
        print(f"  bandwidth:  bytes x 8 / {a.link_mbps:.0f} Mbit/s = {bw_s:.3f} s   (bound = max of the two)")

    # HTTP: requests per book for the exact URLs, and at least for a client finding each file.
    names = [line.split("\t")[1].rsplit("/", 1)[-1] for line in open(a.chosen) if line.strip()]
    finding = [1 if name.endswith("-0.txt") else 2 for name in names]
    exact_rtts = 2 + math.ceil(n / a.jobs)
    find_rtts = 2 + math.ceil(sum(finding) / a.jobs)
    print(f"model, HTTP (RTT x (2 + ceil(requests / J)) + bandwidth):")
    print(f"  exact URLs:     {n} requests,  {exact_rtts} RTT + bandwidth = {exact_rtts * rtt + bw_s:.3f} s")
    print(f"  finding files:  >= {sum(finding)} requests ({n - finding.count(2)} books have N-0.txt), "
          f"{find_rtts} RTT + bandwidth = {find_rtts * rtt + bw_s:.3f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"books": n, "bytes": total, "jobs": a.jobs, "rtt_ms": a.rtt_ms, "link_mbps": a.link_mbps,
                       "simple_s": simple, "slow_start_s": slow, "bandwidth_s": bw_s,
                       "simple_rtts": simple_rtts, "slow_start_rtts": ss_rtts,
                       "http_exact_model_s": exact_rtts * rtt + bw_s,
                       "http_finding_model_s": find_rtts * rtt + bw_s,
                       "http_finding_requests": sum(finding)}, f, indent=2)


if __name__ == "__main__":
    main()
