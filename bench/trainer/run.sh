#!/bin/sh
# Side by side: the `seed` network in cratedig (libtorch, C++) and in
# PyTorch's Python API (Debian's python3-torch, the same 1.13 build), on the
# same tiles, the same thread count and batch size. The Python peer runs
# with glibc's malloc thresholds raised through the environment, the
# equivalent of what cratedig sets with mallopt(), so the comparison does
# not flatter cratedig.
#   bench/trainer/run.sh BUILD_DIR [TILES] [THREADS] [BATCH]
set -eu
build=${1:?usage: run.sh BUILD_DIR [TILES] [THREADS] [BATCH]}
tiles=${2:-1024}
threads=${3:-2}
batch=${4:-128}
here=$(cd "$(dirname "$0")" && pwd)
dir=${TMPDIR:-/tmp}/cratedig_trainer_bench
mkdir -p "$dir"

"$build/bench/trainer/trainer_bench" --dir "$dir" --tiles "$tiles" \
  --threads "$threads" --batch "$batch" > "$dir/cpp.txt"
export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736
/usr/bin/python3 "$here/seed_pytorch.py" "$dir" "$threads" "$batch" > "$dir/py.txt"
/usr/bin/python3 "$here/seed_pytorch.py" "$dir" "$threads" "$batch" --tuned > "$dir/py_tuned.txt"

get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
echo "seed network, 256x256, batch $batch, $threads threads, $tiles tiles (tiles/s)"
printf '%-18s %10s %12s %12s %8s %8s\n' metric cratedig pytorch-py py-tuned ratio ratio-tuned
for k in train_end_to_end train_model_only embed_end_to_end embed_model_only; do
  c=$(get "$dir/cpp.txt" $k); p=$(get "$dir/py.txt" $k); q=$(get "$dir/py_tuned.txt" $k)
  printf '%-18s %10s %12s %12s %7.2fx %7.2fx\n' $k "$c" "$p" "$q" \
    "$(echo "$c $p" | awk '{ print $1 / $2 }')" "$(echo "$c $q" | awk '{ print $1 / $2 }')"
done
printf '%-18s %10s\n' loader_only "$(get "$dir/cpp.txt" loader_only)"
