#!/usr/bin/env python3
"""Start-up cost of the cratedig binary: `cratedig --help`, median and min of
N runs, beside /bin/true and (when given) a light build without libtorch and
a bare dlopen of libtorch_cpu. Usage:
  bench/startup/run.py build/cli/cratedig [light-build/cli/cratedig] [-n 10]
"""
import argparse
import statistics
import subprocess
import time


def timed(cmd, n):
    xs = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        xs.append(time.perf_counter() - t0)
    return statistics.median(xs), min(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("full")
    ap.add_argument("light", nargs="?")
    ap.add_argument("-n", type=int, default=10)
    a = ap.parse_args()
    rows = [("/bin/true", ["/bin/true"]),
            ("cratedig --help", [a.full, "--help"])]
    if a.light:
        rows.append(("light build --help", [a.light, "--help"]))
    base = ["python3", "-c", "import ctypes"]
    rows.append(("python3 + ctypes (baseline)", base))
    rows.append(("python3 + dlopen libtorch_cpu",
                 base[:2] + ["import ctypes; ctypes.CDLL('libtorch_cpu.so.1.13')"]))
    print(f"{'what':34} {'median s':>9} {'min s':>7}")
    for name, cmd in rows:
        med, lo = timed(cmd, a.n)
        print(f"{name:34} {med:9.3f} {lo:7.3f}")


if __name__ == "__main__":
    main()
