#!/usr/bin/python3
"""Assembles the real-music evaluation set as a Juno-shaped static site.

Reads sources.tsv and styles.tsv (beside this file), takes the listed files
from the unpacked Debian packages, renders each to a 2-minute mp3 preview
(ffmpeg; MIDI through fluidsynth first) and writes:
  SITE/robots.txt, SITE/index.html
  SITE/{slug}/back-cat/releases/{page}/index.html   genre listings
  SITE/products/{slug}/{titleId}-{productId}/index.html   product pages
  SITE/MP3/SF{titleId}-{productId}-01-{NN}.mp3       previews
  SITE/../manifest.tsv   one row per track: store id, style, artist, album,
                         package, file, seconds, preview start
  SITE/../site.sha256    hash of every served byte (the crawl cache key)
The shape follows docs/store-html.md, so configs/junodownload.toml's
selectors parse it unchanged. Everything is deterministic: sorted inputs,
fixed ids, bit-exact mp3 encoding, no timestamps.

Usage: assemble.py --packages DIR --cache DIR --site DIR [--jobs N]
  DIR/<package>/ holds each package unpacked with dpkg-deb -x.
"""

import argparse
import concurrent.futures
import fnmatch
import glob
import hashlib
import html
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
RESERVED = {"wesnoth-1.16-music", "wesnoth-music", "nexuiz-music",
            "openttd-openmsx"}
PREVIEW_SECONDS = 120.0
MIN_SECONDS = 30.0
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
# Changing any of these changes every preview: part of the cache key.
RENDER_VERSION = "v1 44100Hz stereo lame128k start=min(30,(d-120)/2)"
ITEMS_PER_PAGE = 100
LISTING = "/{slug}/back-cat/releases/{page}/?order=date_down&items_per_page=100"


def fail(msg):
    print("real-music: " + msg, file=sys.stderr)
    sys.exit(1)


def read_tsv(path, ncols):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < ncols:
                cols += [""] * (ncols - len(cols))
            if len(cols) != ncols:
                fail(f"{path}:{n}: expected {ncols} tab-separated columns")
            rows.append(cols)
    return rows


def load_sources():
    styles = {}
    for style, slug, store_genre in read_tsv(
            os.path.join(HERE, "styles.tsv"), 3):
        styles[style] = {"slug": slug, "genre": store_genre}
    rows = []
    for n, c in enumerate(read_tsv(os.path.join(HERE, "sources.tsv"), 7)):
        package, pattern, style, artist, album, cap, exclude = c
        if package in RESERVED:
            fail(f"sources.tsv: {package} is reserved for independent checks "
                 "and must not be used")
        if style not in styles:
            fail(f"sources.tsv: unknown style '{style}' (see styles.tsv)")
        rows.append({"package": package, "glob": pattern, "style": style,
                     "artist": artist, "album": album, "max": int(cap or 0),
                     "exclude": [e for e in exclude.split(",") if e]})
    return styles, rows


def expand(row, packages_dir):
    """The row's files, sorted: (display path, reader) pairs."""
    root = os.path.join(packages_dir, row["package"])
    if not os.path.isdir(root):
        fail(f"package {row['package']} is not unpacked in {packages_dir}")
    out = []
    if "!" in row["glob"]:
        archive, member_glob = row["glob"].split("!", 1)
        path = os.path.join(root, archive)
        with zipfile.ZipFile(path) as z:
            names = sorted(n for n in z.namelist()
                           if fnmatch.fnmatchcase(n, member_glob))
        for n in names:
            out.append((f"{archive}!{n}", ("zip", path, n)))
    else:
        for p in sorted(glob.glob(os.path.join(root, row["glob"]))):
            if os.path.isfile(p):
                out.append((os.path.relpath(p, root), ("file", p, None)))
    out = [o for o in out if not any(
        fnmatch.fnmatchcase(os.path.basename(o[0]), e) for e in row["exclude"])]
    if row["max"] > 0:
        out = out[:row["max"]]
    if not out:
        fail(f"sources.tsv: no files match {row['package']} {row['glob']}")
    return out


