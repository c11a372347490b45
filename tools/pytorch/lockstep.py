#!/usr/bin/python3
"""Lock-step check: one PyTorch training run dumped so that tools/lockstep.ts can replay it exactly.

The statistical comparison (tools/compare.ts) can only say that two implementations agree as distributions
over seeds. This removes the randomness instead: it records the initial weights, the batch order and the
loss of every step of one baseline run (baseline.py's model, optimizer and data), then its final weights
and the test pass's accuracy, loss, Hoyer sparsity and CCMAS selectivity. tools/lockstep.ts loads the same
initial weights into our model, trains on the same batches and compares every number. Only float32 rounding
order differs (our gemm vs the BLAS torch links), so the two trajectories drift apart slowly; a difference
in any formula shows up at once.

Usage: /usr/bin/python3 tools/pytorch/lockstep.py --optimizer adam --seed 1 --steps 1200 --out dump.json
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baseline  # noqa: E402  (the same data loading, model, optimizers and metrics)


def tolist32(t):
    # float32 values printed by repr of the float64 that holds them exactly: parsing in JS and storing into a
    # Float32Array gives back the identical float32.
    return [float(v) for v in t.detach().numpy().astype(np.float64).ravel()]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--optimizer", default="adam", choices=sorted(baseline.OPTIMIZERS))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=1200, help="training steps of 50 images (1200 = one epoch)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--mnist-dir", default=baseline.DEFAULT_MNIST)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    x_train, y_train = baseline.load_mnist(args.mnist_dir, "train")
    x_test, y_test = baseline.load_mnist(args.mnist_dir, "test")
    batch = 50
    if not 0 < args.steps * batch <= len(x_train):
        p.error(f"--steps must be in 1..{len(x_train) // batch}, got {args.steps}")

    torch.manual_seed(args.seed)
    model = baseline.build_model([256])
    cfg = baseline.OPTIMIZERS[args.optimizer]
    optimizer = baseline.make_optimizer(cfg, model.parameters())
    names = ["linear0.weight", "linear0.bias", "linear1.weight", "linear1.bias"]
    params = list(model.parameters())
    initial = {n: tolist32(t) for n, t in zip(names, params)}
    order = torch.randperm(len(x_train), generator=torch.Generator().manual_seed(args.seed))[: args.steps * batch]
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for s in range(args.steps):
        idx = order[s * batch:(s + 1) * batch]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    test_loss, test_acc, layers = baseline.evaluate(model, x_test, y_test, 50)
    dump = {
        "optimizer": cfg, "seed": args.seed, "steps": args.steps, "batch_size": batch,
        "torch": torch.__version__, "blas": baseline.loaded_blas(),
        "order": order.tolist(), "initial": initial, "losses": losses,
        "final": {n: tolist32(t) for n, t in zip(names, params)},
        "test_loss": test_loss, "test_acc": test_acc, "layers": layers,
    }
    with open(args.out, "w") as f:
        json.dump(dump, f)
    print(f"{args.optimizer} seed {args.seed}: {args.steps} steps, last loss {losses[-1]:.6f}, test acc {test_acc:.4f}, "
          f"sparsity {layers[0]['sparsity_mean']:.6f}, selectivity {layers[0]['selectivity_mean']:.6f} -> {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
