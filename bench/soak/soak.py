#!/usr/bin/python3
"""Soak: the crawler and the server held for a long time under faults and load.

(a) Fault soak, for --minutes (default 30): round after round, a sample store
    is generated (a new seed, larger each round) with every fault on
    (bench/soak/faults.toml), then crawled (`crawl --full`) and downloaded
    with SIGKILLs at random moments, then re-run without kills until only
    permanent failures are left (at most --reruns re-runs of each). Every
    round is checked against the store's own catalogue (--dump-catalogue):
    tracks lost, doubled or corrupt (wrong fields), and previews lost (a good
    preview not present), doubled (stray or temp files, two rows) or corrupt
    (file missing, wrong size or sha256). All must be 0. The crawler's and
    downloader's RSS is sampled from /proc every 0.1 s: at its start (1 s
    in, the binary loaded) and end (the last sample before exit), per
    complete run; a process that grows with the store would show here.
(b) Serve load: `cratedig serve` on serve_bench's synthetic catalogue (2,000
    tracks, 128-d), --requests (10,000) at --clients (50) parallel from
    bench/serve's client (`serve_bench --port`), --serve-rounds times; the
    server's RSS before, after each round, and its peak (VmHWM).

Run from the repository root after building `cratedig` and `serve_bench`:
  cmake --build build --target cratedig serve_bench
  nice -n 19 /usr/bin/python3 bench/soak/soak.py --build build [--minutes 30]
Exit status 1 when anything was lost, doubled or corrupt, or serve answered
with an error. Work files go to a temporary folder (--keep keeps it).
"""
import argparse
import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRANSIENT = ("network", "truncated", "http_5xx", "http_429")
PREVIEW_FAULTS = ("corrupt_mp3", "preview_404", "oversized")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Watched:
    """A child process whose RSS is sampled every 0.1 s."""

    def __init__(self, cmd, log):
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        self.samples = []
        self._stop = False
        self._t = threading.Thread(target=self._watch, daemon=True)
        self._t.start()

    def _watch(self):
        t0 = time.time()
        while not self._stop and self.proc.poll() is None:
            kb = rss_kb(self.proc.pid)
            if kb:
                self.samples.append((time.time() - t0, kb))
            time.sleep(0.1)

    def rss(self):
        """(start, end, peak) KiB: start is the first sample 1 s after the
        start (the binary and its libraries loaded), end the last one."""
        if not self.samples:
            return None
        kbs = [kb for _, kb in self.samples]
        start = next((kb for t, kb in self.samples if t >= 1.0), kbs[-1])
        return (start, kbs[-1], max(kbs))

    def kill(self):
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self):
        rc = self.proc.wait()
        self._stop = True
        self._t.join()
        return rc


def run_with_kills(cmd, kills, max_s, log, rng):
    """Runs `cmd` `kills` times, each SIGKILLed after a random 0.1..max_s s
    (when it has not finished by then). Returns how many were killed."""
    killed = 0
    for _ in range(kills):
        w = Watched(cmd, log)
        deadline = time.time() + rng.uniform(0.1, max_s)
        while w.proc.poll() is None and time.time() < deadline:
            time.sleep(0.02)
        if w.proc.poll() is None:
            w.kill()
        rc = w.wait()
        killed += rc == -signal.SIGKILL
        if rc not in (0, -signal.SIGKILL):
            raise SystemExit(f"soak: {cmd[2]} exited {rc}; see the log")
    return killed


def run_plain(cmd, log, rss_runs):
    w = Watched(cmd, log)
    rc = w.wait()
    if w.rss():
        rss_runs.append(w.rss())
    if rc != 0:
        raise SystemExit(f"soak: {' '.join(cmd[2:4])} exited {rc}; see the log")


def crawl_done(db):
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        pending = c.execute(
            "SELECT COUNT(*) FROM frontier WHERE status='pending'").fetchone()[0]
        transient = c.execute(
            "SELECT COUNT(*) FROM frontier WHERE status='failed' AND failure IN "
            "(?,?,?,?)", TRANSIENT).fetchone()[0]
    return pending == 0 and transient == 0


