#!/bin/sh
# One run of the recommender benchmark: cratedig exact + HNSW, then
# scikit-learn brute-force cosine on the very same vectors.
#   bench/recommender/run.sh BUILD_DIR [OUT_DIR] [extra recommender_bench flags]
# e.g. bench/recommender/run.sh build-recommender /tmp/recbench --db cratedig.db
set -eu
build=${1:?build dir}
out=${2:-/tmp/cratedig-recbench}
shift 2 || shift $#
here=$(dirname "$0")
mkdir -p "$out"
echo "machine: $(nproc) cores, $(uname -m); $(date -u +%Y-%m-%dT%H:%MZ)"
"$build/bench/recommender/recommender_bench" --out "$out" "$@" | tee "$out/cratedig.md"
for base in "$out"/*_base.npy; do
  name=$(basename "$base" _base.npy)
  # Single sklearn queries at 1M take ~0.1 s each: 200 are plenty for p99.
  /usr/bin/python3 "$here/sklearn_bench.py" "$out" "$name" 200
done | tee "$out/sklearn.md"
