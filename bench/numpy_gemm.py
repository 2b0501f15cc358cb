"""numpy float32 matmul throughput, for bench/gemm-vs-numpy.sh.

Prints CSV lines "size,gflops" (mean of the measured iterations, like JMH's score) after a
"# numpy ..." comment line, then "name,gflops" for each --shapes entry NAME:TRANSB:M:N:K:BATCH
(op(B) transposed when TRANSB is 1; BATCH products in one stacked matmul). Threads: set
OPENBLAS_NUM_THREADS before starting Python.
"""
import argparse
import os
import time

import numpy as np


def blas_info():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        return "unknown BLAS"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="256,512,1024,2048")
    ap.add_argument("--shapes", default="", help="NAME:TRANSB:M:N:K:BATCH,... (model shapes)")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per size")
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--time", type=float, default=1.0, help="seconds per measured iteration")
    args = ap.parse_args()
    print(f"# numpy {np.__version__}, {blas_info()}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}",
          flush=True)
    rng = np.random.default_rng(1)
    for size in (int(s) for s in args.sizes.split(",") if s):
        a = rng.uniform(-1, 1, (size, size)).astype(np.float32)
        b = rng.uniform(-1, 1, (size, size)).astype(np.float32)
        print(f"{size},{measure(a, b, 2.0 * size ** 3, args):.2f}", flush=True)
    for entry in (e for e in args.shapes.split(",") if e):
        name, transb, m, n, k, batch = entry.split(":")
        m, n, k, batch = int(m), int(n), int(k), int(batch)
        a = rng.uniform(-1, 1, (batch, m, k)).astype(np.float32)
        if transb == "1":
            # B stored n x k, used transposed: a view, as a framework's matmul with B.T gets it
            b = np.swapaxes(rng.uniform(-1, 1, (batch, n, k)).astype(np.float32), 1, 2)
        else:
            b = rng.uniform(-1, 1, (batch, k, n)).astype(np.float32)
        print(f"{name},{measure(a, b, 2.0 * m * n * k * batch, args):.2f}", flush=True)


def measure(a, b, flops, args):
    """GFLOP/s of np.matmul(a, b) into a preallocated output: warm-up, then the mean of the iterations."""
    c = np.empty(np.matmul(a, b).shape, dtype=np.float32)
    end = time.perf_counter() + args.warmup
    while time.perf_counter() < end:
        np.matmul(a, b, out=c)
    scores = []
    for _ in range(args.iterations):
        ops = 0
        start = time.perf_counter()
        end = start + args.time
        while True:
            np.matmul(a, b, out=c)
            ops += 1
            now = time.perf_counter()
            if now >= end:
                break
        scores.append(ops * flops / (now - start) / 1e9)
    return sum(scores) / len(scores)


if __name__ == "__main__":
    main()