def good_previews(truth):
    """store_id -> preview path of every preview that should download."""
    out = {}
    for r in truth["releases"]:
        if not r["parent_genre"]:
            continue
        for t in r["tracks"]:
            if t["has_preview"] and not set(t["faults"]) & set(PREVIEW_FAULTS):
                out[t["store_id"]] = t["preview_path"]
    return out


def download_done(db, truth):
    good = good_previews(truth)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        ok = {row[0] for row in c.execute(
            "SELECT t.store_id FROM previews p JOIN tracks t ON t.id=p.track_id "
            "WHERE p.status='ok'")}
    return set(good) <= ok


def check(db, truth, base_url, previews_dir):
    """Counts of lost, doubled and corrupt tracks and previews."""
    res = dict(tracks=0, tracks_lost=0, tracks_doubled=0, tracks_corrupt=0,
               previews=0, previews_lost=0, previews_doubled=0,
               previews_corrupt=0)
    want = {}
    for r in truth["releases"]:
        for t in r["tracks"]:
            want[t["store_id"]] = (r, t)
    res["tracks"] = len(want)
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = c.execute(
        "SELECT t.store_id, t.position, t.artist, t.title, t.duration_s, t.bpm,"
        " t.preview_url, r.store_id FROM tracks t JOIN releases r "
        "ON r.id=t.release_id").fetchall()
    seen = {}
    for sid, pos, artist, title, dur, bpm, purl, rsid in rows:
        seen[sid] = seen.get(sid, 0) + 1
        if sid not in want:
            res["tracks_doubled"] += 1  # a track the store does not have
            continue
        r, t = want[sid]
        exp_url = base_url + t["preview_path"] if t["has_preview"] else None
        if (pos, artist, title, dur, bpm, purl, rsid) != (
                t["position"], t["artist"], t["title"], t["duration_s"],
                t["bpm"], exp_url, r["store_id"]):
            res["tracks_corrupt"] += 1
    res["tracks_lost"] = sum(1 for s in want if s not in seen)
    res["tracks_doubled"] += sum(n - 1 for n in seen.values() if n > 1)

    good = good_previews(truth)
    res["previews"] = len(good)
    prow = c.execute(
        "SELECT t.store_id, p.status, p.path, p.sha256, p.bytes FROM previews p"
        " JOIN tracks t ON t.id=p.track_id").fetchall()
    c.close()
    by_sid = {}
    referenced = set()
    for sid, status, path, sha, nbytes in prow:
        by_sid.setdefault(sid, []).append((status, path, sha, nbytes))
    for sid in good:
        got = [p for p in by_sid.get(sid, []) if p[0] == "ok"]
        if not got:
            res["previews_lost"] += 1
            continue
        res["previews_doubled"] += len(by_sid[sid]) - 1
        _, path, sha, nbytes = got[0]
        referenced.add(Path(path).name)
        try:
            data = Path(path).read_bytes()
        except OSError:
            res["previews_corrupt"] += 1
            continue
        if (len(data) != nbytes or hashlib.sha256(data).hexdigest() != sha or
                Path(path).name != sha + ".mp3"):
            res["previews_corrupt"] += 1
    # Files nobody references: temp files of killed runs, or doubles.
    for f in Path(previews_dir).iterdir() if Path(previews_dir).exists() else []:
        if f.name not in referenced:
            res["previews_doubled"] += 1
    return res


