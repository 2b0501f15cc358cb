"""The PyTorch half of the one-shot device check: the same workloads as GpuCheck.java, in
PyTorch eager on CUDA device 0, written as torch-results.json into the folder given. Models and
the training step come from torch_suite.py (the references of ./isthmus bench)."""
import json
import sys

import torch

from torch_suite import gemm as torch_gemm, ms, step


def seconds(work, reps):
    return ms(work, reps) / 1e3


def bandwidth():
    n = 1 << 28
    x = torch.empty(n, device="cuda").uniform_(-1, 1)
    moved = 2.0 * 4 * n
    copy = seconds(lambda: x.clone(), 20)
    relu = seconds(lambda: torch.relu(x), 20)
    scale = seconds(lambda: x * 1.5, 20)
    add = seconds(lambda: x + x, 20)
    add_moved = 3.0 * 4 * n  # two inputs read, one output written: counted as GpuCheck counts them
    return {"bytes_moved_per_op": moved, "copy_GBps": moved / copy / 1e9, "relu_GBps": moved / relu / 1e9,
            "scale_GBps": moved / scale / 1e9, "add_GBps": add_moved / add / 1e9, "relu_vs_copy": copy / relu,
            "add_vs_copy": (add_moved / add) / (moved / copy)}


def gemm():
    rows = []
    for size in (1024, 4096, 8192):
        for precision in ("FP32", "TF32", "BF16"):
            millis = torch_gemm(f"sgemm {precision.lower()}", f"{size}x{size}x{size}")
            rows.append({"size": size, "precision": precision, "tflops": 2.0 * size ** 3 / millis / 1e9})
    return rows


def dispatch():
    t = torch.ones(1, device="cuda")

    def chain():
        u = t
        for _ in range(10000):
            u = u + 1.0
    return seconds(chain, 5) / 10000 * 1e6


BATCH = {"mlp": 32, "text": 32, "image": 64, "recommend": 256, "speech": 32}


def training_steps():
    # The models, inputs and step of bench/torch_suite.py, at each sample's batch size (as GpuCheck.java).
    return {name: step(f"train step {name}", f"batch {BATCH[name]}", False, reps=60) for name in BATCH}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    torch.manual_seed(0)
    results = {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0),
               "bandwidth": bandwidth(), "gemm": gemm(), "dispatch_us_per_tiny_op": dispatch(),
               "training_step_ms": training_steps()}
    with open(f"{out}/torch-results.json", "w") as f:
        json.dump(results, f, indent=2)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
