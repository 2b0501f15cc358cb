"""PyTorch references for `./isthmus bench` on a GPU machine: the workloads listed in the file
given (one "suite|workload|shape" key per line, as bench/results/torch-workloads.txt), measured
on CUDA device 0 in eager mode and, for training steps, with torch.compile where it runs.
Writes {"torch": version, "eager_ms": {key: ms}, "compiled_ms": {key: ms}} to the second argument.
"""
import json
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DEV = "cuda"


def ms(work, reps=20):
    for _ in range(3):
        work()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        work()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps * 1e3


def gemm(workload, shape):
    n = int(shape.split("x")[0])
    precision = workload.split()[-1]
    a = torch.rand(n, n, device=DEV) * 2 - 1
    b = torch.rand(n, n, device=DEV) * 2 - 1
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    if precision == "bf16":
        a, b = a.bfloat16(), b.bfloat16()
    try:
        return ms(lambda: torch.matmul(a, b))
    finally:
        torch.backends.cuda.matmul.allow_tf32 = False


def conv(workload, shape):
    n, h, w, c, f, same = {
        "64x28x28x1 -> 32 3x3": (64, 28, 28, 1, 32, False),
        "8x56x56x64 -> 64 3x3 same": (8, 56, 56, 64, 64, True),
        "32x49x12x16 -> 32 3x3": (32, 49, 12, 16, 32, False),
    }[shape]
    x = torch.rand(n, c, h, w, device=DEV, requires_grad=True)
    k = torch.rand(f, c, 3, 3, device=DEV, requires_grad=True)
    y = F.conv2d(x, k, padding=1 if same else 0)
    gy = torch.rand_like(y)
    if workload.endswith("forward"):
        return ms(lambda: F.conv2d(x, k, padding=1 if same else 0))
    return ms(lambda: torch.autograd.grad(y, (x, k), gy, retain_graph=True))


def lstm(workload, shape):
    n, t, d, u = [int(v) for v in re.findall(r"\d+", shape)]
    layer = nn.LSTM(d, u, batch_first=True).to(DEV)
    x = torch.rand(n, t, d, device=DEV, requires_grad=True)
    y, _ = layer(x)
    gy = torch.rand_like(y)
    if workload.endswith("forward"):
        return ms(lambda: layer(x))
    return ms(lambda: torch.autograd.grad(y, [x] + list(layer.parameters()), gy, retain_graph=True))


def loss(workload, shape):
    n, c = [int(v) for v in shape.split("x")]
    logits = (torch.rand(n, c, device=DEV) * 6 - 3).requires_grad_()
    labels = torch.randint(0, c, (n,), device=DEV)
    return ms(lambda: F.cross_entropy(logits, labels).backward())


class Last(nn.Module):
    def __init__(self, d, u):
        super().__init__()
        self.lstm = nn.LSTM(d, u, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0][:, -1]


def model(name):
    cls = nn.CrossEntropyLoss()
    if name == "mlp":
        return nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1)), nn.MSELoss(), lambda b: (
            torch.rand(b, 10, device=DEV), torch.rand(b, 1, device=DEV))
    if name == "text":
        return nn.Sequential(nn.Embedding(5000, 32, padding_idx=0), nn.Dropout(0.5), Last(32, 64), nn.Linear(64, 2)), cls, \
            lambda b: (torch.randint(0, 5000, (b, 20), device=DEV), torch.randint(0, 2, (b,), device=DEV))
    if name == "image":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 13 * 13, 128),
                             nn.ReLU(), nn.Linear(128, 10)), cls, \
            lambda b: (torch.rand(b, 1, 28, 28, device=DEV), torch.randint(0, 10, (b,), device=DEV))
    if name == "recommend":
        return nn.Sequential(nn.Embedding(9000, 64, padding_idx=0), Last(64, 64), nn.Dropout(0.3), nn.Linear(64, 9000)), cls, \
            lambda b: (torch.randint(0, 9000, (b, 10), device=DEV), torch.randint(0, 9000, (b,), device=DEV))
    return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 23 * 5, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 10)), cls, \
        lambda b: (torch.rand(b, 1, 101, 27, device=DEV), torch.randint(0, 10, (b,), device=DEV))


def step(workload, shape, compiled, reps=20):
    name = workload.split()[-1]
    batch = int(shape.split()[-1])
    net, loss_fn, data = model(name)
    net = net.to(DEV)
    if compiled:
        net = torch.compile(net)
    x, y = data(batch)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def one():
        opt.zero_grad(set_to_none=True)
        loss_fn(net(x), y).backward()
        opt.step()
    return ms(one, reps)


def adam(workload, shape):
    name = shape.split()[0]
    net, loss_fn, data = model(name)
    net = net.to(DEV)
    x, y = data(32)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn(net(x), y).backward()
    return ms(lambda: opt.step())


def main():
    keys = [k.strip() for k in open(sys.argv[1]) if k.strip()]
    eager, compiled = {}, {}
    for key in keys:
        suite, workload, shape = key.split("|")
        fn = {"gemm": gemm, "conv": conv, "lstm": lstm, "loss": loss, "adam": adam}.get(suite)
        eager[key] = fn(workload, shape) if fn else step(workload, shape, False)
        if suite == "step":
            try:
                compiled[key] = step(workload, shape, True)
            except Exception as e:  # torch.compile needs a working compiler toolchain; report where it does not run
                print(f"torch.compile did not run for {key}: {e}", file=sys.stderr)
        print(f"{key}: eager {eager[key]:.3f} ms" + (f", compiled {compiled[key]:.3f} ms" if key in compiled else ""))
    json.dump({"torch": torch.__version__, "eager_ms": eager, "compiled_ms": compiled}, open(sys.argv[2], "w"), indent=2)


if __name__ == "__main__":
    main()