def soak_round(args, n, tracks_per_genre, work, rng, log):
    d = work / f"round{n}"
    d.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cratedig = str(args.build / "cli" / "cratedig")
    truth_file = d / "truth.json"
    store = subprocess.Popen(
        [cratedig, "samplestore", "--port", str(port), "--seed", str(100 + n),
         "--tracks-per-genre", str(tracks_per_genre), "--preview-seconds", "2",
         "--threads", "1", "--faults", str(args.faults),
         "--dump-catalogue", str(truth_file)], stdout=log, stderr=log)
    try:
        t0 = time.time()
        truth = None
        while truth is None:  # listening, and the catalogue written
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                truth = json.loads(truth_file.read_text())
            except (OSError, ValueError):
                if store.poll() is not None or time.time() - t0 > 600:
                    raise SystemExit("soak: the sample store did not start")
                time.sleep(0.2)
        store_s = time.time() - t0
        db = str(d / "cratedig.db")
        common = ["--config", str(ROOT / "configs/samplestore.toml"),
                  "--db", db, "--base-url", base, "--delay", "0.01",
                  "--set", "politeness.backoff_base=0.05",
                  "--set", "politeness.backoff_max=0.5",
                  "--set", "politeness.rerun_backoff_base=0",
                  "--set", "politeness.max_response_bytes=2097152"]
        crawl = [cratedig, "-q", "crawl", *common, "--full"]
        prev_dir = d / "previews"
        download = [cratedig, "-q", "download", *common, "--out",
                    str(prev_dir), "--per-genre", "100000"]
        crawl_rss, dl_rss = [], []
        t1 = time.time()
        killed = run_with_kills(crawl, args.kills, args.kill_window, log, rng)
        reruns = 0
        run_plain(crawl, log, crawl_rss)
        while not crawl_done(db) and reruns < args.reruns:
            reruns += 1
            run_plain(crawl, log, crawl_rss)
        crawl_s = time.time() - t1
        t2 = time.time()
        killed += run_with_kills(download, args.kills, args.kill_window, log,
                                 rng)
        dl_reruns = 0
        run_plain(download, log, dl_rss)
        while not download_done(db, truth) and dl_reruns < args.reruns:
            dl_reruns += 1
            run_plain(download, log, dl_rss)
        dl_s = time.time() - t2
        res = check(db, truth, base, prev_dir)
    finally:
        store.send_signal(signal.SIGINT)
        try:
            store.wait(10)
        except subprocess.TimeoutExpired:
            store.kill()
            store.wait()
    res.update(round=n, tracks_per_genre=tracks_per_genre, store_s=store_s,
               crawl_s=crawl_s, crawl_reruns=reruns, download_s=dl_s,
               download_reruns=dl_reruns, killed=killed,
               crawl_rss=crawl_rss, download_rss=dl_rss)
    if not args.keep:
        subprocess.run(["rm", "-rf", str(d)])
    return res


def fault_soak(args, work, log):
    rng = random.Random(args.seed)
    end = time.time() + args.minutes * 60
    size = args.start_tracks
    rounds = []
    print(f"(a) fault soak for {args.minutes} min, faults {args.faults}")
    print("round tracks/genre tracks previews lost/doubled/corrupt "
          "(tracks; previews)  kills reruns(c,d)  crawl s  download s  "
          "crawl RSS start->end MiB  download RSS start->end MiB", flush=True)
    n = 0
    while time.time() < end or n == 0:
        r = soak_round(args, n, size, work, rng, log)
        rounds.append(r)
        cr, dr = r["crawl_rss"], r["download_rss"]
        print(f"{n:5} {size:12} {r['tracks']:6} {r['previews']:8}  "
              f"{r['tracks_lost']}/{r['tracks_doubled']}/{r['tracks_corrupt']}; "
              f"{r['previews_lost']}/{r['previews_doubled']}/"
              f"{r['previews_corrupt']}  {r['killed']:5}  "
              f"{r['crawl_reruns']},{r['download_reruns']}  "
              f"{r['crawl_s']:7.1f}  {r['download_s']:10.1f}  "
              f"{cr[0][0] / 1024:.1f}->{cr[-1][1] / 1024:.1f} (peak "
              f"{max(x[2] for x in cr) / 1024:.1f})  "
              f"{dr[0][0] / 1024:.1f}->{dr[-1][1] / 1024:.1f} (peak "
              f"{max(x[2] for x in dr) / 1024:.1f})", flush=True)
        size = min(args.max_tracks, int(size * args.growth))
        n += 1
    bad = sum(r[k] for r in rounds for k in (
        "tracks_lost", "tracks_doubled", "tracks_corrupt", "previews_lost",
        "previews_doubled", "previews_corrupt"))
    print(f"(a) {len(rounds)} rounds, {sum(r['tracks'] for r in rounds)} "
          f"tracks, {sum(r['previews'] for r in rounds)} good previews, "
          f"{sum(r['killed'] for r in rounds)} SIGKILLs: "
          f"lost/doubled/corrupt total {bad}", flush=True)
    return bad == 0


