#!/usr/bin/python3
"""Double-rounding fixtures for src/optim, from real PyTorch 1.13 on CPU.

Run with the system interpreter that has torch:

    /usr/bin/python3 tools/reference/optim_rounding.py

Writes test/fixtures/optim/rounding.json.

Why: PyTorch's CPU kernels for `add_(x, alpha=a)` and `addcmul_(t1, t2, value=v)` compute self + a·x and
self + (v·t1)·t2 with a fused multiply-add — ONE rounding of the exact a·x + self to float32. Emulating that
as float32(double(a·x) + self) is exact for the product but rounds twice (to double, then to float32), and
the two disagree when the double sum lands exactly halfway between two float32 values while the exact sum
does not. That happens about once in 2^29 random operations, so the ordinary fixtures (optim.py) never hit
it. Every case here is built to hit it:

    T = 1 + 2^-12 (a float32), T·T = 1 + 2^-11 + 2^-24 — exactly halfway between the float32 values
    1 + 2^-11 (even) and 1 + 2^-11 + 2^-23. Adding a tiny c = 2^-60 gives an exact sum just above halfway:
    one rounding gives 1 + 2^-11 + 2^-23; rounding to double first lands on the halfway point (2^-60 is
    below half a double ulp) and ties-to-even then gives 1 + 2^-11.

Each case sets hyper-parameters, gradient and (through the optimizer's state, saved as `state_dict_before`)
the running averages so that one fused operation of the optimizer computes T·T + tiny — with the signs
flipped in element 1 — and takes one or two steps. Elements 2 and 3 hold ordinary values; a parameter of 5
elements also puts element 4 (a crafted one again) in the 1-element remainder that vectorised kernels
handle separately.

Floats are written as in optim.py (exact doubles of float32 values; NaN/Infinity as strings).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from optim import OUT, jsonable, flat, write  # noqa: E402  (optim.py asserts torch 1.13 and sets 1 thread)

T = 1 + 2 ** -12
TINY = 2 ** -60


def vec(crafted, ordinary=(0.3, -0.7), mirror=True):
    """Five float32 values: crafted, −crafted (or crafted again if not `mirror`: a sum of squares stays
    positive), two ordinary ones, and crafted again (the remainder lane)."""
    return np.array([crafted, -crafted if mirror else crafted, ordinary[0], ordinary[1], crafted], dtype=np.float32)


def state_tensor(v):
    return torch.tensor(np.asarray(v, dtype=np.float32))


# name -> (optimizer class, kwargs, param values, grads per step, state to install before the first step
# (a dict of entry -> five values / number), which operation is crafted)
CASES = [
    ('SGD: param.add_(grad, alpha=-lr) on T·T + tiny', torch.optim.SGD, dict(lr=T),
     vec(TINY), [vec(-T, (0.25, 1.5))], None, 'param + (-lr)*grad'),
    ('SGD maximize', torch.optim.SGD, dict(lr=T, maximize=True),
     vec(TINY), [vec(T, (0.25, 1.5))], None, 'param + (-lr)*(-grad)'),
    ('SGD weight decay: grad.add(param, alpha=wd)', torch.optim.SGD, dict(lr=1.0, weight_decay=T),
     vec(T), [vec(TINY, (0.25, 1.5))], None, 'grad + wd*param'),
    ('SGD momentum, dampening: buf.mul_(mu).add_(grad, alpha=1-dampening)', torch.optim.SGD,
     dict(lr=1.0, momentum=0.5, dampening=0.5 - 2 ** -13),
     vec(0.5), [vec(T, (0.25, 1.5))], dict(momentum_buffer=vec(TINY)), 'buf*mu + (1-dampening)*grad'),
    ('SGD nesterov: grad.add(buf, alpha=momentum)', torch.optim.SGD, dict(lr=1.0, momentum=T, nesterov=True),
     vec(1.0), [vec(TINY, (0.25, 1.5))], dict(momentum_buffer=vec(1.0)), 'grad + mu*buf'),
    ('Adagrad: state_sum.addcmul_(grad, grad, value=1)', torch.optim.Adagrad, dict(lr=0.1, initial_accumulator_value=TINY),
     vec(0.5), [vec(T, (0.25, 1.5)), vec(T, (0.5, -0.125))], None, 'sum + grad*grad'),
    ('Adagrad weight decay, maximize', torch.optim.Adagrad, dict(lr=0.1, weight_decay=T, maximize=True),
     vec(T), [vec(-TINY, (0.25, 1.5))], None, 'grad + wd*param'),
    ('Adadelta: square_avg.mul_(rho).addcmul_(grad, grad, value=1-rho)', torch.optim.Adadelta, dict(lr=1.0, rho=0.5),
     vec(0.5), [vec(T, (0.25, 1.5))], dict(square_avg=vec(TINY), acc_delta=vec(1.0, (0.5, 2.0), mirror=False)), 'square_avg*rho + ((1-rho)*grad)*grad'),
    ('Adadelta weight decay, maximize', torch.optim.Adadelta, dict(lr=1.0, rho=0.5, weight_decay=T, maximize=True),
     vec(T), [vec(-TINY, (0.25, 1.5))], None, 'grad + wd*param'),
    ('Adam: exp_avg.add_(grad, alpha=1-beta1) and exp_avg_sq.addcmul_(grad, grad, value=1-beta2)', torch.optim.Adam,
     dict(lr=0.01, betas=(0.5 - 2 ** -13, 0.5)),
     vec(0.5), [vec(T, (0.25, 1.5)), vec(T, (0.5, -0.125))], dict(step=1.0, exp_avg=vec(TINY), exp_avg_sq=vec(TINY)), 'm*b1 + (1-b1)*g; v*b2 + ((1-b2)*g)*g'),
    ('Adam amsgrad, maximize', torch.optim.Adam, dict(lr=0.01, betas=(0.5 - 2 ** -13, 0.5), amsgrad=True, maximize=True),
     vec(0.5), [vec(-T, (0.25, 1.5))], dict(step=1.0, exp_avg=vec(TINY), exp_avg_sq=vec(TINY), max_exp_avg_sq=vec(TINY, (0.5, 0.0))), 'm*b1 + (1-b1)*g; v*b2 + ((1-b2)*g)*g'),
    ('Adam weight decay: grad.add(param, alpha=wd)', torch.optim.Adam, dict(lr=0.01, weight_decay=T),
     vec(T), [vec(TINY, (0.25, 1.5))], None, 'grad + wd*param'),
    ('AdamW', torch.optim.AdamW, dict(lr=0.01, betas=(0.5 - 2 ** -13, 0.5), weight_decay=0.5),
     vec(0.5), [vec(T, (0.25, 1.5))], dict(step=1.0, exp_avg=vec(TINY), exp_avg_sq=vec(TINY)), 'm*b1 + (1-b1)*g; v*b2 + ((1-b2)*g)*g'),
    ('AdamW amsgrad, maximize', torch.optim.AdamW, dict(lr=0.01, betas=(0.5 - 2 ** -13, 0.5), amsgrad=True, maximize=True),
     vec(0.5), [vec(-T, (0.25, 1.5))], dict(step=1.0, exp_avg=vec(TINY), exp_avg_sq=vec(TINY), max_exp_avg_sq=vec(TINY, (0.5, 0.0))), 'm*b1 + (1-b1)*g; v*b2 + ((1-b2)*g)*g'),
    ('RMSprop: square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)', torch.optim.RMSprop, dict(lr=0.01, alpha=0.5),
     vec(0.5), [vec(T, (0.25, 1.5))], dict(square_avg=vec(TINY)), 'square_avg*alpha + ((1-alpha)*grad)*grad'),
    ('RMSprop centered: grad_avg.mul_(alpha).add_(grad, alpha=1-alpha)', torch.optim.RMSprop, dict(lr=0.01, alpha=0.5 - 2 ** -13, centered=True),
     vec(0.5), [vec(T, (0.25, 1.5))], dict(square_avg=vec(4.0, (1.0, 2.0), mirror=False), grad_avg=vec(TINY)), 'grad_avg*alpha + (1-alpha)*grad'),
    ('RMSprop momentum, weight decay, maximize: param.add_(buf, alpha=-lr)', torch.optim.RMSprop,
     dict(lr=T, alpha=0.5, momentum=1.0, weight_decay=T, maximize=True),
     vec(T), [vec(-TINY, (0.25, 1.5))], dict(square_avg=vec(1.0, (1.0, 2.0), mirror=False), momentum_buffer=vec(0.0)), 'grad + wd*param'),
]


def install_state(opt, p, entries):
    """Fill the optimizer's state for `p` as its first step would create it, then overwrite `entries`."""
    st = opt.state[p]
    name = type(opt).__name__
    zeros = torch.zeros_like(p)
    if name in ('Adam', 'AdamW'):
        st['step'] = torch.tensor(0.0)
        st['exp_avg'] = zeros.clone()
        st['exp_avg_sq'] = zeros.clone()
        if opt.param_groups[0]['amsgrad']:
            st['max_exp_avg_sq'] = zeros.clone()
    elif name == 'Adadelta':
        st['step'] = 0
        st['square_avg'] = zeros.clone()
        st['acc_delta'] = zeros.clone()
    elif name == 'RMSprop':
        st['step'] = 0
        st['square_avg'] = zeros.clone()
        if opt.param_groups[0]['momentum'] > 0:
            st['momentum_buffer'] = zeros.clone()
        if opt.param_groups[0]['centered']:
            st['grad_avg'] = zeros.clone()
    for k, v in entries.items():
        if k == 'step':
            st[k] = torch.tensor(float(v)) if name in ('Adam', 'AdamW') else int(v)
        else:
            st[k] = state_tensor(v)


def run(cls, kwargs, init, grads, state):
    p = torch.tensor(init.copy(), requires_grad=True)
    opt = cls([p], foreach=False, **kwargs)
    if state is not None:
        install_state(opt, p, state)
    before = jsonable(opt.state_dict())
    after = []
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        after.append(flat(p))
    return before, after, jsonable(opt.state_dict())


def main():
    cases = []
    for name, cls, kwargs, init, grads, state, crafted in CASES:
        before, after, final = run(cls, kwargs, init, grads, state)
        cases.append(dict(name=name, optimizer=cls.__name__, kwargs=jsonable(kwargs), crafted=crafted,
                          init=flat(torch.tensor(init)), grads=[flat(torch.tensor(g)) for g in grads],
                          state_dict_before=before, params_after_step=after, state_dict_final=final))
    os.makedirs(OUT, exist_ok=True)
    write('rounding.json', dict(torch=torch.__version__, T=T, tiny=TINY, cases=cases))


if __name__ == '__main__':
    sys.exit(main())
