#!/usr/bin/env python3
"""Checks a Perfetto export (wasitrace export --format perfetto) the way a
trace viewer relies on it: it parses; every event has name, ph, ts, pid and
tid; exactly CALLS complete events, one per seq; complete events on the
thread nest (each lies inside any event it starts in); every counter track
runs forward in time; metadata names the process and thread; the run's end
is an instant event.

    check-perfetto.py EXPORT.json CALLS
"""
import json
import sys


def main():
    path, calls = sys.argv[1], int(sys.argv[2])
    bad = []
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    events = doc["traceEvents"]
    for i, e in enumerate(events):
        for k in ("name", "ph", "ts", "pid", "tid"):
            if k not in e:
                bad.append("event %d lacks %s: %r" % (i, k, e))
    xs = [e for e in events if e.get("ph") == "X"]
    seqs = sorted(e["args"]["seq"] for e in xs)
    if seqs != list(range(1, calls + 1)):
        bad.append("complete events: %d for %d calls (seqs %s...)" % (len(xs), calls, seqs[:5]))
    for e in xs:
        if e["dur"] < 0 or "errno" not in e["args"]:
            bad.append("call %s: dur %s, args %s" % (e["args"]["seq"], e["dur"], list(e["args"])))
    # Nesting: in start order (the longer first at a tie), every event
    # that starts inside an open one ends inside it too.
    stack = []
    for e in sorted(xs, key=lambda e: (e["ts"], -e["dur"])):
        start, end = e["ts"], e["ts"] + e["dur"]
        while stack and start >= stack[-1][1]:
            stack.pop()
        if stack and end > stack[-1][1] + 1e-9:
            bad.append("call %s [%f, %f] overlaps call %s ending %f"
                       % (e["args"]["seq"], start, end, stack[-1][0], stack[-1][1]))
        stack.append((e["args"]["seq"], end))
    last = {}
    for e in events:
        if e.get("ph") == "C":
            if e["ts"] < last.get(e["name"], -1):
                bad.append("counter %s goes back in time at %f" % (e["name"], e["ts"]))
            last[e["name"]] = e["ts"]
            if not isinstance(e["args"].get("value"), int):
                bad.append("counter %s without a value" % e["name"])
    names = {e["name"] for e in events if e.get("ph") == "M"}
    if not {"process_name", "thread_name"} <= names:
        bad.append("no process or thread name")
    if not any(e.get("ph") == "i" and e["name"].startswith("run ") for e in events):
        bad.append("no instant event for the run's end")
    for b in bad[:20]:
        print("check-perfetto: %s: %s" % (path, b))
    print("check-perfetto: %s: %d events, %d calls, %d counter tracks%s"
          % (path.rsplit("/", 1)[-1], len(events), len(xs), len(last), "" if not bad else ", BAD"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
