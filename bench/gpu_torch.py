"""The PyTorch half of the one-shot device check: the same workloads as GpuCheck.java, in
PyTorch eager on CUDA device 0, written as torch-results.json into the folder given."""
import json
import sys
import time

import torch
import torch.nn as nn


def seconds(work, reps):
    work()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        work()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps


def bandwidth():
    n = 1 << 28
    x = torch.empty(n, device="cuda").uniform_(-1, 1)
    moved = 2.0 * 4 * n
    copy = seconds(lambda: x.clone(), 20)
    relu = seconds(lambda: torch.relu(x), 20)
    scale = seconds(lambda: x * 1.5, 20)
    return {"bytes_moved_per_op": moved, "copy_GBps": moved / copy / 1e9, "relu_GBps": moved / relu / 1e9,
            "scale_GBps": moved / scale / 1e9, "relu_vs_copy": copy / relu}


def gemm():
    rows = []
    for size in (1024, 4096, 8192):
        a = torch.empty(size, size, device="cuda").uniform_(-1, 1)
        b = torch.empty(size, size, device="cuda").uniform_(-1, 1)
        for precision in ("FP32", "TF32", "BF16"):
            torch.backends.cuda.matmul.allow_tf32 = precision == "TF32"
            if precision == "BF16":
                a16, b16 = a.bfloat16(), b.bfloat16()
                work = lambda: torch.matmul(a16, b16)
            else:
                work = lambda: torch.matmul(a, b)
            s = seconds(work, 5 if size >= 8192 else 20)
            rows.append({"size": size, "precision": precision, "tflops": 2.0 * size ** 3 / s / 1e12})
    torch.backends.cuda.matmul.allow_tf32 = False
    return rows


def dispatch():
    t = torch.ones(1, device="cuda")

    def chain():
        u = t
        for _ in range(1000):
            u = u + 1.0
    return seconds(chain, 50) / 1000 * 1e6


class Flatten(nn.Module):
    def forward(self, x):
        return x.flatten(1)


class LastStep(nn.Module):
    """LSTM over [n, t, d] returning the last hidden state, as Keras LSTM(return_sequences=False)."""

    def __init__(self, d, units):
        super().__init__()
        self.lstm = nn.LSTM(d, units, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0][:, -1]


def models():
    # Same layer sizes, input shapes and batch sizes as GpuCheck.java (Workloads.java); images NCHW here, NHWC there.
    cls = nn.CrossEntropyLoss()
    return [
        ("mlp", nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1)), nn.MSELoss(),
         torch.randn(32, 10), torch.randn(32, 1)),
        ("text", nn.Sequential(nn.Embedding(5000, 32, padding_idx=0), nn.Dropout(0.5), LastStep(32, 64),
                               nn.Linear(64, 2)), cls,
         torch.randint(0, 5000, (32, 20)), torch.randint(0, 2, (32,))),
        ("image", nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), Flatten(),
                                nn.Linear(32 * 13 * 13, 128), nn.ReLU(), nn.Linear(128, 10)), cls,
         torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))),
        ("recommend", nn.Sequential(nn.Embedding(9000, 64, padding_idx=0), LastStep(64, 64), nn.Dropout(0.3),
                                    nn.Linear(64, 9000)), cls,
         torch.randint(0, 9000, (256, 10)), torch.randint(0, 9000, (256,))),
        ("speech", nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(),
                                 nn.MaxPool2d(2), Flatten(), nn.Linear(32 * 23 * 5, 64), nn.ReLU(), nn.Dropout(0.3),
                                 nn.Linear(64, 10)), cls,
         torch.randn(32, 1, 101, 27), torch.randint(0, 10, (32,))),
    ]


def training_steps():
    results = {}
    for name, model, loss_fn, x, y in models():
        model = model.cuda()
        x, y = x.cuda(), y.cuda()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        for _ in range(5):
            step()
        results[name] = seconds(step, 60) * 1e3
    return results


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
