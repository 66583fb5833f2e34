#!/bin/sh
# Side by side: the `seed` network in cratedig (libtorch, C++) and in
# PyTorch's Python API (Debian's python3-torch, the same 1.13 build), on the
# same tiles, the same thread count and batch size. The Python peer runs
# with glibc's malloc thresholds raised through the environment, the
# equivalent of what cratedig sets with mallopt(), so the comparison does
# not flatter cratedig.
#
# Shared 2-core machines swing by +-30% from one minute to the next, so the
# three programs run in alternation for ROUNDS rounds and the table shows
# each metric's median over the rounds (every round's figures are kept in
# $TMPDIR/cratedig_trainer_bench/round-*).
#   bench/trainer/run.sh BUILD_DIR [TILES] [THREADS] [BATCH] [ROUNDS]
set -eu
build=${1:?usage: run.sh BUILD_DIR [TILES] [THREADS] [BATCH] [ROUNDS]}
tiles=${2:-1024}
threads=${3:-2}
batch=${4:-128}
rounds=${5:-3}
here=$(cd "$(dirname "$0")" && pwd)
dir=${TMPDIR:-/tmp}/cratedig_trainer_bench
mkdir -p "$dir"
rm -f "$dir"/round-*

r=1
while [ "$r" -le "$rounds" ]; do
  "$build/bench/trainer/trainer_bench" --dir "$dir" --tiles "$tiles" \
    --threads "$threads" --batch "$batch" > "$dir/round-$r-cpp.txt"
  MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
    /usr/bin/python3 "$here/seed_pytorch.py" "$dir" "$threads" "$batch" \
    > "$dir/round-$r-py.txt"
  MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
    /usr/bin/python3 "$here/seed_pytorch.py" "$dir" "$threads" "$batch" \
    --tuned > "$dir/round-$r-py_tuned.txt"
  r=$((r + 1))
done

# median KIND METRIC: the median over the rounds.
median() {
  cat "$dir"/round-*-"$1".txt | awk -v k="$2" '$1 == k { print $2 }' |
    sort -n | awk '{ v[NR] = $1 } END {
      if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "seed network, 256x256, batch $batch, $threads threads, $tiles tiles," \
  "median of $rounds alternating rounds (tiles/s)"
printf '%-18s %10s %12s %12s %8s %8s\n' metric cratedig pytorch-py py-tuned ratio ratio-tuned
for k in train_end_to_end train_model_only embed_end_to_end embed_model_only; do
  c=$(median cpp $k); p=$(median py $k); q=$(median py_tuned $k)
  printf '%-18s %10s %12s %12s %7.2fx %7.2fx\n' $k "$c" "$p" "$q" \
    "$(echo "$c $p" | awk '{ print $1 / $2 }')" "$(echo "$c $q" | awk '{ print $1 / $2 }')"
done
printf '%-18s %10s\n' loader_only "$(median cpp loader_only)"
