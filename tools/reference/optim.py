#!/usr/bin/python3
"""Reference fixtures for src/optim, from real PyTorch 1.13 on CPU.

Run with the system interpreter that has torch (not the pyenv one):

    /usr/bin/python3 tools/reference/optim.py

Writes test/fixtures/optim/<optimizer>.json, lr_scheduler.json and clip_grad_norm.json. Tests read only the
JSON; neither the tests nor CI need Python.

Every optimizer is driven with explicit, seeded gradients (no model): three parameters of odd sizes,
7x5, 13 and 3, for ten steps. Step 3 (index 2) has an all-zero gradient, step 5 (index 4) gradients of
magnitude ~1e3, step 7 (index 6) gradients of magnitude ~1e-8. The 3-element parameter has `grad = None` on
steps 1, 2 and 9, so its state is created late and skipped once, as PyTorch skips parameters without a
gradient. `foreach=False` is passed explicitly: the single-tensor code path is the one src/optim follows.

`--speed` instead times PyTorch's own optimizer steps on the 784-256-10 network (203,530 parameters, one
thread, CPU time, foreach=False) against `Tensor.copy_` of the same parameters, as context for
bench/optim.ts; it writes nothing.

Floats are written as the exact double value of each float32 (Python's repr of float(np.float32(x))), so
JavaScript parses them back to the same float32. Non-finite values are written as the strings "NaN",
"Infinity", "-Infinity" (JSON has no literal for them).
"""
import json
import math
import os
import sys

import numpy as np
import torch

assert torch.__version__.startswith('1.13'), f'expected torch 1.13, got {torch.__version__}'
torch.set_num_threads(1)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'optim')

SHAPES = [(7, 5), (13,), (3,)]
STEPS = 10
ZERO_STEP, BIG_STEP, TINY_STEP = 2, 4, 6
NONE_GRAD = {2: {0, 1, 8}}  # parameter index -> steps on which its grad is None
MID_STEP = 5  # state_dict saved after this many steps, for the "load a torch state dict" test


def num(x):
    x = float(x)
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def flat(t):
    return [num(v) for v in t.detach().reshape(-1).tolist()]


def jsonable(v):
    """A torch state_dict value as JSON: tensors become flat lists (0-d tensors numbers), tuples lists."""
    if isinstance(v, torch.Tensor):
        return num(v.item()) if v.dim() == 0 else flat(v)
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, float):
        return num(v)
    return v


def make_inputs(seed):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = []
    for t in range(STEPS):
        scale = {ZERO_STEP: 0.0, BIG_STEP: 1e3, TINY_STEP: 1e-8}.get(t, 1.0)
        step = []
        for i, s in enumerate(SHAPES):
            g = (rng.standard_normal(s) * scale).astype(np.float32)
            step.append(None if t in NONE_GRAD.get(i, ()) else g)
        grads.append(step)
    return init, grads


def run_optimizer(cls, init, grads, kwargs, groups=None):
    params = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    if groups is None:
        opt = cls(params, foreach=False, **kwargs)
    else:
        opt = cls([dict(params=[params[i] for i in g['params']], **g['options']) for g in groups],
                  foreach=False, **kwargs)
    after = []
    mid = None
    for t in range(STEPS):
        for p, g in zip(params, grads[t]):
            p.grad = None if g is None else torch.tensor(g)
        opt.step()
        after.append([flat(p) for p in params])
        if t + 1 == MID_STEP:
            mid = jsonable(opt.state_dict())
    return after, mid, jsonable(opt.state_dict())


