"""Time PyTorch's training step loop on the baseline net, for `npm run bench -- epoch --torch`.

The same loop as tools/pytorch/baseline.py's training part (index a shuffled batch, zero_grad, forward,
cross-entropy, loss.item(), backward, step) for the 784-256-10 sigmoid net, with the dissertation's optimizer
settings, on MNIST or on uniform-noise images (the dense-input control of the bench). Prints one JSON line:
{"ms_per_step", "cpu_ms_per_step"}: medians over --rounds of the mean wall / process CPU time per step
of --steps timed steps after --warmup.

Run it with OpenBLAS loaded and one thread, as the bench does:
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    /usr/bin/python3 tools/pytorch/time-steps.py --optimizer sgd --batch-size 1 --input mnist
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from baseline import DEFAULT_MNIST, OPTIMIZERS, build_model, load_mnist, make_optimizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--optimizer", default="sgd", choices=sorted(OPTIMIZERS))
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--input", default="mnist", choices=["mnist", "noise"])
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mnist-dir", default=DEFAULT_MNIST)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    x, y = load_mnist(args.mnist_dir, "train")
    if args.input == "noise":
        x = torch.rand(x.shape, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(1)
    model = build_model([256])
    optimizer = make_optimizer(OPTIMIZERS[args.optimizer], model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))
    B = args.batch_size

    def run(first, count):
        for step in range(first, first + count):
            idx = perm[step * B:(step + 1) * B]
            optimizer.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.item()
            loss.backward()
            optimizer.step()

    if (args.warmup + args.steps) * B > len(x):
        raise SystemExit(f"time-steps: {args.warmup} + {args.steps} steps of {B} exceed the {len(x)} images")
    run(0, args.warmup)
    per, cpu = [], []
    for _ in range(args.rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        run(args.warmup, args.steps)
        per.append((time.perf_counter() - t0) * 1000 / args.steps)
        cpu.append((time.process_time() - c0) * 1000 / args.steps)
    print(json.dumps({"ms_per_step": statistics.median(per), "cpu_ms_per_step": statistics.median(cpu), "rounds": per}))


if __name__ == "__main__":
    main()
