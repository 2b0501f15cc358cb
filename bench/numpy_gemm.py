"""numpy float32 matmul throughput, for bench/gemm-vs-numpy.sh.

Prints CSV lines "size,gflops" (mean of the measured iterations, like JMH's score) after a
"# numpy ..." comment line. Threads: set OPENBLAS_NUM_THREADS before starting Python.
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
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per size")
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--time", type=float, default=1.0, help="seconds per measured iteration")
    args = ap.parse_args()
    print(f"# numpy {np.__version__}, {blas_info()}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}",
          flush=True)
    rng = np.random.default_rng(1)
    for size in (int(s) for s in args.sizes.split(",")):
        a = rng.uniform(-1, 1, (size, size)).astype(np.float32)
        b = rng.uniform(-1, 1, (size, size)).astype(np.float32)
        c = np.empty((size, size), dtype=np.float32)
        flops = 2.0 * size ** 3
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
        print(f"{size},{sum(scores) / len(scores):.2f}", flush=True)


if __name__ == "__main__":
    main()
