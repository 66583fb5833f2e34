#!/usr/bin/python3
"""Prints scripts/real-music's table from `cratedig evaluate-recs --json`
(and the `Result:` line of `cratedig evaluate`), with track, album and
artist counts per style from the manifest.

Usage: table.py RECS.json STYLES.tsv MANIFEST.tsv [EVALUATE.txt]
"""

import collections
import json
import sys


def main():
    recs_path, styles_path, manifest_path = sys.argv[1:4]
    evaluate_path = sys.argv[4] if len(sys.argv) > 4 else None
    # Parent genre (the store genre) -> style, in label order.
    genre_to_style = {}
    for line in open(styles_path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            style, _slug, genre = line.rstrip("\n").split("\t")
            genre_to_style[genre] = style
    tracks = collections.Counter()
    albums = collections.defaultdict(set)
    artists = collections.defaultdict(set)
    with open(manifest_path, encoding="utf-8") as f:
        next(f)
        for line in f:
            c = line.rstrip("\n").split("\t")
            tracks[c[1]] += 1
            albums[c[1]].add(c[3])
            artists[c[1]].add(c[2])

    if evaluate_path:
        for line in open(evaluate_path, encoding="utf-8"):
            if line.startswith("Result:"):
                print(line.rstrip("\n"))

    e = json.load(open(recs_path, encoding="utf-8"))
    methods = e["methods"]
    cols = [("p@5", "p5"), ("p@10", "p10"),
            ("p@5 oth.artist", "p5_other_artist"),
            ("p@10 oth.artist", "p10_other_artist"),
            ("p@5 oth.album", "p5_other_album"),
            ("p@10 oth.album", "p10_other_album")]
    first = next(iter(methods.values()))
    cols = [c for c in cols if c[1] in first]
    print(f"style precision of nearest neighbours, run {e['run']}, "
          f"{e['tracks']} tracks "
          f"(oth.artist / oth.album: the query's artist / album left out)")
    print(f"{'method':<16}" + "".join(f"{c[0]:>17}" for c in cols))
    for name, p in methods.items():
        print(f"{name:<16}" + "".join(f"{p[c[1]]:>17.3f}" for c in cols))
    print()
    print(f"{'style':<12}{'tracks':>7}{'albums':>7}{'artists':>8}" +
          "".join(f"{m + ' p@10':>20}" for m in methods))
    for genre, style in genre_to_style.items():
        print(f"{genre:<12}{tracks[style]:>7}{len(albums[style]):>7}"
              f"{len(artists[style]):>8}" +
              "".join(f"{methods[m]['p10_by_genre'].get(genre, float('nan')):>20.3f}"
                      for m in methods))


if __name__ == "__main__":
    main()
