"""Writes the PyTorch fixtures that PyTorchWeightsTest reads: for each model, its state_dict as
safetensors (written by the small writer below, in state_dict order) and PyTorch's own predictions
on fixed inputs (cases.json). Run by hand, not in CI, with Debian's python3-torch:

    apt-get install python3-torch && /usr/bin/python3 make-fixtures.py

Image inputs are stored NHWC (as Isthmus takes them) and transposed to NCHW for PyTorch here.
"""
import json
import os
import struct

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "pytorch")


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    head = json.dumps(header).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)


class LastState(nn.Module):
    """An LSTM (batch first) giving its last hidden state, as a Keras LSTM without return_sequences."""

    def __init__(self, n_in, units):
        super().__init__()
        self.lstm = nn.LSTM(n_in, units, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[1][0][0]


class Sequences(nn.Module):
    def __init__(self, n_in, units):
        super().__init__()
        self.lstm = nn.LSTM(n_in, units, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[0]


def models():
    torch.manual_seed(1)
    yield "mlp", nn.Sequential(nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1)), ("float", [3, 10])
    yield "image", nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                 nn.Linear(4 * 5 * 5, 8), nn.ReLU(), nn.Linear(8, 10), nn.Softmax(-1)), ("image", [3, 12, 12, 1])
    yield "text", nn.Sequential(nn.Embedding(40, 6), LastState(6, 7), nn.Linear(7, 2), nn.Softmax(-1)), ("ids", [3, 8], 40)
    yield "recommend", nn.Sequential(nn.Embedding(60, 8), Sequences(8, 5), LastState(5, 6), nn.Linear(6, 60),
                                     nn.Softmax(-1)), ("ids", [3, 6], 60)
    yield "batchnorm", nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3, eps=1e-3), nn.ReLU(), nn.Flatten(),
                                     nn.Linear(3 * 6 * 6, 4)), ("image", [3, 8, 8, 1])
    yield "norms", nn.Sequential(nn.Linear(6, 8), nn.LayerNorm(8, eps=1e-3), nn.Tanh(), nn.Linear(8, 3)), ("float", [4, 6])


def main():
    g = torch.Generator().manual_seed(7)
    for name, model, spec in models():
        model.eval()
        with torch.no_grad():
            # biases random too, so that every weight matters to the predictions
            for p in model.parameters():
                p.copy_(torch.rand(p.shape, generator=g) - 0.5)
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):  # inference statistics, random too
                    m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=g) - 0.5)
                    m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            kind, shape = spec[0], spec[1]
            if kind == "ids":
                x = torch.randint(1, spec[2], shape, generator=g)
                y = model(x)
                values = [int(v) for v in x.flatten()]
            else:
                x = torch.rand(shape, generator=g) * 2 - 1
                y = model(x.permute(0, 3, 1, 2) if kind == "image" else x)
                values = [float(v) for v in x.flatten()]
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        save_safetensors(os.path.join(d, "model.safetensors"), model.state_dict())
        with open(os.path.join(d, "cases.json"), "w") as f:
            json.dump({"torch": torch.__version__, "keys": list(model.state_dict().keys()),
                       "input": {"shape": shape, "dtype": "int32" if kind == "ids" else "float32", "values": values},
                       "output": {"shape": list(y.shape), "values": [float(v) for v in y.flatten()]}}, f, indent=1)
        print(name, list(model.state_dict().keys()))


main()
