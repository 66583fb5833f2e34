#!/usr/bin/python3
"""The Scrapy side of bench_crawl.py: the same crawl as `cratedig crawl`.

Walks every genre listing of configs/samplestore.toml page by page, follows
each release to its product page, and yields the same fields cratedig stores
(release: artist, title, label, catalogue number, date, genre; tracks:
artist, title, duration, BPM, preview URL). Scrapy's project-template
politeness: robots.txt obeyed, 1 request at a time per domain; no delay
(the benchmark measures throughput, as for cratedig's --delay 0).

Usage: /usr/bin/python3 scrapy_spider.py BASE_URL OUT_JSONL STATS_JSON [SEEN]
(Debian's python3-scrapy installs for /usr/bin/python3 only.)

SEEN: deltafetch-like behaviour (what scrapy-deltafetch does, written here
because Debian does not package it): a file of product-page URLs that
yielded an item in an earlier run; those are not requested again, and this
run's are added. Listing pages are always fetched (deltafetch must not skip
them, or new releases on page 1 would never be seen).
"""
import json
import re
import sys
import time
import tomllib
from datetime import datetime
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess

PROFILE = Path(__file__).resolve().parents[2] / "configs" / "samplestore.toml"
TRACK_RE = re.compile(r'^(?P<artist>.*?) - "(?P<title>.*)" - \((?P<dur>[\d:]+)\)')
BPM_RE = re.compile(r"([\d.]+)\s*BPM")
ISO_RE = re.compile(r"P(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?")


def clock_seconds(text):
    total = 0
    for part in text.split(":"):
        total = total * 60 + int(part)
    return total


def text_of(sel):
    return " ".join(" ".join(sel.css("::text").getall()).split()) or None


class StoreSpider(scrapy.Spider):
    name = "store"

    def __init__(self, base_url, profile, stats_path, seen_path=None, **kw):
        super().__init__(**kw)
        self.seen_path = seen_path
        self.seen = set()
        if seen_path and Path(seen_path).exists():
            self.seen = set(Path(seen_path).read_text().split())
        self.skipped = 0
        self.new_seen = []
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.sel = profile["selectors"]
        self.genre_map = profile.get("genre_map", {})
        self.stats_path = stats_path
        self.pages = 0
        self.releases = 0
        self.tracks = 0
        self.started = time.monotonic()

    def start_requests(self):
        for listing in self.profile["listings"]:
            path = (self.profile["listing_path"]
                    .replace("{slug}", listing["slug"])
                    .replace("{page}", str(self.profile.get("first_page", 1))))
            yield scrapy.Request(self.base_url + path, callback=self.parse_listing,
                                 cb_kwargs={"parent": listing["parent"]})

    def parse_listing(self, response, parent):
        self.pages += 1
        s = self.sel
        for item in response.css(s["listing_item"]):
            href = item.css(s["listing_title"] + "::attr(href)").get()
            if not href:
                continue
            lines = [" ".join(t.split()) for t in
                     item.css(s["listing_info"] + " ::text").getall()]
            lines = [l for l in lines if l]
            release = {
                "url": response.urljoin(href),
                "artist": text_of(item.css(s["listing_artist"])),
                "title": text_of(item.css(s["listing_title"])),
                "label": text_of(item.css(s["listing_label"])),
                "catalogue_number": lines[0] if len(lines) > 0 else None,
                "release_date": None,
                "store_genre": lines[2] if len(lines) > 2 else None,
                "tracks": [],
            }
            if len(lines) > 1:
                try:
                    release["release_date"] = datetime.strptime(
                        lines[1], self.profile["date_format"]).date().isoformat()
                except ValueError:
                    pass
            genre = release["store_genre"]
            release["parent_genre"] = (self.genre_map.get(genre) if genre
                                       else parent or None)
            for i, tr in enumerate(item.css(s["listing_track"])):
                line = text_of(tr) or ""
                m = TRACK_RE.match(line)
                b = BPM_RE.search(line)
                release["tracks"].append({
                    "position": i + 1,
                    "artist": m.group("artist") if m else None,
                    "title": m.group("title") if m else None,
                    "duration_s": clock_seconds(m.group("dur")) if m else None,
                    "bpm": float(b.group(1)) if b else None,
                })
            self.releases += 1
            yield release
            if response.urljoin(href) in self.seen:
                self.skipped += 1  # deltafetch: this item was scraped before
                continue
            yield response.follow(href, callback=self.parse_product)
        nxt = response.css(s["next_page"] + "::attr(href)").get()
        if nxt:
            yield response.follow(nxt, callback=self.parse_listing,
                                  cb_kwargs={"parent": parent})

    def parse_product(self, response):
        self.pages += 1
        s = self.sel
        tracks = []
        for i, tr in enumerate(response.css(s["product_track"])):
            num = text_of(tr.css(s["product_track_number"]))
            dur = tr.css(s["product_track_duration"] + "::attr(content)").get()
            m = ISO_RE.fullmatch(dur or "")
            bpm = BPM_RE.search(text_of(tr.css(s["product_track_bpm"])) or "")
            preview = tr.css(s["product_preview"] + "::attr(href)").get()
            tracks.append({
                "position": int(num) if num and num.isdigit() else i + 1,
                "title": text_of(tr.css(s["product_track_name"])),
                "artist": text_of(tr.css(s["product_track_artist"])),
                "duration_s": (int(m.group(1) or 0) * 3600 + int(m.group(2) or 0)
                               * 60 + int(m.group(3) or 0)) if m else None,
                "bpm": float(bpm.group(1)) if bpm else None,
                "preview_url": response.urljoin(preview) if preview else None,
            })
        self.tracks += len(tracks)
        self.new_seen.append(response.url)
        yield {"product_url": response.url, "tracks": tracks}

    def closed(self, reason):
        if self.seen_path:
            with open(self.seen_path, "a") as f:
                for url in self.new_seen:
                    f.write(url + "\n")
        stats = self.crawler.stats
        Path(self.stats_path).write_text(json.dumps({
            "pages": self.pages, "releases": self.releases,
            "tracks": self.tracks, "seconds": time.monotonic() - self.started,
            "requests": stats.get_value("downloader/request_count", 0),
            "skipped_seen": self.skipped, "reason": reason}))


def main():
    base_url, out_path, stats_path = sys.argv[1:4]
    seen_path = sys.argv[4] if len(sys.argv) > 4 else None
    profile = tomllib.loads(PROFILE.read_text())
    process = CrawlerProcess(settings={
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "USER_AGENT": profile["user_agent"].replace("cratedig", "scrapy-bench"),
        "LOG_LEVEL": "WARNING",
        # As cratedig's profile: no brotli (the server's CPU, not ours).
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Encoding": profile.get("accept_encoding", "gzip, deflate"),
        },
        "TELNETCONSOLE_ENABLED": False,
        "FEEDS": {out_path: {"format": "jsonlines"}},
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    })
    process.crawl(StoreSpider, base_url=base_url, profile=profile,
                  stats_path=stats_path, seen_path=seen_path)
    process.start()


if __name__ == "__main__":
    main()