def serve_soak(args, work, log):
    bench = str(args.build / "bench" / "serve" / "serve_bench")
    out = subprocess.run([bench, "--make-db", str(work / "serve")],
                         capture_output=True, text=True, check=True)
    db = out.stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [str(args.build / "cli" / "cratedig"), "serve", "--db", db, "--port",
         str(port)], stdout=log, stderr=log)
    ok = True
    try:
        t0 = time.time()
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                if server.poll() is not None or time.time() - t0 > 60:
                    raise SystemExit("soak: serve did not start")
                time.sleep(0.1)
        start = rss_kb(server.pid)
        print(f"(b) cratedig serve, {args.requests} requests at "
              f"{args.clients} parallel x {args.serve_rounds}; server RSS at "
              f"start {start / 1024:.1f} MiB", flush=True)
        for i in range(args.serve_rounds):
            r = subprocess.run(
                [bench, "--port", str(port), "--db", db, "--requests",
                 str(args.requests), "--clients", str(args.clients)],
                capture_output=True, text=True)
            row = r.stdout.strip().splitlines()
            print(("" if i else "\n".join(row[1:-1]) + "\n") + row[-1] +
                  f"   server RSS {rss_kb(server.pid) / 1024:.1f} MiB",
                  flush=True)
            ok = ok and r.returncode == 0
        print(f"(b) server RSS start {start / 1024:.1f} MiB, end "
              f"{rss_kb(server.pid) / 1024:.1f} MiB, peak "
              f"{rss_kb(server.pid, 'VmHWM') / 1024:.1f} MiB", flush=True)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", type=Path, default=ROOT / "build")
    ap.add_argument("--minutes", type=float, default=30,
                    help="length of the fault soak (default 30)")
    ap.add_argument("--faults", type=Path,
                    default=ROOT / "bench/soak/faults.toml")
    ap.add_argument("--start-tracks", type=int, default=20,
                    help="tracks per genre of the first store (default 20)")
    ap.add_argument("--growth", type=float, default=1.5,
                    help="store size factor per round (default 1.5)")
    ap.add_argument("--max-tracks", type=int, default=200,
                    help="largest store, tracks per genre (default 200)")
    ap.add_argument("--kills", type=int, default=3,
                    help="SIGKILLed runs of crawl and of download per round")
    ap.add_argument("--kill-window", type=float, default=4.0,
                    help="a kill comes 0.1..this many seconds after start")
    ap.add_argument("--reruns", type=int, default=4,
                    help="re-runs after the first complete run (default 4)")
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--serve-rounds", type=int, default=3)
    ap.add_argument("--skip-faults", action="store_true")
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument("--seed", type=int, default=1, help="kill moments' seed")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    args.build = args.build.resolve()
    work = Path(tempfile.mkdtemp(prefix="cratedig_soak_"))
    print(f"soak: work folder {work}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    ok = True
    with open(work / "soak.log", "w") as log:
        if not args.skip_faults:
            ok = fault_soak(args, work, log) and ok
        if not args.skip_serve:
            ok = serve_soak(args, work, log) and ok
    print(f"soak: load average at the end "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"{'PASS' if ok else 'FAIL'}", flush=True)
    if not args.keep and ok:
        subprocess.run(["rm", "-rf", str(work)])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
