"""Reference for src/tensor/gemm/activations.ts: the float32 bits of PyTorch's CPU sigmoid_backward.

torch.ops.aten.sigmoid_backward(grad_output, output) computes `grad * (1 - y) * y` on float32 lanes. We
record its bit patterns for 4099 (y, dy) pairs: y = sigmoid(x) for x spread over [-20, 20] (and the extremes
0, 1, 0.5, tiny, 1 - 2^-24), dy uniform on [-3, 3] with some exact zeros, NaN and ±inf; 4099 elements so
that both the vectorised body and the scalar tail of the kernel run. Run with /usr/bin/python3 (torch
1.13); writes test/fixtures/activations/sigmoid_backward.json.
"""
import json
import os

import numpy as np
import torch

g = torch.Generator().manual_seed(20261206)
n = 4099
x = torch.rand(n, generator=g, dtype=torch.float32) * 40 - 20
y = torch.sigmoid(x)
y[:6] = torch.tensor([0.0, 1.0, 0.5, 1e-30, 1 - 2**-24, 0.25])
dy = torch.rand(n, generator=g, dtype=torch.float32) * 6 - 3
dy[6:12] = torch.tensor([0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1e-38])
dx = torch.ops.aten.sigmoid_backward(dy, y)

u32 = lambda t: t.numpy().view(np.uint32).tolist()
out = {
    "generator": "tools/reference/sigmoid_backward.py",
    "torch": torch.__version__,
    "op": "torch.ops.aten.sigmoid_backward(dy, y)",
    "y_bits": u32(y),
    "dy_bits": u32(dy),
    "dx_bits": u32(dx),
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "activations", "sigmoid_backward.json")
with open(path, "w") as f:
    json.dump(out, f, indent=None)
    f.write("\n")
print("wrote", os.path.normpath(path))
