#!/usr/bin/python3
"""scikit-learn's brute-force cosine NearestNeighbors on the vectors
recommender_bench wrote: fit time, single-query latency p50/p99, recall@10
against cratedig's exact answers; "cpu" is process CPU time (all BLAS
threads). Run with Debian's /usr/bin/python3.

  sklearn_bench.py DIR NAME [max_queries]
"""
import sys
import time

import numpy as np
from sklearn.neighbors import NearestNeighbors


def main():
    out, name = sys.argv[1], sys.argv[2]
    max_q = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    base = np.load(f"{out}/{name}_base.npy")
    queries = np.load(f"{out}/{name}_queries.npy")[:max_q]
    truth = np.load(f"{out}/{name}_truth.npy")[:max_q]
    t0 = time.perf_counter()
    nn = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute")
    nn.fit(base)
    fit_s = time.perf_counter() - t0
    ms, cpu, hits = [], [], 0
    for i in range(len(queries)):
        c0 = time.process_time()
        t0 = time.perf_counter()
        _, idx = nn.kneighbors(queries[i : i + 1])
        ms.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
        hits += len(set(idx[0].tolist()) & set(truth[i].tolist()))
    ms = np.sort(np.array(ms))
    p50 = ms[len(ms) // 2]
    p99 = ms[min(len(ms) - 1, len(ms) * 99 // 100)]
    cpu = np.sort(np.array(cpu))
    cpu99 = cpu[min(len(cpu) - 1, len(cpu) * 99 // 100)]
    recall = hits / (10.0 * len(queries))
    print(f"| {name} | {base.shape[0]} | sklearn brute cosine "
          f"({len(queries)} queries) | {fit_s:.3f} | {p50:.3f} | {p99:.3f} "
          f"| {cpu99:.3f} | {recall:.3f} |")


if __name__ == "__main__":
    main()
