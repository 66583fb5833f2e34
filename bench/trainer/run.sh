#!/bin/sh
# Side by side, the `seed` network on the same tiles, threads and batch:
#   tiny-dnn-stock  tiny-dnn's own layers (convolution, ELU, max-pool)
#   tiny-dnn        our tiny-dnn backend (fused conv2x2s2+pool+ELU layer,
#                   OpenBLAS GEMMs)
#   libtorch        our libtorch backend
#   pytorch-py      the same network in PyTorch's Python API (Debian's
#                   python3-torch), written the paper's way, with glibc's
#                   malloc thresholds raised through the environment (the
#                   equivalent of what cratedig sets with mallopt())
# Shared 2-core machines swing by +-30% from one minute to the next, so the
# four programs run in alternation for ROUNDS rounds and the table shows each
# metric's median over the rounds (every round's figures are kept in
# $TMPDIR/cratedig_trainer_bench/round-*). Stock tiny-dnn is ~10x slower, so
# it runs on the first STOCK_TILES tiles only, end to end only (rates, so
# comparable).
#   bench/trainer/run.sh BUILD_DIR [TILES] [THREADS] [BATCH] [ROUNDS] [STOCK_TILES]
set -eu
build=${1:?usage: run.sh BUILD_DIR [TILES] [THREADS] [BATCH] [ROUNDS] [STOCK_TILES]}
tiles=${2:-512}
threads=${3:-2}
batch=${4:-128}
rounds=${5:-3}
stock_tiles=${6:-128}
here=$(cd "$(dirname "$0")" && pwd)
dir=${TMPDIR:-/tmp}/cratedig_trainer_bench
mkdir -p "$dir"
rm -f "$dir"/round-*
bench="$build/bench/trainer/trainer_bench"

r=1
while [ "$r" -le "$rounds" ]; do
  echo "round $r/$rounds (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  "$bench" --dir "$dir" --tiles "$stock_tiles" --threads "$threads" \
    --batch "$batch" --backend tiny-dnn-stock --model-only 0 \
    > "$dir/round-$r-stock.txt" || true
  for b in tiny-dnn libtorch; do
    "$bench" --dir "$dir" --tiles "$tiles" --threads "$threads" \
      --batch "$batch" --backend "$b" > "$dir/round-$r-$b.txt" || true
  done
  # tiles.u8 now holds TILES tiles (written by the runs above).
  MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 \
    /usr/bin/python3 "$here/seed_pytorch.py" "$dir" "$threads" "$batch" \
    > "$dir/round-$r-py.txt" || true
  r=$((r + 1))
done

# median KIND METRIC: the median over the rounds ("-" when none ran).
median() {
  cat "$dir"/round-*-"$1".txt 2>/dev/null | awk -v k="$2" '$1 == k { print $2 }' |
    sort -n | awk '{ v[NR] = $1 } END {
      if (NR == 0) print "-";
      else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
metrics="train_end_to_end train_model_only embed_end_to_end embed_model_only"
echo "seed network, 256x256, batch $batch, $threads threads, $tiles tiles" \
  "($stock_tiles for stock tiny-dnn), median of $rounds alternating rounds (tiles/s)"
printf '%-16s %17s %17s %17s %17s\n' program $metrics
for kind in stock tiny-dnn libtorch py; do
  printf '%-16s' "$(case $kind in stock) echo tiny-dnn-stock ;; py) echo pytorch-py ;; *) echo $kind ;; esac)"
  for k in $metrics; do printf ' %17s' "$(median $kind $k)"; done
  echo
done
ratio() {  # ratio A B METRIC
  echo "$(median "$1" "$3") $(median "$2" "$3")" |
    awk '{ if ($1 == "-" || $2 == "-" || $2 == 0) print "-"; else printf "%.2fx\n", $1 / $2 }'
}
for pair in "tiny-dnn stock" "tiny-dnn libtorch" "tiny-dnn py"; do
  set -- $pair
  printf '%-16s' "$1/$2"
  for k in $metrics; do printf ' %17s' "$(ratio "$1" "$2" "$k")"; done
  echo
done

# The feed: end to end against model-only, decoding PNGs and reading the
# decoded-tile cache (trainer/tile_cache.h), per backend.
echo
printf '%-10s %-26s %10s %14s\n' backend metric tiles/s "x model-only"
for b in libtorch tiny-dnn; do
  mt=$(median "$b" train_model_only); me=$(median "$b" embed_model_only)
  [ -n "$mt" ] || continue
  for k in train_end_to_end train_end_to_end_cached; do
    c=$(median "$b" $k)
    printf '%-10s %-26s %10s %13.2fx\n' "$b" $k "$c" "$(echo "$c $mt" | awk '{ print $1 / $2 }')"
  done
  for k in embed_end_to_end embed_end_to_end_cached; do
    c=$(median "$b" $k)
    printf '%-10s %-26s %10s %13.2fx\n' "$b" $k "$c" "$(echo "$c $me" | awk '{ print $1 / $2 }')"
  done
  for k in loader_only loader_only_cached cache_build; do
    printf '%-10s %-26s %10s\n' "$b" $k "$(median "$b" $k)"
  done
done
