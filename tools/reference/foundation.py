#!/usr/bin/python3
"""PyTorch reference values for sparsity-lab's layers (src/layers), written as JSON fixtures.

Run:  /usr/bin/python3 tools/reference/foundation.py      (torch 1.13, numpy; CPU, one thread)
Writes test/fixtures/foundation/<case>.json, read by test/layers/pytorch.test.ts. Neither the tests nor CI
need Python: the fixtures are committed.

Each case is a torch.nn.Sequential of Linear / Sigmoid / ReLU / Tanh / Softmax / LogSoftmax layers with
PyTorch's default initialisation under torch.manual_seed (some cases then rescale weights to reach large
pre-activations or logits). A fixture records, all as float32 values:
  layers[i]     type, and for Linear: in, out, weight [out*in row-major], bias, weightGrad, biasGrad
  input         [batch*features] row-major, shape [batch, features]
  outputs[i]    the output of layer i (captured with register_forward_hook)
  then either   labels, reduction, loss (CrossEntropyLoss on the last output)
  or            gradOutput (an upstream gradient fed to out.backward; no loss)
  inputGrad     dL/dinput
Numbers are written as the shortest decimal that rounds back to the same float32 (numpy's repr of a
float32), so Float32Array.from(json) reproduces PyTorch's values bit for bit while keeping files small.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'foundation')


def f32(values):
    a = np.asarray(values.detach().numpy() if isinstance(values, torch.Tensor) else values, dtype=np.float32).ravel()
    if not np.all(np.isfinite(a)):
        raise ValueError('non-finite value in a fixture')
    return '[' + ','.join(repr(v) for v in a) + ']'


def dump(obj):
    """JSON with float32 arrays written compactly (see f32)."""
    if isinstance(obj, dict):
        return '{\n' + ',\n'.join(json.dumps(k) + ': ' + dump(v) for k, v in obj.items()) + '\n}'
    if isinstance(obj, (torch.Tensor, np.ndarray)):
        return f32(obj)
    if isinstance(obj, list) and obj and isinstance(obj[0], (torch.Tensor, np.ndarray)):
        return '[\n' + ',\n'.join(f32(v) for v in obj) + '\n]'
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        return '[\n' + ',\n'.join(dump(v) for v in obj) + '\n]'
    if isinstance(obj, np.float32):
        return repr(obj)
    return json.dumps(obj)


ACTIVATIONS = {
    'sigmoid': nn.Sigmoid,
    'relu': nn.ReLU,
    'tanh': nn.Tanh,
    'softmax': lambda: nn.Softmax(dim=1),
    'logsoftmax': lambda: nn.LogSoftmax(dim=1),
}


def make_layer(spec):
    if spec[0] == 'linear':
        return nn.Linear(spec[1], spec[2], bias=spec[3] if len(spec) > 3 else True)
    return ACTIVATIONS[spec[0]]()


def run_case(name, why, seed, specs, x, labels=None, reduction='mean', grad_output=None, rescale=None):
    torch.manual_seed(seed)
    model = nn.Sequential(*[make_layer(s) for s in specs])
    if rescale is not None:
        with torch.no_grad():
            rescale(model)
    outputs = []
    for m in model:
        m.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach().clone()))
    x = x.clone().requires_grad_(True)
    out = model(x)
    case = {'name': name, 'why': why, 'torch': torch.__version__, 'seed': seed, 'batch': x.shape[0], 'features': x.shape[1]}
    if labels is not None:
        loss = nn.CrossEntropyLoss(reduction=reduction)(out, labels)
        loss.backward()
        case.update(reduction=reduction, labels=labels.tolist(), loss=np.float32(loss.item()))
    else:
        out.backward(grad_output)
        case['gradOutput'] = grad_output
    layers = []
    for m, s in zip(model, specs):
        entry = {'type': s[0]}
        if isinstance(m, nn.Linear):
            entry.update({'in': m.in_features, 'out': m.out_features, 'weight': m.weight, 'bias': m.bias if m.bias is not None else None})
            entry.update({'weightGrad': m.weight.grad, 'biasGrad': m.bias.grad if m.bias is not None else None})
            if m.bias is None:
                del entry['bias'], entry['biasGrad']
        layers.append(entry)
    case['layers'] = layers
    case['input'] = x.detach()
    case['outputs'] = outputs
    case['inputGrad'] = x.grad
    text = dump(case) + '\n'
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        f.write(text)
    print(f'{name}: {len(text) / 1e6:.2f} MB')


def mlp_specs(widths, act='sigmoid', bias=True):
    specs = []
    for i in range(len(widths) - 1):
        specs.append(('linear', widths[i], widths[i + 1], bias))
        if i + 2 < len(widths):
            specs.append((act,))
    return specs


def scale_last_linear_to(target):
    """Rescale the last Linear so the mean |logit| over the batch is about `target` (set after a dry run)."""
    def f(model):
        last = [m for m in model if isinstance(m, nn.Linear)][-1]
        last.weight.mul_(target)
        last.bias.mul_(target)
    return f


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(20240601)

    # MNIST-shaped: pixels k/255 as torchvision's ToTensor gives them.
    pixels = torch.randint(0, 256, (50, 784), generator=g)
    x = (pixels.to(torch.float32) / 255)
    # k/255 in float32 equals the float64 quotient rounded to float32 (what JS computes) for every byte k.
    k = np.arange(256)
    assert np.array_equal((torch.arange(256, dtype=torch.float32) / 255).numpy(), (k / 255).astype(np.float32))
    run_case('mnist_784_256_10_b50', "the dissertation's net at its batch size, inputs in [0, 1]", 1,
             mlp_specs([784, 256, 10]), x, torch.randint(0, 10, (50,), generator=g))

    x = torch.rand(12, 64, generator=g)
    run_case('three_hidden_sigmoid', 'three hidden sigmoid layers (64-48-32-24-10), batch 12', 100,
             mlp_specs([64, 48, 32, 24, 10]), x, torch.randint(0, 10, (12,), generator=g))

    x = torch.rand(1, 100, generator=g)
    run_case('batch1', 'batch 1 (100-64-10): every product has one row', 1234,
             mlp_specs([100, 64, 10]), x, torch.randint(0, 10, (1,), generator=g))

    x = torch.rand(8, 20, generator=g) * 2 - 1
    y = torch.randint(0, 10, (8,), generator=g)
    # Default init gives |logits| ≈ 0.2 here; ×300 gives |logits| of median 53, max 131 ("around ±100"),
    # ×3000 median 525, max 1306 ("around ±1000").
    run_case('logits_100', 'logits around ±100 (20-16-10, last layer ×300)', 7,
             mlp_specs([20, 16, 10]), x, y, rescale=scale_last_linear_to(300.0))
    run_case('logits_1000_sum', "logits around ±1000 (last layer ×3000), reduction 'sum'", 7,
             mlp_specs([20, 16, 10]), x, y, reduction='sum', rescale=scale_last_linear_to(3000.0))

    def preact_800(model):
        # Half of the hidden units get pre-activations around ±800 (bias ±800, weights ×100: |z| 716 … 870
        # here), where σ is exactly 0 or 1 in float32 and a naive e^z/(1+e^z) is ∞/∞ (beyond z ≈ 89);
        # their σ′ is exactly 0. The other half stay in the sensitive range (|z| < 1).
        # (Units with z ≈ 5–17 are deliberately absent: there σ′ = y(1 − y) is computed from a float32 y
        # within 2⁻²⁴ of 1, so it carries an absolute error of 2⁻²⁴ — up to 1e-3 relative — in PyTorch as in
        # any float32 implementation; with ×100 weights that exceeds a 1e-5 comparison for reasons that are
        # not ours. The finite-difference check covers the derivative there.)
        first = model[0]
        first.weight[:8].mul_(100.0)
        first.bias[:8] = torch.tensor([800.0, -800.0] * 4)
    x = torch.rand(8, 24, generator=g) * 2 - 1
    run_case('preact_800', 'hidden pre-activations around ±800 in half of the units, the rest unsaturated (24-16-10)', 11,
             mlp_specs([24, 16, 10]), x, torch.randint(0, 10, (8,), generator=g), rescale=preact_800)

    x = torch.randn(7, 12, generator=g)
    run_case('relu_tanh_sum', "ReLU then Tanh hidden layers (12-10-8-5), reduction 'sum'", 5,
             [('linear', 12, 10), ('relu',), ('linear', 10, 8), ('tanh',), ('linear', 8, 5)],
             x, torch.randint(0, 5, (7,), generator=g), reduction='sum')

    x = torch.randn(6, 10, generator=g)
    run_case('tanh_no_bias', 'mlp(activation tanh, bias false) 10-8-6', 3,
             mlp_specs([10, 8, 6], act='tanh', bias=False), x, torch.randint(0, 6, (6,), generator=g))

    big = torch.tensor([
        [0.5, -1.25, 2.0, 0.0, 3.5, -0.75],
        [1e4, -1e4, 0.0, 9999.0, -5000.0, 9990.0],
        [-1e4, -1e4, -1e4, -1e4, -1e4, -9999.5],
        [1000.0, -1000.0, 100.0, -100.0, 999.0, 0.0],
        [1e4, 1e4, 1e4, 1e4, 1e4, 1e4],
    ], dtype=torch.float32)
    gout = torch.randn(5, 6, generator=g)
    run_case('softmax_1e4', 'Softmax layer on logits up to ±1e4, arbitrary upstream gradient', 0, [('softmax',)], big, grad_output=gout)
    run_case('logsoftmax_1e4', 'LogSoftmax layer on logits up to ±1e4, arbitrary upstream gradient', 0, [('logsoftmax',)], big, grad_output=gout)
    run_case('cross_entropy_1e4', 'CrossEntropyLoss alone on logits up to ±1e4 (no layers)', 0, [], big,
             torch.tensor([3, 1, 5, 2, 0]))


if __name__ == '__main__':
    main()
