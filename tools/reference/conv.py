#!/usr/bin/python3
"""PyTorch reference values for Conv2d, MaxPool2d, Flatten, Dropout and the dissertation's CNN, as JSON fixtures.

Run:  /usr/bin/python3 tools/reference/conv.py      (torch 1.13, numpy; CPU, one thread)
Writes test/fixtures/conv/<case>.json (read by test/layers/conv-pytorch.test.ts) and
test/fixtures/conv/dropout.json (test/layers/dropout.test.ts). The tests do not need Python.

A net case is a torch.nn.Sequential; the fixture records
  inputShape, input                 the NCHW input (float32, row-major)
  layers[i]                         type and geometry; for conv/linear the initial weight and bias, and
                                    their gradients after backward
  outputs[i]                        every layer's output (register_forward_hook)
  labels, loss  or  gradOutput      CrossEntropyLoss(mean) on the last output, or an upstream gradient
  inputGrad                         dL/dinput
Large tensors (the CNN case) are stored sampled: {"size", "every", "values" = elements 0, every, 2·every, …,
"sum", "absSum" (float64 sums of all elements)}; `every` is a prime, so the samples do not line up with the
7×7 / 14×14 / 28×28 structure of the feature maps. The CNN's initial weights and its input are not stored
at all: both sides compute them from the integer hash `hash_uniform` below (weights uniform on ±1/√fan_in,
PyTorch's default bound; pixels in [0, 1)), which is exact in float64 on both sides.
Numbers are the shortest decimal that rounds back to the same float32 (see foundation.py).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from foundation import f32  # noqa: E402

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'conv')
SAMPLE_ABOVE = 20000


def hash_uniform(n, salt):
    """u_i in [0, 1) for i < n: a 32-bit integer mix of i and salt (test/layers/conv-fixtures.ts has the twin)."""
    i = np.arange(n, dtype=np.uint64)
    h = (i + np.uint64(salt) * np.uint64(0x9E3779B9)) & np.uint64(0xFFFFFFFF)
    for _ in range(2):
        h = ((h ^ (h >> np.uint64(16))) * np.uint64(0x45D9F3B)) & np.uint64(0xFFFFFFFF)
    h = h ^ (h >> np.uint64(16))
    return h.astype(np.float64) / 4294967296.0


def hash_tensor(shape, salt, bound=None):
    u = hash_uniform(int(np.prod(shape)), salt)
    v = u if bound is None else (2 * u - 1) * bound
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def next_prime(n):
    n = max(2, int(n))
    while any(n % d == 0 for d in range(2, int(math.isqrt(n)) + 1)):
        n += 1
    return n


def maybe_sampled(t):
    a = t.detach().numpy().astype(np.float32).ravel()
    if a.size <= SAMPLE_ABOVE:
        return a
    every = next_prime(math.ceil(a.size / 4000))
    return {'size': int(a.size), 'every': every, 'values': a[::every], 'sum': float(a.astype(np.float64).sum()),
            'absSum': float(np.abs(a.astype(np.float64)).sum())}


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def layer_entry(m, hashed):
    if isinstance(m, nn.Conv2d):
        e = {'type': 'conv', 'in': m.in_channels, 'out': m.out_channels, 'kernel': pair(m.kernel_size),
             'stride': pair(m.stride), 'padding': pair(m.padding), 'bias': m.bias is not None}
    elif isinstance(m, nn.Linear):
        e = {'type': 'linear', 'in': m.in_features, 'out': m.out_features, 'bias': m.bias is not None}
    elif isinstance(m, nn.MaxPool2d):
        return {'type': 'maxpool', 'kernel': pair(m.kernel_size), 'stride': pair(m.stride), 'padding': pair(m.padding)}
    elif isinstance(m, nn.Flatten):
        return {'type': 'flatten'}
    else:
        return {'type': {nn.ReLU: 'relu', nn.Sigmoid: 'sigmoid', nn.Tanh: 'tanh'}[type(m)]}
    if hashed is None:
        e['weightValues'] = m.weight.detach().clone()
        if m.bias is not None:
            e['biasValues'] = m.bias.detach().clone()
    else:
        e['hashSalt'] = hashed
    return e


def run_case(name, why, seed, layers, x, labels=None, grad_output_seed=None, hashed_init=False):
    torch.manual_seed(seed)
    model = nn.Sequential(*layers())
    entries = []
    salt = 100
    for m in model:
        if hashed_init and isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            bound = 1 / math.sqrt(fan_in)
            with torch.no_grad():
                m.weight.copy_(hash_tensor(tuple(m.weight.shape), salt, bound))
                if m.bias is not None:
                    m.bias.copy_(hash_tensor(tuple(m.bias.shape), salt + 1, bound))
            entries.append(layer_entry(m, salt))
            salt += 2
        else:
            entries.append(layer_entry(m, None))
    outputs = []
    for m in model:
        m.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach().clone()))
    x = x.clone().requires_grad_(True)
    out = model(x)
    case = {'name': name, 'why': why, 'torch': torch.__version__, 'seed': seed, 'inputShape': list(x.shape)}
    if labels is not None:
        loss = nn.CrossEntropyLoss()(out, labels)
        loss.backward()
        case.update(labels=labels.tolist(), loss=np.float32(loss.item()))
    else:
        g = torch.Generator().manual_seed(grad_output_seed)
        gout = torch.randn(out.shape, generator=g)
        out.backward(gout)
        case['gradOutput'] = gout
    for m, e in zip(model, entries):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            e['weightGrad'] = maybe_sampled(m.weight.grad)
            if m.bias is not None:
                e['biasGrad'] = maybe_sampled(m.bias.grad)
    case['layers'] = entries
    case['input'] = 'hash' if hashed_init else x.detach()
    case['outputs'] = [maybe_sampled(o) for o in outputs]
    case['inputGrad'] = maybe_sampled(x.grad)
    text = dump(case) + '\n'
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        f.write(text)
    print(f'{name}: {len(text) / 1e6:.2f} MB')
    return case


def dump(obj):
    """JSON with float32 arrays written compactly (foundation.f32); lists may mix arrays and sampled dicts."""
    if isinstance(obj, dict):
        return '{\n' + ',\n'.join(json.dumps(k) + ': ' + dump(v) for k, v in obj.items()) + '\n}'
    if isinstance(obj, (torch.Tensor, np.ndarray)):
        return f32(obj)
    if isinstance(obj, list) and obj and isinstance(obj[0], (torch.Tensor, np.ndarray, dict)):
        return '[\n' + ',\n'.join(dump(v) for v in obj) + '\n]'
    if isinstance(obj, np.float32):
        return repr(obj)
    return json.dumps(obj)


def dropout_fixture():
    g = torch.Generator().manual_seed(99)
    x = torch.randn(2000, generator=g)
    w = torch.randn(2000, generator=g)
    cases = []
    for p in [0.0, 0.1, 0.2, 0.25, 1 / 3, 0.5, 0.7, 0.9, 1.0]:
        torch.manual_seed(1)
        xi = x.clone().requires_grad_(True)
        y = F.dropout(xi, p, training=True)
        (y * w).sum().backward()
        cases.append({'p': p, 'output': y.detach(), 'inputGrad': xi.grad})
    y_eval = nn.Dropout(0.5).eval()(x)
    assert torch.equal(y_eval, x)
    text = dump({'why': 'F.dropout(x, p, training=True) and the gradient of sum(w * y)', 'torch': torch.__version__,
                 'input': x, 'weights': w, 'cases': cases}) + '\n'
    with open(os.path.join(OUT, 'dropout.json'), 'w') as f:
        f.write(text)
    print(f'dropout: {len(text) / 1e6:.2f} MB')


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(20261206)
    r = lambda *s: torch.randn(*s, generator=g)  # noqa: E731

    run_case('conv_3x3', 'Conv2d(3→4, 3), stride 1, no padding', 1, lambda: [nn.Conv2d(3, 4, 3)], r(2, 3, 7, 7), grad_output_seed=1)
    run_case('conv_rect_nobias', 'Conv2d(3→5, [3, 2], stride [2, 1], padding [1, 0], bias=False)', 2,
             lambda: [nn.Conv2d(3, 5, (3, 2), stride=(2, 1), padding=(1, 0), bias=False)], r(2, 3, 8, 6), grad_output_seed=2)
    run_case('conv_5x5_s2_p2', 'Conv2d(2→4, 5, stride 2, padding 2)', 3,
             lambda: [nn.Conv2d(2, 4, 5, stride=2, padding=2)], r(3, 2, 9, 9), grad_output_seed=3)
    run_case('conv_s3_leftover', 'Conv2d(2→3, 3, stride 3, padding 1) on 10×11: the last rows/columns are never read', 4,
             lambda: [nn.Conv2d(2, 3, 3, stride=3, padding=1)], r(2, 2, 10, 11), grad_output_seed=4)
    run_case('conv_1x1', 'Conv2d(4→3, 1): a per-pixel Linear', 5, lambda: [nn.Conv2d(4, 3, 1)], r(2, 4, 5, 5), grad_output_seed=5)
    run_case('conv_mnist_p1', 'Conv2d(1→8, 3, padding 1) on 28×28 pixels in [0, 1] (the CNN\'s first layer, fewer channels)', 6,
             lambda: [nn.Conv2d(1, 8, 3, padding=1)], torch.rand(2, 1, 28, 28, generator=g), grad_output_seed=6)
    run_case('conv_kernel_fills_padded', 'Conv2d(2→2, 5, padding 1) on 3×3: the kernel exactly covers the padded input', 7,
             lambda: [nn.Conv2d(2, 2, 5, padding=1)], r(1, 2, 3, 3), grad_output_seed=7)
    run_case('pool_7x7_k2', 'MaxPool2d(2) on odd 7×7 (the last row and column are dropped)', 0,
             lambda: [nn.MaxPool2d(2)], r(2, 3, 7, 7), grad_output_seed=8)
    run_case('pool_overlap_k3_s2', 'MaxPool2d(3, stride 2): overlapping windows, gradients add', 0,
             lambda: [nn.MaxPool2d(3, stride=2)], r(2, 2, 9, 9), grad_output_seed=9)
    run_case('pool_rect', 'MaxPool2d([3, 2], stride [2, 1]) on 7×6', 0,
             lambda: [nn.MaxPool2d((3, 2), stride=(2, 1))], r(1, 2, 7, 6), grad_output_seed=10)
    ties = torch.randint(0, 3, (2, 2, 6, 6), generator=g).to(torch.float32)
    ties[0, 0] = 0  # an all-zero plane: every window is one big tie
    run_case('pool_ties', 'MaxPool2d(3, stride 1) on integers 0..2 (ties everywhere; an all-zero plane)', 0,
             lambda: [nn.MaxPool2d(3, stride=1)], ties, grad_output_seed=11)
    run_case('pool_pad', 'MaxPool2d(3, stride 2, padding 1) on negative inputs (the padding never wins)', 0,
             lambda: [nn.MaxPool2d(3, stride=2, padding=1)], -torch.rand(1, 2, 7, 7, generator=g) - 0.5, grad_output_seed=12)
    run_case('small_cnn', 'Conv2d(2→4, 3, p1) → ReLU → MaxPool2d(2) → Flatten → Linear(64, 16) → Sigmoid → Linear(16, 5), cross-entropy', 8,
             lambda: [nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64, 16), nn.Sigmoid(), nn.Linear(16, 5)],
             r(3, 2, 8, 8), labels=torch.tensor([0, 3, 4]))
    x = hash_tensor((2, 1, 28, 28), 1)
    run_case('dissertation_cnn_b2',
             "the dissertation's CNN (Conv 1→32 → ReLU → Pool → Conv 32→64 → ReLU → Pool → Flatten → Linear 3136→256 → Sigmoid → Linear 256→10), batch 2, cross-entropy",
             0, lambda: [nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3136, 256), nn.Sigmoid(), nn.Linear(256, 10)],
             x, labels=torch.tensor([7, 2]), hashed_init=True)
    dropout_fixture()


if __name__ == '__main__':
    main()