def read_bytes(reader):
    kind, path, member = reader
    if kind == "zip":
        with zipfile.ZipFile(path) as z:
            return z.read(member)
    with open(path, "rb") as f:
        return f.read()


def probe_seconds(path):
    r = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration",
         "-of", "default=nw=1:nk=1", path], capture_output=True, text=True)
    try:
        return float(r.stdout.strip())
    except ValueError:
        return 0.0


def render(name, data, cache_dir):
    """Renders one recording to a cached preview; returns (mp3, seconds,
    start) or None when it is too short or undecodable."""
    key = hashlib.sha256(RENDER_VERSION.encode() + b"\0" +
                         hashlib.sha256(data).digest()).hexdigest()
    mp3 = os.path.join(cache_dir, key + ".mp3")
    meta = mp3 + ".txt"
    if os.path.exists(meta):
        with open(meta) as f:
            parts = f.read().split()
        if parts[0] == "short":
            return None
        return mp3, float(parts[1]), float(parts[2])
    ext = os.path.splitext(name)[1].lower()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in" + ext)
        with open(src, "wb") as f:
            f.write(data)
        if ext in (".mid", ".midi"):
            wav = os.path.join(tmp, "midi.wav")
            subprocess.run(["fluidsynth", "-ni", "-q", "-r", "44100", "-g",
                            "0.6", "-F", wav, SOUNDFONT, src], check=True,
                           capture_output=True)
            src = wav
        seconds = probe_seconds(src)
        if seconds < MIN_SECONDS:
            with open(meta, "w") as f:
                f.write(f"short {seconds}\n")
            return None
        start = 0.0
        if seconds > PREVIEW_SECONDS:
            start = round(min(30.0, (seconds - PREVIEW_SECONDS) / 2), 3)
        out = os.path.join(tmp, "out.mp3")
        r = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-ss", str(start), "-t",
             str(PREVIEW_SECONDS), "-i", src, "-map", "0:a:0", "-ac", "2",
             "-ar", "44100", "-c:a", "libmp3lame", "-b:a", "128k",
             "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a",
             "+bitexact", "-id3v2_version", "0", "-write_xing", "0", out],
            capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"ffmpeg could not render {name}: {r.stderr.strip()}")
        shutil.move(out, mp3 + ".tmp")
        os.replace(mp3 + ".tmp", mp3)
    with open(meta + ".tmp", "w") as f:
        f.write(f"ok {seconds} {start}\n")
    os.replace(meta + ".tmp", meta)
    return mp3, seconds, start


def title_of(name):
    stem = os.path.splitext(os.path.basename(name.split("!")[-1]))[0]
    return stem.replace("_", " ").replace("-", " - " if " " in stem else " ")


def min_sec(s):
    t = int(s)
    return f"{t // 60}:{t % 60:02d}"


def iso_duration(s):
    t = int(s)
    return f"P0H{t // 60}M{t % 60}S"


def slugify(s):
    out = "".join(c.lower() if c.isalnum() else "-" for c in s)
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-") or "x"


def esc(s):
    return html.escape(s, quote=True)