OPTIMIZERS = {
    'sgd': (torch.optim.SGD, [
        ('dissertation: lr 0.1', dict(lr=0.1)),
        ('momentum 0.9', dict(lr=0.01, momentum=0.9)),
        ('momentum 0.9, dampening 0.5', dict(lr=0.01, momentum=0.9, dampening=0.5)),
        ('nesterov', dict(lr=0.01, momentum=0.9, nesterov=True)),
        ('momentum 0.999 (extreme)', dict(lr=0.01, momentum=0.999)),
        ('weight decay', dict(lr=0.1, weight_decay=1e-2)),
        ('nesterov, weight decay, maximize', dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True)),
        ('maximize', dict(lr=0.05, maximize=True)),
        ('momentum 0.5, dampening 0.1, weight decay 1e-3', dict(lr=0.3, momentum=0.5, dampening=0.1, weight_decay=1e-3)),
        ('lr 1, momentum 0.99, nesterov, weight decay 1e-4', dict(lr=1.0, momentum=0.99, nesterov=True, weight_decay=1e-4)),
        ('lr 0 (state still updates)', dict(lr=0.0, momentum=0.9)),
        ('dampening 1', dict(lr=0.1, momentum=0.9, dampening=1.0)),
    ], [
        ('param groups: per-group lr, momentum, nesterov', dict(lr=0.1),
         [dict(params=[0], options=dict(momentum=0.9)),
          dict(params=[1, 2], options=dict(lr=0.01, momentum=0.5, nesterov=True, weight_decay=0.01))]),
    ]),
    'adagrad': (torch.optim.Adagrad, [
        ('dissertation: lr 0.1', dict(lr=0.1)),
        ('defaults (lr 0.01)', dict()),
        ('lr decay 0.1', dict(lr=0.1, lr_decay=0.1)),
        ('initial accumulator 0.1', dict(lr=0.1, initial_accumulator_value=0.1)),
        ('eps 1e-3', dict(lr=0.1, eps=1e-3)),
        ('weight decay', dict(lr=0.1, weight_decay=1e-2)),
        ('maximize', dict(lr=0.1, maximize=True)),
        ('everything', dict(lr=1.0, lr_decay=0.5, initial_accumulator_value=1.0, weight_decay=0.1, maximize=True, eps=1e-6)),
        ('eps 0 (0/0 on a first zero gradient gives NaN, as in torch)', dict(lr=0.1, eps=0.0)),
        ('lr 0.5, initial 0.5, lr decay 1e-3', dict(lr=0.5, initial_accumulator_value=0.5, lr_decay=1e-3)),
    ], [
        ('param groups: per-group lr decay and accumulator', dict(lr=0.1),
         [dict(params=[0, 2], options=dict(lr_decay=0.05)),
          dict(params=[1], options=dict(lr=0.3, initial_accumulator_value=0.2, weight_decay=0.01))]),
    ]),
    'adadelta': (torch.optim.Adadelta, [
        ('dissertation: lr 1.0, rho 0.9', dict(lr=1.0, rho=0.9)),
        ('rho 0.0 (extreme)', dict(lr=1.0, rho=0.0)),
        ('rho 0.999', dict(lr=1.0, rho=0.999)),
        ('rho 1.0 (plain SGD)', dict(lr=0.1, rho=1.0)),
        ('rho 0.5, eps 1e-8', dict(rho=0.5, eps=1e-8)),
        ('weight decay', dict(weight_decay=0.1)),
        ('maximize', dict(maximize=True)),
        ('lr 0.1, rho 0.95, eps 1e-4', dict(lr=0.1, rho=0.95, eps=1e-4)),
        ('weight decay, maximize, rho 0.8, lr 0.5', dict(lr=0.5, rho=0.8, weight_decay=1e-2, maximize=True)),
        ('lr 2, eps 1e-2', dict(lr=2.0, eps=1e-2)),
    ], [
        ('param groups: per-group rho', dict(lr=1.0),
         [dict(params=[0], options=dict(rho=0.3)), dict(params=[1, 2], options=dict(rho=0.99, eps=1e-5))]),
    ]),
    'adam': (torch.optim.Adam, [
        ('dissertation: lr 1e-3, betas (0.9, 0.999)', dict(lr=1e-3, betas=(0.9, 0.999))),
        ('betas (0.0001, 0.999) (extreme)', dict(betas=(0.0001, 0.999))),
        ('betas (0.9, 0.0001) (extreme)', dict(betas=(0.9, 0.0001))),
        ('betas (0.9, 0.9999): 1 - beta2 in double', dict(lr=0.01, betas=(0.9, 0.9999))),
        ('betas (0, 0)', dict(lr=0.01, betas=(0.0, 0.0))),
        ('amsgrad', dict(lr=0.01, amsgrad=True)),
        ('weight decay', dict(lr=0.01, weight_decay=1e-2)),
        ('maximize', dict(lr=0.01, maximize=True)),
        ('lr 0.1, eps 1e-3', dict(lr=0.1, eps=1e-3)),
        ('amsgrad, weight decay, maximize', dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
        ('betas (0.999, 0.999), lr 0.1', dict(lr=0.1, betas=(0.999, 0.999))),
    ], [
        ('param groups: per-group betas and amsgrad', dict(lr=1e-2),
         [dict(params=[0], options=dict(betas=(0.5, 0.9))),
          dict(params=[1, 2], options=dict(lr=0.05, amsgrad=True, eps=1e-6))]),
    ]),
    'adamw': (torch.optim.AdamW, [
        ('defaults (weight decay 1e-2)', dict()),
        ('no weight decay (= Adam)', dict(lr=1e-3, weight_decay=0.0)),
        ('weight decay 0.5, lr 0.1', dict(lr=0.1, weight_decay=0.5)),
        ('betas (0.0001, 0.999) (extreme)', dict(betas=(0.0001, 0.999))),
        ('betas (0.9, 0.0001) (extreme)', dict(betas=(0.9, 0.0001))),
        ('betas (0.9, 0.9999)', dict(lr=0.01, betas=(0.9, 0.9999))),
        ('amsgrad', dict(lr=0.01, amsgrad=True)),
        ('maximize', dict(lr=0.01, maximize=True)),
        ('eps 1e-3, lr 0.05', dict(lr=0.05, eps=1e-3)),
        ('amsgrad, maximize, weight decay 0.1', dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.1)),
    ], [
        ('param groups: per-group weight decay', dict(lr=1e-2),
         [dict(params=[0, 1], options=dict(weight_decay=0.0)), dict(params=[2], options=dict(weight_decay=0.3, amsgrad=True))]),
    ]),
    'rmsprop': (torch.optim.RMSprop, [
        ('defaults (lr 0.01, alpha 0.99)', dict()),
        ('alpha 0.9', dict(alpha=0.9)),
        ('alpha 0 (extreme)', dict(alpha=0.0)),
        ('alpha 0.999, lr 1e-3', dict(lr=1e-3, alpha=0.999)),
        ('centered', dict(centered=True)),
        ('momentum 0.9', dict(lr=1e-3, momentum=0.9)),
        ('centered, momentum 0.5', dict(lr=1e-3, momentum=0.5, centered=True)),
        ('weight decay', dict(weight_decay=1e-2)),
        ('maximize', dict(maximize=True)),
        ('eps 1e-3', dict(eps=1e-3)),
        ('everything', dict(lr=0.02, alpha=0.8, eps=1e-6, weight_decay=0.1, momentum=0.3, centered=True, maximize=True)),
    ], [
        ('param groups: per-group centered and momentum', dict(lr=1e-2),
         [dict(params=[0], options=dict(centered=True)), dict(params=[1, 2], options=dict(momentum=0.9, alpha=0.9))]),
    ]),
}


