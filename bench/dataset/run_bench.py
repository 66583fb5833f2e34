#!/usr/bin/python3
"""Dataset benchmark: cratedig's tiles per track against decoding alone and
against the original sox pipeline, side by side on the same previews, plus
tracks per second for a whole `dataset build`.

Per track (CPU seconds, user + system, of everything that runs for it):
  floor     ffmpeg -i X -f null -                 (decode alone, one process)
  sox       sox X tmp.mp3 remix 1,2               (the original: mono mp3)
            sox tmp.mp3 -n spectrogram -Y 300 -X 50 -m -r -o out.png
            cut into 256x256 tiles                (here: one ffmpeg untile)
  cratedig  decode + STFT + 256x256 PNG tiles, timed inside one process
            (`cratedig dataset bench-track`, the code `dataset build` runs)
  cratedig/process  the same, one process per file (adds the start-up of a
            binary linked with OpenCV, libav*, curl...)

Then a whole build: N tracks in a fresh database, `cratedig dataset build
--threads 2`, wall time and tracks/s.

Run:  /usr/bin/python3 bench/dataset/run_bench.py --cratedig build-dataset/cli/cratedig
Needs ffmpeg and sox with mp3 support (Debian: libsox-fmt-mp3).
"""

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

GENRES = ["Breakbeat", "Dancehall", "Downtempo", "Drum and Bass",
          "Funky House", "Hip Hop / R&B", "Minimal House", "Rock/Indie",
          "Trance"]


def run_cpu(cmd, cwd=None, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (cpu seconds of the child, wall seconds, stdout)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    out = p.stdout.read() if stdout == subprocess.PIPE else b""
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{err.decode()}")
    return ru.ru_utime + ru.ru_stime, wall, out


def make_previews(folder, n):
    """2-minute 44.1 kHz stereo 128 kbps mp3s: tones, beeps and pink noise."""
    os.makedirs(folder, exist_ok=True)
    files = []
    for i in range(n):
        path = os.path.join(folder, f"preview_{i:02d}.mp3")
        files.append(path)
        if os.path.exists(path):
            continue
        f1, f2 = 110 * (i + 2), 55 * (i + 3)
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y",
             "-f", "lavfi", "-i", f"sine=f={f1}:d=120:sample_rate=44100",
             "-f", "lavfi",
             "-i", f"sine=f={f2}:beep_factor=4:d=120:sample_rate=44100",
             "-f", "lavfi", "-i", "anoisesrc=c=pink:d=120:a=0.2:r=44100",
             "-filter_complex",
             "[0][1][2]amix=inputs=3,aformat=channel_layouts=stereo",
             "-ar", "44100", "-ac", "2", "-b:a", "128k", path],
            check=True)
    return files


def sox_pipeline(path, work):
    """CPU seconds of the original pipeline's three steps."""
    tmp = os.path.join(work, "tmp.mp3")
    png = os.path.join(work, "out.png")
    a, _, _ = run_cpu(["sox", path, tmp, "remix", "1,2"])
    b, _, _ = run_cpu(["sox", tmp, "-n", "spectrogram", "-Y", "300", "-X",
                       "50", "-m", "-r", "-o", png])
    # sox makes 257 rows here; keep 256 (drop the top) and whole tiles only.
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height", "-of", "csv=p=0", png],
        check=True, capture_output=True, text=True).stdout.strip()
    width, height = (int(x) for x in probe.split(","))
    ntiles = width // 256
    tiles = os.path.join(work, "sox_tiles")
    shutil.rmtree(tiles, ignore_errors=True)
    os.makedirs(tiles)
    c, _, _ = run_cpu(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", png,
                       "-vf", f"crop={ntiles * 256}:256:0:{height - 256},"
                       f"untile={ntiles}x1", "-pix_fmt", "gray",
                       os.path.join(tiles, "t_%03d.png")])
    return a, b, c, ntiles


def cratedig_in_process(cratedig, config, files, reps):
    """Per-file medians of `dataset bench-track` over reps runs."""
    per = {}
    for _ in range(reps):
        _, _, out = run_cpu([cratedig, "dataset", "bench-track", "--config",
                             config] + files, stdout=subprocess.PIPE)
        for line in out.decode().splitlines():
            r = json.loads(line)
            per.setdefault(r["file"], []).append(r)
    med = {}
    for f, rs in per.items():
        med[f] = {k: statistics.median(r[k] for r in rs)
                  for k in ("cpu_s", "wall_s", "decode_s", "stft_s", "png_s")}
        med[f]["tiles"] = rs[0]["tiles"]
    return med


