"""Reference for src/data: the float32 values torchvision's ToTensor gives MNIST pixels.

torchvision.transforms.functional.to_tensor turns a uint8 image into `img.to(torch.float32).div(255)`.
We record, for every byte value 0..255, the float32 bit pattern torch produces — once through a 256-element
tensor and once through a large tensor (a vectorised kernel path; the script asserts they agree). Run with /usr/bin/python3 (torch 1.13); writes test/fixtures/data/totensor.json.
"""
import json
import os

import numpy as np
import torch

x = torch.arange(256, dtype=torch.uint8)
small = x.to(torch.float32).div(255)
big = x.repeat(4096).to(torch.float32).div(255).view(4096, 256)
assert bool((big == small).all()), "vectorised and scalar paths differ"

bits = small.numpy().view(np.uint32).tolist()
out = {
    "generator": "tools/reference/data_totensor.py",
    "torch": torch.__version__,
    "op": "torch.arange(256, dtype=torch.uint8).to(torch.float32).div(255)",
    "float32_bits": bits,
    "values": [float(v) for v in small.numpy()],
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "data", "totensor.json")
with open(path, "w") as f:
    json.dump(out, f, indent=None)
    f.write("\n")
print("wrote", os.path.normpath(path))