def optimizer_fixture(name, cls, configs, group_configs, seed):
    init, grads = make_inputs(seed)
    out = {
        'generator': 'tools/reference/optim.py',
        'torch': torch.__version__,
        'optimizer': cls.__name__,
        'shapes': [list(s) for s in SHAPES],
        'init': [flat(torch.tensor(a)) for a in init],
        'grads': [[None if g is None else flat(torch.tensor(g)) for g in step] for step in grads],
        'mid_step': MID_STEP,
        'cases': [],
    }
    for label, kwargs in configs:
        after, mid, final = run_optimizer(cls, init, grads, kwargs)
        out['cases'].append(dict(name=label, kwargs=kwargs, groups=None, params_after_step=after,
                                 state_dict_mid=mid, state_dict_final=final))
    for label, kwargs, groups in group_configs:
        after, mid, final = run_optimizer(cls, init, grads, kwargs, groups)
        out['cases'].append(dict(name=label, kwargs=kwargs, groups=groups, params_after_step=after,
                                 state_dict_mid=mid, state_dict_final=final))
    return out


# ---------------------------------------------------------------- learning-rate schedules

SCHEDULERS = [
    ('StepLR step_size 7 gamma 0.5', 'StepLR', dict(step_size=7, gamma=0.5)),
    ('StepLR step_size 1 gamma 0.9', 'StepLR', dict(step_size=1, gamma=0.9)),
    ('MultiStepLR milestones [5, 12, 12, 20] gamma 0.3', 'MultiStepLR', dict(milestones=[5, 12, 12, 20], gamma=0.3)),
    ('ExponentialLR gamma 0.9', 'ExponentialLR', dict(gamma=0.9)),
    ('ExponentialLR gamma 1.05', 'ExponentialLR', dict(gamma=1.05)),
    ('CosineAnnealingLR T_max 10 eta_min 1e-3 (1.5 periods)', 'CosineAnnealingLR', dict(T_max=10, eta_min=1e-3)),
    ('CosineAnnealingLR T_max 30', 'CosineAnnealingLR', dict(T_max=30)),
    ('CosineAnnealingLR T_max 7', 'CosineAnnealingLR', dict(T_max=7)),
    ('LinearLR start 0.25 end 1 total 8', 'LinearLR', dict(start_factor=0.25, end_factor=1.0, total_iters=8)),
    ('LinearLR start 1 end 0.1 total 20', 'LinearLR', dict(start_factor=1.0, end_factor=0.1, total_iters=20)),
]
SCHED_STEPS = 30
SCHED_LRS = [0.1, 0.05]