def whole_build(cratedig, config, files, n_tracks, threads, work):
    db = os.path.join(work, f"build_{threads}.db")
    out = os.path.join(work, f"tiles_{threads}")
    for p in (db, db + "-wal", db + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([cratedig, "-q", "status", "--db", db], check=True,
                   stdout=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    now = int(time.time() * 1000)
    for i in range(n_tracks):
        genre = GENRES[i % len(GENRES)]
        store = f"{9000000 + i}-{100 + i}"
        cur = con.execute(
            "INSERT INTO releases(store_id, url, parent_genre) VALUES(?,?,?)",
            (store, f"http://127.0.0.1/products/x/{store}/", genre))
        rid = cur.lastrowid
        cur = con.execute(
            "INSERT INTO tracks(release_id, store_id, position, parent_genre)"
            " VALUES(?,?,1,?)", (rid, store + "-01-01", genre))
        tid = cur.lastrowid
        con.execute(
            "INSERT INTO previews(track_id, url, status, path, updated_at) "
            "VALUES(?,?,'ok',?,?)",
            (tid, f"http://127.0.0.1/MP3/SF{store}-01-01.mp3",
             os.path.abspath(files[i % len(files)]), now))
    con.commit()
    con.close()
    cpu, wall, text = run_cpu(
        [cratedig, "dataset", "build", "--config", config, "--db", db,
         "--out", out, "--threads", str(threads)], stdout=subprocess.PIPE)
    return cpu, wall, text.decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cratedig", default="build-dataset/cli/cratedig")
    ap.add_argument("--config", default="configs/dataset.toml")
    ap.add_argument("--tracks", type=int, default=8,
                    help="previews compared per track")
    ap.add_argument("--previews", default="",
                    help="use the mp3s in this folder (e.g. the sample "
                    "store's) instead of generating some")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--build-tracks", type=int, default=72,
                    help="tracks in the whole-build run")
    ap.add_argument("--only-build", action="store_true",
                    help="skip the per-track comparison")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(),
                                                   "cratedig_dataset_bench"))
    a = ap.parse_args()
    cratedig = os.path.abspath(a.cratedig)
    os.makedirs(a.work, exist_ok=True)
    if a.previews:
        files = sorted(os.path.join(a.previews, f)
                       for f in os.listdir(a.previews)
                       if f.endswith(".mp3"))[:a.tracks]
    else:
        files = make_previews(os.path.join(a.work, "previews"), a.tracks)
    print(f"{len(files)} previews, {a.reps} repetitions, "
          f"{os.cpu_count()} cores, load average before: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    if not a.only_build:
        per_track(a, cratedig, files)
    for threads in (1, 2):
        cpu, wall, text = whole_build(cratedig, a.config, files,
                                      a.build_tracks, threads, a.work)
        print(f"\nwhole build, {a.build_tracks} tracks, --threads {threads}: "
              f"wall {wall:.2f} s, {a.build_tracks / wall:.1f} tracks/s, "
              f"cpu {cpu:.2f} s ({cpu / a.build_tracks:.3f} s per track)")
        for line in text.splitlines():
            if "time =" in line or "wall" in line or "this run" in line:
                print("  " + line.strip())
    print("load average after:", " ".join(
        f"{x:.2f}" for x in os.getloadavg()))


def per_track(a, cratedig, files):
    print("CPU seconds (user+sys) per track, medians; decode/stft/png are "
          "wall seconds inside cratedig")
    ours = cratedig_in_process(cratedig, a.config, files, a.reps)
    rows = []
    hdr = (f"{'track':<16} {'floor':>7} {'sox':>7} {'(remix':>7} "
           f"{'spec':>6} {'cut)':>6} {'cratedig':>9} {'(decode':>8} "
           f"{'stft':>6} {'png)':>6} {'cd/proc':>8} {'cd/floor':>9} "
           f"{'sox/cd':>7}")
    print(hdr)
    for f in files:
        name = os.path.basename(f)
        floor = statistics.median(
            run_cpu(["ffmpeg", "-nostdin", "-v", "error", "-i", f, "-f",
                     "null", "-"])[0] for _ in range(a.reps))
        soxs = [sox_pipeline(f, a.work) for _ in range(a.reps)]
        remix = statistics.median(s[0] for s in soxs)
        spec = statistics.median(s[1] for s in soxs)
        cut = statistics.median(s[2] for s in soxs)
        sox_total = statistics.median(s[0] + s[1] + s[2] for s in soxs)
        proc = statistics.median(
            run_cpu([cratedig, "dataset", "bench-track", "--config",
                     a.config, f])[0] for _ in range(a.reps))
        o = ours[name]
        rows.append((floor, sox_total, o["cpu_s"], proc))
        print(f"{name:<16} {floor:7.3f} {sox_total:7.3f} {remix:7.3f} "
              f"{spec:6.3f} {cut:6.3f} {o['cpu_s']:9.3f} "
              f"{o['decode_s']:8.3f} {o['stft_s']:6.3f} {o['png_s']:6.3f} "
              f"{proc:8.3f} {o['cpu_s'] / floor:9.2f} "
              f"{sox_total / o['cpu_s']:7.1f}")
    mf = statistics.median(r[0] for r in rows)
    ms = statistics.median(r[1] for r in rows)
    mc = statistics.median(r[2] for r in rows)
    mp = statistics.median(r[3] for r in rows)
    print(f"{'median':<16} {mf:7.3f} {ms:7.3f} {'':7} {'':6} {'':6} "
          f"{mc:9.3f} {'':8} {'':6} {'':6} {mp:8.3f} {mc / mf:9.2f} "
          f"{ms / mc:7.1f}")
    print(f"cratedig vs decode alone: {mc / mf:.2f}x (target <= 1.5x); "
          f"one process per file: {mp / mf:.2f}x")
    print(f"sox pipeline vs cratedig: {ms / mc:.1f}x slower (target >= 5x); "
          f"one process per file: {ms / mp:.1f}x")


if __name__ == "__main__":
    main()