def page(title, body):
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{esc(title)} | cratedig real-music set</title>\n</head>\n"
            "<body>\n<nav class=\"navbar\"><a href=\"/\">real-music</a> "
            "<a href=\"/search/?q=x\">Search</a></nav>\n"
            f"<main class=\"container\">\n{body}</main>\n</body>\n</html>\n")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--site", required=True)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--list-packages", action="store_true",
                    help="print the packages sources.tsv needs and exit")
    a = ap.parse_args()

    styles, rows = load_sources()
    if a.list_packages:
        print("\n".join(sorted({r["package"] for r in rows})))
        return
    os.makedirs(a.cache, exist_ok=True)

    # (row, display path, reader) in sources.tsv order, then file order.
    items = []
    seen = set()
    for row in rows:
        for name, reader in expand(row, a.packages):
            if (row["package"], name) in seen:
                fail(f"sources.tsv: {row['package']} {name} is listed twice")
            seen.add((row["package"], name))
            items.append((row, name, reader))

    def job(it):
        row, name, reader = it
        return render(name, read_bytes(reader), a.cache)

    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as ex:
        rendered = list(ex.map(job, items))

    # One release per (album, style), in sources.tsv order.
    releases = {}
    short = 0
    for (row, name, _), r in zip(items, rendered):
        if r is None:
            short += 1
            continue
        key = (row["album"], row["style"])
        rel = releases.setdefault(key, {"album": row["album"],
                                        "style": row["style"], "tracks": []})
        rel["tracks"].append({"row": row, "name": name, "mp3": r[0],
                              "seconds": r[1], "start": r[2]})

    if os.path.isdir(a.site):
        shutil.rmtree(a.site)
    os.makedirs(a.site)
    write(os.path.join(a.site, "robots.txt"),
          "User-agent: *\nDisallow: /search/\nDisallow: /cart/\n"
          "Disallow: /account/\n")
    manifest = ["store_id\tstyle\tartist\talbum\tpackage\tfile\tseconds\t"
                "preview_start"]
    by_style = {s: [] for s in styles}
    for i, rel in enumerate(releases.values()):
        title_id = 8000001 + i
        store_id = f"{title_id}-01"
        rel["store_id"] = store_id
        artists = sorted({t["row"]["artist"] for t in rel["tracks"]})
        rel["artist"] = artists[0] if len(artists) == 1 else "Various"
        rel["title"] = f"{rel['album']} ({styles[rel['style']]['genre']})"
        rel["path"] = f"/products/{slugify(rel['title'])}/{store_id}/"
        rel["cat"] = f"DEB{i + 1:03d}"
        for n, t in enumerate(rel["tracks"], 1):
            if n > 99:
                fail(f"{rel['title']}: more than 99 tracks")
            t["pos"] = n
            t["store_id"] = f"{store_id}-01-{n:02d}"
            t["preview"] = f"/MP3/SF{t['store_id']}.mp3"
            t["title"] = title_of(t["name"])
            dst = os.path.join(a.site, t["preview"].lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(t["mp3"], dst)
            manifest.append("\t".join([
                t["store_id"], rel["style"], t["row"]["artist"], rel["album"],
                t["row"]["package"], t["name"], f"{t['seconds']:.1f}",
                f"{t['start']:.1f}"]))
        by_style[rel["style"]].append(rel)

    # Listings: one per style, 100 releases a page.
    for style, rels in by_style.items():
        slug, genre = styles[style]["slug"], styles[style]["genre"]
        pages = max(1, -(-len(rels) // ITEMS_PER_PAGE))
        for p in range(1, pages + 1):
            body = f"<h1>{esc(genre)} &ndash; back catalogue</h1>\n<div class=\"jd-listing\">\n"
            for rel in rels[(p - 1) * ITEMS_PER_PAGE:p * ITEMS_PER_PAGE]:
                body += ("<div class=\"jd-listing-item\" data-ua_location=\"release\">\n"
                         f"  <div class=\"juno-artist\">{esc(rel['artist'])}</div>\n"
                         f"  <a class=\"juno-title\" href=\"{esc(rel['path'])}\">{esc(rel['title'])}</a>\n"
                         f"  <a class=\"juno-label\" href=\"/labels/{slugify(rel['album'])}/\">{esc(rel['album'])}</a>\n"
                         "  <div class=\"text-sm text-muted mt-3 lit-date-cat-genre\">\n"
                         f"    {rel['cat']}<br>01 Jan 24<br>{esc(genre)}\n  </div>\n"
                         "  <div class=\"jd-listing-tracklist\">\n")
                for t in rel["tracks"]:
                    body += (f"    <div class=\"col listing-track\">{esc(t['row']['artist'])} - "
                             f"&quot;{esc(t['title'])}&quot; - ({min_sec(t['seconds'])})</div>\n")
                body += "  </div>\n</div>\n"
            body += "</div>\n<div class=\"pagination\">"
            body += f"<span class=\"current\">{p}</span>"
            if p < pages:
                body += (f" <a title=\"Next Page\" href=\""
                         f"{esc(LISTING.format(slug=slug, page=p + 1))}\">&raquo;</a>")
            body += "</div>\n"
            write(os.path.join(a.site, slug, "back-cat", "releases", str(p),
                               "index.html"),
                  page(f"{genre} back catalogue, page {p}", body))

    for rel in releases.values():
        genre = styles[rel["style"]]["genre"]
        body = ("<div class=\"product-header\">\n"
                f"<h1 class=\"product-title\">{esc(rel['title'])}</h1>\n"
                f"<div class=\"product-artist\">{esc(rel['artist'])}</div>\n"
                f"<div class=\"product-label\"><a href=\"/labels/{slugify(rel['album'])}/\">{esc(rel['album'])}</a></div>\n"
                f"<div class=\"product-meta\">Cat: {rel['cat']}<br>Released: 01 Jan 24<br>Genre: {esc(genre)}</div>\n"
                "</div>\n<div class=\"product-tracklist\">\n")
        for t in rel["tracks"]:
            body += ("  <div class=\"product-tracklist-track\" itemprop=\"track\" itemscope "
                     "itemtype=\"http://schema.org/MusicRecording\">\n"
                     f"    <meta itemprop=\"duration\" content=\"{iso_duration(t['seconds'])}\">\n"
                     f"    <span class=\"track-number\">{t['pos']}</span>\n"
                     f"    <span itemprop=\"name\">{esc(t['title'])}</span>\n"
                     f"    <span class=\"track-artist\" itemprop=\"byArtist\">{esc(t['row']['artist'])}</span>\n"
                     f"    <a class=\"btn-play\" href=\"{t['preview']}\" title=\"Play\">&#9658;</a>\n"
                     "  </div>\n")
        body += "</div>\n"
        write(os.path.join(a.site, rel["path"].lstrip("/"), "index.html"),
              page(f"{rel['artist']} - {rel['title']}", body))

    home = "<h1>Styles</h1><ul>\n" + "".join(
        f"<li><a href=\"{esc(LISTING.format(slug=s['slug'], page=1))}\">"
        f"{esc(s['genre'])}</a></li>\n" for s in styles.values()) + "</ul>\n"
    write(os.path.join(a.site, "index.html"), page("Home", home))

    parent = os.path.dirname(os.path.abspath(a.site))
    write(os.path.join(parent, "manifest.tsv"), "\n".join(manifest) + "\n")
    h = hashlib.sha256()
    for dirpath, dirnames, files in sorted(os.walk(a.site)):
        dirnames.sort()
        for fn in sorted(files):
            p = os.path.join(dirpath, fn)
            h.update(os.path.relpath(p, a.site).encode() + b"\0")
            with open(p, "rb") as f:
                h.update(hashlib.sha256(f.read()).digest())
    write(os.path.join(parent, "site.sha256"), h.hexdigest() + "\n")

    counts = {s: sum(len(r["tracks"]) for r in by_style[s]) for s in styles}
    albums = {s: len({r["album"] for r in by_style[s]}) for s in styles}
    total = sum(counts.values())
    print(f"real-music: {total} tracks in {len(releases)} releases "
          f"({short} shorter than {MIN_SECONDS:.0f} s left out): " +
          ", ".join(f"{s} {counts[s]} ({albums[s]} albums)" for s in styles))


if __name__ == "__main__":
    main()