def scheduler_fixture():
    cases = []
    for label, cls_name, kwargs in SCHEDULERS:
        p = [torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)]
        opt = torch.optim.SGD([{'params': [p[0]], 'lr': SCHED_LRS[0]}, {'params': [p[1]], 'lr': SCHED_LRS[1]}],
                              lr=SCHED_LRS[0], foreach=False)
        sched = getattr(torch.optim.lr_scheduler, cls_name)(opt, **kwargs)
        lrs = [sched.get_last_lr()]
        for _ in range(SCHED_STEPS):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        cases.append(dict(name=label, scheduler=cls_name, kwargs=kwargs, lrs=lrs))
    # Two schedulers on one optimizer: PyTorch's recursive ("chainable") form multiplies their effects.
    p = [torch.zeros(1, requires_grad=True)]
    opt = torch.optim.SGD(p, lr=1.0, foreach=False)
    a = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    b = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    lrs = [[opt.param_groups[0]['lr']]]
    for _ in range(SCHED_STEPS):
        opt.step()
        a.step()
        b.step()
        lrs.append([opt.param_groups[0]['lr']])
    chained = dict(name='ExponentialLR 0.9 then StepLR 4/0.5 on one optimizer', lr=1.0, lrs=lrs)
    return {'generator': 'tools/reference/optim.py', 'torch': torch.__version__, 'base_lrs': SCHED_LRS,
            'steps': SCHED_STEPS, 'cases': cases, 'chained': chained}


# ---------------------------------------------------------------- clip_grad_norm_

