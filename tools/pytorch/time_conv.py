#!/usr/bin/python3
"""PyTorch's side of bench/conv.ts: the CNN's convolution products and one CNN training step, timed at one thread.

Prints one JSON line per case: {"case", "ms"} (median over --runs samples after --warmup calls; each sample
repeats the call until 50 ms pass, as bench/harness.ts does). Cases, batch 50, MNIST-shaped input:
  conv0 forward / backward      Conv2d(1->32, 3, pad 1) on [50, 1, 28, 28]; backward = weight, bias and input grads
  conv1 forward / backward      Conv2d(32->64, 3, pad 1) on [50, 32, 14, 14]
  cnn step                      zero_grad, forward, cross-entropy, backward, Adam step of the whole CNN
  cnn eval forward              forward of a test batch under no_grad (eval mode)
Usage: /usr/bin/python3 tools/pytorch/time_conv.py [--runs 5] [--warmup 3] [--threads 1]
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--runs", type=int, default=5)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--threads", type=int, default=1)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)


def timed(fn):
    for _ in range(args.warmup):
        fn()
    samples = []
    for _ in range(args.runs):
        reps, t0 = 0, time.perf_counter()
        while True:
            fn()
            reps += 1
            t1 = time.perf_counter()
            if t1 - t0 >= 0.05:
                break
        samples.append((t1 - t0) / reps * 1000)
    return statistics.median(samples)


def conv_cases(name, conv, shape):
    x = torch.rand(shape)
    xg = x.clone().requires_grad_(True)
    y = conv(xg)
    g = torch.randn_like(y)

    def fwd():
        with torch.no_grad():
            conv(x)

    def bwd():
        conv.zero_grad()
        xg.grad = None
        conv(xg).backward(g)
    return [(f"{name} forward", fwd), (f"{name} forward+backward", bwd)]


cases = conv_cases("conv0", nn.Conv2d(1, 32, 3, padding=1), (50, 1, 28, 28))
cases += conv_cases("conv1", nn.Conv2d(32, 64, 3, padding=1), (50, 32, 14, 14))
model = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                      nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 256), nn.Sigmoid(), nn.Linear(256, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
loss_fn = nn.CrossEntropyLoss()
xb = torch.rand(50, 1, 28, 28)
yb = torch.randint(0, 10, (50,))


def step():
    opt.zero_grad()
    loss_fn(model(xb), yb).backward()
    opt.step()


def eval_forward():
    model.eval()
    with torch.no_grad():
        model(xb)
    model.train()


cases += [("cnn step", step), ("cnn eval forward", eval_forward)]
for name, fn in cases:
    print(json.dumps({"case": name, "ms": timed(fn)}), flush=True)
