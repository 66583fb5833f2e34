#!/usr/bin/env python3
"""Start-up cost of the cratedig binary, median and min of N runs per row,
side by side in one run: each binary given runs `--help`, `status` on an
empty database, `train --help`, and `train` with the libtorch backend on a
missing database (which loads the libtorch backend, then stops at the
database: the cost a libtorch verb pays before any work). Beside them
/bin/true and a bare dlopen of libtorch_cpu from Python. Usage:
  bench/startup/run.py build/cli/cratedig [--before OLD] [--light LIGHT] [-n 10]
--before: a binary of an older build (e.g. one that still links libtorch);
--light: a build with -DCRATEDIG_WITH_LIBTORCH=OFF.
"""
import argparse
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time


def timed(cmd, n):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)  # warm the page cache once
    xs = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        xs.append(time.perf_counter() - t0)
    return statistics.median(xs), min(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--before")
    ap.add_argument("--light")
    ap.add_argument("-n", type=int, default=10)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="cratedig_startup_")
    db = os.path.join(tmp, "empty.db")
    # Any non-empty SQLite file is migrated to the current schema by the
    # first `status` (an empty one is refused as not a database).
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE bench_startup(x)")
    con.commit()
    con.close()
    missing = os.path.join(tmp, "missing.db")
    subprocess.run([a.binary, "status", "--db", db], stdout=subprocess.DEVNULL,
                   check=True)  # migrates the empty database once
    rows = [("/bin/true", ["/bin/true"])]
    for label, b in (("before", a.before), ("now", a.binary),
                     ("light", a.light)):
        if not b:
            continue
        rows += [(f"{label}: --help", [b, "--help"]),
                 (f"{label}: status (empty db)", [b, "status", "--db", db]),
                 (f"{label}: train --help", [b, "train", "--help"])]
        if label != "light":
            rows.append((f"{label}: train, libtorch, up to the db",
                         [b, "train", "--db", missing,
                          "--set", 'backend="libtorch"']))
    base = ["python3", "-c", "import ctypes"]
    rows.append(("python3 + ctypes (baseline)", base))
    rows.append(("python3 + dlopen libtorch_cpu",
                 base[:2] + ["import ctypes; ctypes.CDLL('libtorch_cpu.so.1.13')"]))
    print(f"{'what':40} {'median s':>9} {'min s':>7}")
    for name, cmd in rows:
        med, lo = timed(cmd, a.n)
        print(f"{name:40} {med:9.3f} {lo:7.3f}")


if __name__ == "__main__":
    main()