def clip_fixture():
    rng = np.random.default_rng(7)
    cases = []
    grad_sets = {
        'normal': 1.0,
        'large (1e3)': 1e3,
        'tiny (1e-8)': 1e-8,
    }
    for gname, scale in grad_sets.items():
        grads = [(rng.standard_normal(s) * scale).astype(np.float32) for s in SHAPES]
        for norm_type in [2.0, 'inf', 1.0, 3.0]:
            for max_norm in [1.0, 5.0, 1e4, 0.0]:
                for with_none in [False, True]:
                    params = [torch.zeros(s, requires_grad=True) for s in SHAPES]
                    for i, (p, g) in enumerate(zip(params, grads)):
                        p.grad = None if (with_none and i == 1) else torch.tensor(g)
                    nt = float('inf') if norm_type == 'inf' else norm_type
                    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=nt)
                    cases.append(dict(
                        name=f'{gname} grads, norm {norm_type}, max_norm {max_norm}' + (', middle grad None' if with_none else ''),
                        norm_type=num(nt), max_norm=max_norm,
                        grads=[None if (with_none and i == 1) else flat(torch.tensor(g)) for i, g in enumerate(grads)],
                        total_norm=num(total.item()),
                        grads_after=[None if p.grad is None else flat(p.grad) for p in params]))
    return {'generator': 'tools/reference/optim.py', 'torch': torch.__version__, 'shapes': [list(s) for s in SHAPES],
            'cases': cases}


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    print(f'wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path) // 1024} KiB)')


def speed():
    import time
    shapes = [(256, 784), (256,), (10, 256), (10,)]
    n = sum(int(np.prod(s)) for s in shapes)

    def cpu_seconds(fn, reps):
        for _ in range(10):
            fn()
        samples = []
        for _ in range(7):
            t0 = time.process_time()
            for _ in range(reps):
                fn()
            samples.append((time.process_time() - t0) / reps)
        return sorted(samples)[3]

    gen = torch.Generator().manual_seed(0)
    params = [torch.randn(s, generator=gen, requires_grad=True) for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape, generator=gen) * 0.01
    src = [p.detach().clone() for p in params]
    dst = [torch.empty_like(p) for p in src]
    copy = cpu_seconds(lambda: [d.copy_(x) for d, x in zip(dst, src)], 200)
    print(f'PyTorch {torch.__version__}, {n} parameters, 1 thread, CPU time, median of 7')
    print(f'{"copy_":28s} {copy / n * 1e9:7.3f} ns/param')
    makers = [
        ('SGD (lr 0.1)', lambda: torch.optim.SGD(params, lr=0.1, foreach=False)),
        ('SGD momentum 0.9, nesterov', lambda: torch.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, foreach=False)),
        ('Adagrad (lr 0.1)', lambda: torch.optim.Adagrad(params, lr=0.1, foreach=False)),
        ('Adadelta (lr 1, rho 0.9)', lambda: torch.optim.Adadelta(params, lr=1.0, rho=0.9, foreach=False)),
        ('Adam (lr 1e-3)', lambda: torch.optim.Adam(params, lr=1e-3, foreach=False)),
        ('AdamW', lambda: torch.optim.AdamW(params, foreach=False)),
        ('RMSprop', lambda: torch.optim.RMSprop(params, foreach=False)),
    ]
    for name, make in makers:
        opt = make()
        with torch.no_grad():
            t = cpu_seconds(opt.step, 50)
        print(f'{name:28s} {t / n * 1e9:7.3f} ns/param  {t / copy:6.1f}x copy_')


def main():
    if '--speed' in sys.argv[1:]:
        return speed()
    os.makedirs(OUT, exist_ok=True)
    for seed, (name, (cls, configs, group_configs)) in enumerate(OPTIMIZERS.items()):
        write(f'{name}.json', optimizer_fixture(name, cls, configs, group_configs, 1000 + seed))
    write('lr_scheduler.json', scheduler_fixture())
    write('clip_grad_norm.json', clip_fixture())


if __name__ == '__main__':
    sys.exit(main())
