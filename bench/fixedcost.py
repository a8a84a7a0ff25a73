#!/usr/bin/env python3
"""fixedcost.py: the fixed costs of two Evident binaries side by side with
recoll, in interleaved runs (base, new, recoll, base, new, recoll, ...),
so that all three see the same load on a shared machine.

    bench/fixedcost.py BASE NEW CORPUS_DIR [ROUNDS]

It measures, each as the median wall time of ROUNDS runs (default 15):
  - ingesting one tiny text file into a fresh data folder (recollindex);
  - `search` of CORPUS_DIR's data folder with no server (recollq);
  - the same search while an `evident serve` (NEW) holds the folder, the
    search sent to it over HTTP (recollq);
  - `status` with no server;
  - `help`: starting the program and printing its usage, the floor of
    every command.
and prints a Markdown table: base and new medians, new/base, new/recoll.
Needs recollindex and recollq (Debian: recollcmd).
"""
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

QUERY = "pricing is too expensive"


CPU = {}  # label -> CPU seconds (user + system) of each run, beside its wall time


def cpu_now():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd, ok=(0,), cpu=None):
    c, t = cpu_now(), time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - t
    if p.returncode not in ok:
        sys.exit(f"fixedcost.py: {cmd} exited {p.returncode}: {p.stderr.decode()[-500:]}")
    if cpu is not None:
        CPU.setdefault(cpu, []).append(cpu_now() - c)
    return took


def recoll_conf(d, top):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "recoll.conf"), "w") as f:
        f.write(f"topdirs = {top}\nloglevel = 1\n")


def main():
    base, new, corpus = (os.path.abspath(a) for a in sys.argv[1:4])
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    work = tempfile.mkdtemp(prefix="fixedcost-")
    try:
        tiny = os.path.join(work, "tiny")
        os.makedirs(tiny)
        with open(os.path.join(tiny, "one.txt"), "w") as f:
            f.write("Interviewer: What slows the close?\n\nDana: Approvals wait a week, which is painful.\n")
        data = os.path.join(work, "data")
        run([new, "--data", data, "ingest", corpus], ok=(0, 1))
        rc = os.path.join(work, "rc")
        recoll_conf(rc, corpus)
        run(["recollindex", "-c", rc, "-z"])
        t = {}

        def add(label, secs):
            t.setdefault(label, []).append(secs)

        for i in range(rounds):
            for label, exe in (("base", base), ("new", new)):
                d = os.path.join(work, f"tiny-{label}-{i}")
                add(("tiny", label), run([exe, "--data", d, "ingest", tiny], cpu=("tiny", label)))
                shutil.rmtree(d)
            d = os.path.join(work, f"rc-tiny-{i}")
            recoll_conf(d, tiny)
            add(("tiny", "recoll"), run(["recollindex", "-c", d, "-z"], cpu=("tiny", "recoll")))
            shutil.rmtree(d)
            for label, exe in (("base", base), ("new", new)):
                add(("search", label), run([exe, "--data", data, "search", QUERY], cpu=("search", label)))
                add(("status", label), run([exe, "--data", data, "status"], cpu=("status", label)))
                add(("help", label), run([exe, "help"], cpu=("help", label)))
            add(("search", "recoll"), run(["recollq", "-c", rc, "-q", QUERY], cpu=("search", "recoll")))

        srv = subprocess.Popen([new, "--data", data, "serve", "--http", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            for line in srv.stdout:
                if re.match(r"^Evident is serving", line):
                    break
            for _ in range(rounds):
                for label, exe in (("base", base), ("new", new)):
                    add(("served", label), run([exe, "--data", data, "search", QUERY], cpu=("served", label)))
                add(("served", "recoll"), run(["recollq", "-c", rc, "-q", QUERY], cpu=("served", "recoll")))
        finally:
            srv.terminate()
            srv.wait()

        med = {k: statistics.median(v) for k, v in t.items()}
        print("| work | base | new | new / base | recoll | new / recoll |")
        print("| --- | --- | --- | --- | --- | --- |")
        for what, title in (("tiny", "ingest one tiny file"), ("search", "`search` without a server"),
                            ("served", "`search` with a server"), ("status", "`status` without a server"),
                            ("help", "`help` (start-up alone)")):
            b, n = med[(what, "base")], med[(what, "new")]
            r = med.get((what, "recoll"))
            rs = f"{r * 1000:.1f} ms | {n / r:.2f}×" if r else "— | —"
            print(f"| {title} | {b * 1000:.1f} ms | {n * 1000:.1f} ms | {n / b:.2f}× | {rs} |")
        print()
        print("| CPU (user + system) | base | new | recoll |")
        print("| --- | --- | --- | --- |")
        for what in ("tiny", "search", "served", "status", "help"):
            cells = []
            for label in ("base", "new", "recoll"):
                v = CPU.get((what, label))
                cells.append(f"{statistics.median(v) * 1000:.0f} ms" if v else "—")
            print(f"| {what} | " + " | ".join(cells) + " |")
        print(f"\nMedians of {rounds} interleaved rounds, {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f} at the end.")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
