#!/usr/bin/env python3
"""Checks scripts/trace2json (docs/tracing.md).

  check_trace.py tables ROOT
      the script's event and system call tables, and the shell's, agree with
      kernel/include/exo/trace.h and exo/syscall.h.
  check_trace.py log ROOT LOG [--dump N]... [--expect-cat CAT]... [--expect-name REGEX]...
                 [--min-cores N] [--min-events N]
      runs the script on a console log (on each dump named, default the last) and validates
      the JSON it writes: the Chrome trace
      format (traceEvents; ph X/i/M; numeric ts, dur, pid, tid), slices on one thread that
      nest (no partial overlap), process names, and the categories and names asked for.

Exit status 0 only if every check passed; each failure is one line.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import importlib.machinery
import importlib.util

failures = []


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def load_script(root):
    path = os.path.join(root, "scripts", "trace2json")
    loader = importlib.machinery.SourceFileLoader("trace2json", path)
    spec = importlib.util.spec_from_loader("trace2json", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def header_events(root):
    text = open(os.path.join(root, "kernel", "include", "exo", "trace.h")).read()
    return {int(n): s for n, s in re.findall(r'X\(EXO_TRACE_\w+,\s*(\d+),\s*"(\w+)"', text)}


def header_syscalls(root):
    text = open(os.path.join(root, "kernel", "include", "exo", "syscall.h")).read()
    body = text[text.index("enum exo_syscall"):]
    body = body[:body.index("};")]
    out = {}
    for name, num in re.findall(r"\bSYS_(\w+)\s*=\s*(\d+)", body):
        if name != "COUNT":
            out[int(num)] = name.lower()
    count = int(re.search(r"SYS_COUNT\s*=\s*(\d+)", body).group(1))
    return out, count


def cmd_tables(root):
    mod = load_script(root)
    events = header_events(root)
    check(len(events) >= 20, "exo/trace.h lists %d events" % len(events))
    check(mod.EVENTS == events, "trace2json's events match exo/trace.h")
    calls, count = header_syscalls(root)
    check(sorted(calls) == list(range(count)), "exo/syscall.h numbers 0..SYS_COUNT-1 densely")
    check(mod.SYSCALLS == [calls[i] for i in range(count)],
          "trace2json's system calls match exo/syscall.h")
    shell = open(os.path.join(root, "apps", "shell", "trace.c")).read()
    table = shell[shell.index("syscall_names[SYS_COUNT]"):]
    table = table[:table.index("};")]
    check(re.findall(r'"(\w+)"', table) == [calls[i] for i in range(count)],
          "the shell's system call names match exo/syscall.h")


def nests(slices):
    """Slices of one thread, (start, end): every two are disjoint or one holds the other."""
    eps = 1e-6
    order = sorted(slices, key=lambda s: (s[0], -s[1]))
    stack = []
    for start, end in order:
        while stack and stack[-1] <= start + eps:
            stack.pop()
        if stack and end > stack[-1] + eps:
            return False, (start, end, stack[-1])
        stack.append(end)
    return True, None


def cmd_log(root, argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--dump", action="append", default=[])
    ap.add_argument("--expect-cat", action="append", default=[])
    ap.add_argument("--expect-name", action="append", default=[])
    ap.add_argument("--min-cores", type=int, default=1)
    ap.add_argument("--min-events", type=int, default=10)
    a = ap.parse_args(argv)
    for dump in a.dump or ["-1"]:
        check_dump(root, a, dump)


def check_dump(root, a, dump):
    script = os.path.join(root, "scripts", "trace2json")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "trace.json")
        p = subprocess.run([sys.executable, script, a.log, "--dump", dump, "-o", out],
                           capture_output=True, text=True)
        sys.stdout.write(p.stderr)
        check(p.returncode == 0, "trace2json exits 0 on dump %s of %s" % (dump, a.log))
        if p.returncode != 0:
            return
        check("warning" not in p.stderr, "the dump is complete (has its end line)")
        try:
            data = json.load(open(out))
        except ValueError as e:
            check(False, "the output is JSON (%s)" % e)
            return
    check(isinstance(data, dict) and isinstance(data.get("traceEvents"), list),
          "the output has a traceEvents list")
    events = data.get("traceEvents", [])
    real = [e for e in events if e.get("ph") != "M"]
    check(len(real) >= a.min_events, "%d events (at least %d)" % (len(real), a.min_events))
    bad = [e for e in events if e.get("ph") not in ("X", "i", "M")
           or not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int)
           or not isinstance(e.get("name"), str)
           or (e["ph"] != "M" and not (isinstance(e.get("ts"), (int, float)) and e["ts"] >= 0))
           or (e["ph"] == "X" and not (isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0))]
    check(not bad, "every event is well formed%s" % (": %r" % bad[0] if bad else ""))
    check(data.get("otherData", {}).get("bad_lines", 1) == 0, "every record line decoded")
    threads = {}
    for e in real:
        if e["ph"] == "X":
            threads.setdefault((e["pid"], e["tid"]), []).append((e["ts"], e["ts"] + e["dur"]))
    broken = []
    for key, slices in threads.items():
        ok, where = nests(slices)
        if not ok:
            broken.append((key, where))
    check(not broken, "slices nest on every thread%s" % (": %r" % (broken[0],) if broken else ""))
    cores = {e["tid"] for e in real if e["pid"] == 0} | {
        e["tid"] for e in real if e.get("cat") == "irq"}
    check(len(cores) >= a.min_cores, "events from %d core(s) (at least %d)" % (
        len(cores), a.min_cores))
    cats = {e.get("cat") for e in real}
    for cat in a.expect_cat:
        check(cat in cats, "events of category %s" % cat)
    names = [e["name"] for e in real] + [e["args"]["name"] for e in events
                                         if e.get("ph") == "M" and e["name"] == "process_name"]
    for regex in a.expect_name:
        r = re.compile(regex)
        check(any(r.search(n) for n in names), "an event or process named /%s/" % regex)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("tables", "log"):
        print(__doc__)
        return 2
    root = sys.argv[2]
    if sys.argv[1] == "tables":
        cmd_tables(root)
    else:
        cmd_log(root, sys.argv[3:])
    print("check_trace: %s" % ("PASS" if not failures else "FAIL: %d check(s)" % len(failures)))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
