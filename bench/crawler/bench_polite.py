#!/usr/bin/python3
"""Requests, not speed: what a polite crawl of the real catalogue costs.

At the real store's pace (1 request per second per host, the delay of
configs/junodownload.toml) a crawl's time is its number of requests. This
starts one sample store with the real store's page size (100 releases per
listing page) at --tracks-per-genre, counts the requests of

  cratedig crawl               listing-first (the default)
  cratedig crawl --refresh     on the unchanged store, right after
  cratedig crawl --full        every product page, fresh database
  scrapy                       the bench spider: listings + every product page
  scrapy + deltafetch          the same spider again with its seen-file

(robots.txt included), then extrapolates them by pages to a catalogue of
--releases releases over the profile's 12 listings, and prints the
simulated wall time at --seconds-per-request.

Run from the repository root with Debian's python (python3-scrapy):
  /usr/bin/python3 bench/crawler/bench_polite.py --build build
"""
import argparse
import json
import math
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def start_store(cratedig, tracks_per_genre, items_per_page):
    cmd = [str(cratedig), "samplestore", "--port", "0", "--tracks-per-genre",
           str(tracks_per_genre), "--preview-seconds", "0.1",
           "--items-per-page", str(items_per_page)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if m:
            return proc, m.group(1)
    raise SystemExit("the sample store did not start: " + " ".join(cmd))


def cratedig_crawl(cratedig, url, db, *flags):
    cmd = [str(cratedig), "-v", "crawl", "--config",
           str(ROOT / "configs" / "samplestore.toml"), "--db", str(db),
           "--base-url", url, "--delay", "0", *flags]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    counters = dict(re.findall(r"^\s+([a-z_/0-9 ]+?)\s+(\d+)$", out.stdout,
                               re.M))
    get = lambda k: int(counters.get(k, 0))
    return {"requests": get("downloader/request_count"),
            "listing": get("crawl/listing_pages"),
            "product": get("crawl/product_pages"),
            "not_modified": get("downloader/response_status_count/304")}


def scrapy_crawl(url, workdir, seen):
    out, stats = workdir / "scrapy.jsonl", workdir / "scrapy_stats.json"
    out.unlink(missing_ok=True)
    subprocess.run(["/usr/bin/python3", str(HERE / "scrapy_spider.py"), url,
                    str(out), str(stats), str(seen)], check=True)
    s = json.loads(stats.read_text())
    return {"requests": s["requests"], "releases": s["releases"],
            "skipped": s["skipped_seen"]}


def hours(requests, seconds_per_request):
    s = requests * seconds_per_request
    if s >= 3600:
        return f"{s / 3600:.2f} h"
    return f"{s / 60:.1f} min" if s >= 120 else f"{s:.0f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--build", default="build", type=Path)
    ap.add_argument("--tracks-per-genre", type=int, default=1000)
    ap.add_argument("--items-per-page", type=int, default=100)
    ap.add_argument("--releases", type=int, default=100_000)
    ap.add_argument("--seconds-per-request", type=float, default=1.0)
    args = ap.parse_args()
    cratedig = args.build.resolve() / "cli" / "cratedig"
    store, url = start_store(cratedig, args.tracks_per_genre,
                             args.items_per_page)
    try:
        with tempfile.TemporaryDirectory(prefix="cratedig_polite_") as tmp:
            w = Path(tmp)
            lf = cratedig_crawl(cratedig, url, w / "lf.db")
            con = sqlite3.connect(w / "lf.db")
            releases = con.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
            tracks = con.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
            with_preview = con.execute(
                "SELECT COUNT(*) FROM tracks WHERE preview_url IS NOT NULL"
            ).fetchone()[0]
            con.close()
            refresh = cratedig_crawl(cratedig, url, w / "lf.db", "--refresh")
            full = cratedig_crawl(cratedig, url, w / "full.db", "--full")
            seen = w / "seen.txt"
            sc1 = scrapy_crawl(url, w, seen)
            sc2 = scrapy_crawl(url, w, seen)
    finally:
        store.stdin.close()
        store.terminate()
        store.wait()

    listings = 12
    pages_sample = lf["listing"]
    share = lf["product"] / releases
    per = args.releases / listings
    pages_big = listings * math.ceil(per / args.items_per_page)
    spr = args.seconds_per_request
    print(f"sample store: {args.tracks_per_genre} tracks per genre, "
          f"{args.items_per_page} releases per listing page: {releases} "
          f"releases, {tracks} tracks ({with_preview} with a preview), "
          f"{pages_sample} listing pages; robots on, 1 request per host\n")
    print(f"{'crawl':<34} {'requests':>8} {'req/track':>9} "
          f"{'at ' + str(args.releases) + ' releases':>20} "
          f"{'at ' + str(spr) + ' s/request':>16}")
    rows = [
        ("cratedig (listing-first)", lf["requests"],
         1 + pages_big + round(share * args.releases)),
        ("cratedig --refresh, unchanged", refresh["requests"],
         refresh["requests"]),
        ("cratedig --full", full["requests"], 1 + pages_big + args.releases),
        ("scrapy (listings + products)", sc1["requests"],
         1 + pages_big + args.releases),
        ("scrapy + deltafetch, unchanged", sc2["requests"], 1 + pages_big),
    ]
    for name, req, big in rows:
        print(f"{name:<34} {req:>8} {req / tracks:>9.3f} {big:>20,} "
              f"{hours(big, spr):>16}")
    print(f"\nlisting-first: {lf['product']} of {releases} rows "
          f"({100 * share:.1f}%) needed their product page (no preview on "
          f"the row); refresh: {refresh['not_modified']} x 304")
    print(f"extrapolation: {listings} listings x ceil({per:,.0f} / "
          f"{args.items_per_page}) = {pages_big:,} listing pages + 1 "
          f"robots.txt, product pages at the measured share")


if __name__ == "__main__":
    sys.exit(main())
