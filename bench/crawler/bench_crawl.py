#!/usr/bin/python3
"""cratedig crawl vs Scrapy on the same sample store, side by side.

Starts one sample store (faults off) on a free loopback port, then crawls it
with `cratedig crawl` and with the Scrapy spider of scrapy_spider.py, both
with robots.txt obeyed, 1 request at a time per host and no delay, and
prints pages/s and CPU seconds per page. Each crawler runs --reps times
(alternating, fresh output each time); the table shows the median.

Run from the repository root with Debian's python (python3-scrapy):
  /usr/bin/python3 bench/crawler/bench_crawl.py --build build-crawler

The store: `cratedig samplestore --port 0` when the CLI has it, else
bench/crawler's crawler_bench_store helper (the same library).
"""
import argparse
import json
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The same work as the Scrapy spider: every product page (`crawl --full`;
# the listing-first default is what bench_polite.py measures).


def start_store(build, tracks_per_genre, preview_seconds):
    cratedig = build / "cli" / "cratedig"
    help_run = subprocess.run([str(cratedig), "samplestore", "--help"],
                              capture_output=True, text=True)
    if help_run.returncode == 0 and "cratedig samplestore" in help_run.stdout:
        cmd = [str(cratedig), "samplestore", "--port", "0"]
        opts = help_run.stdout
        if "--tracks-per-genre" in opts:
            cmd += ["--tracks-per-genre", str(tracks_per_genre)]
        if "--preview-seconds" in opts:
            cmd += ["--preview-seconds", str(preview_seconds)]
    else:
        cmd = [str(build / "bench" / "crawler" / "crawler_bench_store"),
               str(tracks_per_genre), str(preview_seconds)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the sample store exited: " + " ".join(cmd))
        m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if m:
            return proc, m.group(1), " ".join(Path(cmd[0]).name.split()) + \
                (" samplestore" if "samplestore" in cmd else "")
    raise SystemExit("the sample store did not start")


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cratedig(build, url, workdir):
    db = workdir / "cratedig.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    cmd = [str(build / "cli" / "cratedig"), "-q", "crawl",
           "--config", str(ROOT / "configs" / "samplestore.toml"),
           "--db", str(db), "--base-url", url, "--delay", "0", "--full",
           "--set", "politeness.randomize_delay=false"]
    cpu0, t0 = cpu_children(), time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall, cpu = time.monotonic() - t0, cpu_children() - cpu0
    con = sqlite3.connect(db)
    pages = con.execute(
        "SELECT COUNT(*) FROM frontier WHERE status='done'").fetchone()[0]
    releases = con.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
    tracks = con.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
    con.close()
    return {"pages": pages, "wall": wall, "cpu": cpu, "releases": releases,
            "tracks": tracks}


def run_scrapy(url, workdir):
    out, stats = workdir / "scrapy.jsonl", workdir / "scrapy_stats.json"
    out.unlink(missing_ok=True)
    cmd = ["/usr/bin/python3", str(Path(__file__).parent / "scrapy_spider.py"),
           url, str(out), str(stats)]
    cpu0, t0 = cpu_children(), time.monotonic()
    subprocess.run(cmd, check=True)
    wall, cpu = time.monotonic() - t0, cpu_children() - cpu0
    s = json.loads(stats.read_text())
    return {"pages": s["pages"], "wall": wall, "cpu": cpu,
            "releases": s["releases"], "tracks": s["tracks"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build", type=Path,
                    help="CMake build dir with cli/cratedig (default: build)")
    ap.add_argument("--tracks-per-genre", type=int, default=200)
    ap.add_argument("--preview-seconds", type=float, default=1.0)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    build = args.build.resolve()
    store, url, how = start_store(build, args.tracks_per_genre,
                                  args.preview_seconds)
    results = {"cratedig": [], "scrapy": []}
    try:
        with tempfile.TemporaryDirectory(prefix="cratedig_bench_") as tmp:
            workdir = Path(tmp)
            for _ in range(args.reps):
                results["cratedig"].append(run_cratedig(build, url, workdir))
                results["scrapy"].append(run_scrapy(url, workdir))
    finally:
        store.stdin.close()
        store.terminate()
        store.wait()

    print(f"sample store: {url} ({how}), {args.tracks_per_genre} tracks per "
          f"genre, faults off; robots on, 1 request per host, no delay; "
          f"median of {args.reps} runs\n")
    print(f"{'crawler':<10} {'pages':>6} {'releases':>8} {'tracks':>7} "
          f"{'wall s':>7} {'pages/s':>8} {'CPU s':>6} {'CPU ms/page':>11}")
    rate = {}
    for name, runs in results.items():
        med = lambda k: statistics.median(r[k] for r in runs)
        pages = med("pages")
        wall, cpu = med("wall"), med("cpu")
        rate[name] = pages / wall
        print(f"{name:<10} {pages:>6.0f} {med('releases'):>8.0f} "
              f"{med('tracks'):>7.0f} {wall:>7.2f} {pages / wall:>8.1f} "
              f"{cpu:>6.2f} {1000 * cpu / pages:>11.2f}")
    print(f"\ncratedig / scrapy pages/s: {rate['cratedig'] / rate['scrapy']:.2f}x")


if __name__ == "__main__":
    sys.exit(main())
