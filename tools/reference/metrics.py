#!/usr/bin/python3
"""Reference values for src/metrics, computed independently with numpy (float64) and torch (float32).

Writes test/fixtures/metrics/metrics.json. Run from the repository root:

    /usr/bin/python3 tools/reference/metrics.py

The test matrices are not stored: both this script and test/metrics/hash-matrix.ts build them from the same
integer hash (lowbias32) using only operations that are exact in float64, then round once to float32, so
both sides hold bit-identical float32 matrices (the fixture records sample elements and the float64 sum so a
mismatch in the generator is reported as such). Small edge-case matrices are written out explicitly.

Every metric here is written from its published definition, vectorised, in float64 — deliberately not a
transcription of the TypeScript kernels (no Welford, no unrolled sums, no streaming):
- Hoyer 2004:        (sqrt(N) - |a|_1 / |a|_2) / (sqrt(N) - 1) per row; mean and std over rows.
- CCMAS (Morcos 2018): class means per unit; (u_max - u_-max) / (u_max + u_-max + eps).
- Gini (Hurley & Rickard 2009): 1 - 2 sum_k c_(k)/|c|_1 (N - k + 1/2)/N over the sorted magnitudes.
- Treves-Rolls: A = (mean r)^2 / mean r^2 per unit; Vinje-Gallant S = (1 - A) / (1 - 1/S).
- fraction below t: mean over units of |a| < t.
For the MNIST-sized case the script also reproduces the original notebooks' float32 arithmetic (torch for
Hoyer; a row-by-row float32 accumulation for CCMAS, as Python's sum over float32 tensors did) so the tests
can show how far the published numbers' rounding is from ours.
"""
import json
import math
import os

import numpy as np
import torch

M32 = 0xFFFFFFFF
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'metrics', 'metrics.json')


# ---------------------------------------------------------------- the shared generator (see hash-matrix.ts)
U = np.uint64


def mix(x):
    """lowbias32 (Chris Wellons' integer hash) on uint64 arrays holding uint32 values."""
    x = np.asarray(x, dtype=np.uint64) & U(M32)
    x = x ^ (x >> U(16))
    x = (x * U(0x7FEB352D)) & U(M32)
    x = x ^ (x >> U(15))
    x = (x * U(0x846CA68B)) & U(M32)
    x = x ^ (x >> U(16))
    return x


def stream_hash(seed, stream, r, c):
    h0 = mix(np.array([(seed * 0x9E3779B9 + stream) & M32], dtype=np.uint64))[0]
    h1 = mix((h0 + r.astype(np.uint64)) & U(M32))
    return mix((h1 + c.astype(np.uint64)) & U(M32))


def hash_labels(seed, rows, classes):
    r = np.arange(rows, dtype=np.uint64)
    return (stream_hash(seed, 1, r, np.zeros(rows, dtype=np.uint64)) % U(classes)).astype(np.int64)


def hash_matrix(seed, rows, cols, classes, style):
    r = np.arange(rows, dtype=np.uint64)[:, None] * np.ones((1, cols), dtype=np.uint64)
    c = np.ones((rows, 1), dtype=np.uint64) * np.arange(cols, dtype=np.uint64)[None, :]
    h = stream_hash(seed, 0, r, c)
    u = (h & U(0xFFFF)).astype(np.float64) / 65536.0
    v = (h >> U(16)).astype(np.float64) / 65536.0
    label = hash_labels(seed, rows, classes)[:, None]
    pref = (np.arange(cols) % classes)[None, :]
    hit = label == pref
    if style == 'sigmoid':
        x = np.where(hit, 1.0 - u * v, u * v)
    elif style == 'relu':
        x = np.where(((h >> U(30)) == 0) | hit, u, 0.0)
    elif style == 'signed':
        x = u - v + np.where(hit, 0.25, 0.0)
    else:
        raise ValueError(style)
    return x.astype(np.float32)


# ---------------------------------------------------------------- the metrics, from their definitions
def stats(values, policy='skip'):
    d = values[~np.isnan(values)]
    und = int(np.isnan(values).sum())
    n = d.size
    if n == 0 or (policy == 'nan' and und > 0):
        return dict(mean=None, stdSample=None, stdPopulation=None, count=int(n), undefinedCount=und)
    return dict(
        mean=float(d.mean()),
        stdSample=float(d.std(ddof=1)) if n > 1 else None,
        stdPopulation=float(d.std(ddof=0)),
        count=int(n),
        undefinedCount=und,
    )


def nan_to_none(a):
    return [None if math.isnan(x) else float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def hoyer(X, abs_=True):
    X = X.astype(np.float64)
    N = X.shape[1]
    l1 = np.abs(X).sum(1) if abs_ else X.sum(1)
    l2 = np.sqrt((X * X).sum(1))
    with np.errstate(invalid='ignore', divide='ignore'):
        h = (math.sqrt(N) - l1 / l2) / (math.sqrt(N) - 1)
    h[l2 == 0] = np.nan
    return h, float(l1.sum())


def ccmas(X, labels, C, eps, abs_=False, exclude_empty=False):
    X = np.abs(X.astype(np.float64)) if abs_ else X.astype(np.float64)
    present = [k for k in range(C) if (labels == k).any()]
    if not exclude_empty:
        assert len(present) == C
    means = np.stack([X[labels == k].mean(0) for k in present])  # P x N
    P = len(present)
    umax = means.max(0)
    uneg = (means.sum(0) - umax) / (P - 1)
    den = umax + uneg + eps
    with np.errstate(invalid='ignore', divide='ignore'):
        s = (umax - uneg) / den
    s[den == 0] = np.nan
    full = np.full((C, X.shape[1]), np.nan)
    full[present] = means
    return s, full, np.array(present)[means.argmax(0)], P


def gini(X):
    c = np.sort(np.abs(X.astype(np.float64)), axis=1)
    N = c.shape[1]
    k = np.arange(1, N + 1, dtype=np.float64)
    l1 = c.sum(1)
    with np.errstate(invalid='ignore', divide='ignore'):
        g = 1 - 2 * ((c / l1[:, None]) * ((N - k + 0.5) / N)[None, :]).sum(1)
    g[l1 == 0] = np.nan
    return g


def treves_rolls(X, abs_=True):
    R = np.abs(X.astype(np.float64)) if abs_ else X.astype(np.float64)
    S = R.shape[0]
    m1 = R.mean(0)
    m2 = (R * R).mean(0)
    with np.errstate(invalid='ignore', divide='ignore'):
        A = m1 * m1 / m2
    A[m2 == 0] = np.nan
    return (1 - A) / (1 - 1 / S), A


def fraction_below(X, t, abs_=True, inclusive=False):
    Y = np.abs(X.astype(np.float64)) if abs_ else X.astype(np.float64)
    below = (Y <= t) if inclusive else (Y < t)
    return below.mean(1), int(below.sum())


def original_float32(X, labels, C):
    """The notebooks' arithmetic: torch float32 Hoyer; CCMAS from row-by-row float32 class sums, eps 1e-7."""
    c = torch.from_numpy(X)
    N = X.shape[1]
    S = (math.sqrt(N) - c.abs().sum(1) / torch.sqrt((c ** 2).sum(1))) / (math.sqrt(N) - 1)
    acc = np.zeros((C, N), dtype=np.float32)
    for r in range(X.shape[0]):
        acc[labels[r]] += X[r]
    counts = np.bincount(labels, minlength=C).astype(np.float32)
    means = acc / counts[:, None]
    sel = []
    for j in range(N):
        vals = [torch.tensor(means[k, j]) for k in range(C)]
        umax = max(vals)
        total = vals[0]
        for v in vals[1:]:
            total = total + v
        uneg = (total - umax) / (C - 1)
        sel.append(float((umax - uneg) / (umax + uneg + 1e-7)))
    sel = np.array(sel)
    return dict(
        hoyerMean=float(S.mean()), hoyerStdSample=float(S.std()),
        ccmasMean=float(sel.mean()), ccmasStdPopulation=float(sel.std()),
    )


# ---------------------------------------------------------------- cases
def per_sample_block(values, full):
    if full:
        return dict(perSample=nan_to_none(values))
    idx = list(range(0, values.size, 37)) + [values.size - 1]
    return dict(perSampleAt=dict(index=idx, values=nan_to_none(values[idx])))


def hoyer_entry(X, opts, full):
    h, total = hoyer(X, opts.get('abs', True))
    e = dict(metric='hoyer', opts=opts, expect=dict(**stats(h, opts.get('onUndefined', 'skip')), activationSum=total, samples=X.shape[0]))
    e['expect'].update(per_sample_block(h, full))
    return e


def gini_entry(X, opts, full):
    g = gini(X)
    e = dict(metric='gini', opts=opts, expect=dict(**stats(g, opts.get('onUndefined', 'skip')), samples=X.shape[0]))
    e['expect'].update(per_sample_block(g, full))
    return e


def fraction_entry(X, t, opts, full):
    f, cnt = fraction_below(X, t, opts.get('abs', True), opts.get('inclusive', False))
    e = dict(metric='fractionBelow', threshold=t, opts=opts, expect=dict(**stats(f), countBelow=cnt, samples=X.shape[0]))
    e['expect'].update(per_sample_block(f, full))
    return e


def ccmas_entry(X, labels, C, opts):
    s, means, pref, P = ccmas(X, labels, C, opts.get('eps', 1e-7), opts.get('abs', False), opts.get('emptyClass') == 'exclude')
    return dict(metric='ccmas', opts=opts, expect=dict(
        **stats(s, opts.get('onUndefined', 'skip')), perUnit=nan_to_none(s), classMeans=nan_to_none(means),
        classCounts=[int((labels == k).sum()) for k in range(C)], classesUsed=P, samples=X.shape[0],
        preferredClassWhereDefined=[int(p) for p in pref]))


def tr_entry(X, opts):
    sp, A = treves_rolls(X, opts.get('abs', True))
    return dict(metric='trevesRolls', opts=opts, expect=dict(
        **stats(sp, opts.get('onUndefined', 'skip')), perUnit=nan_to_none(sp), activityRatio=nan_to_none(A), samples=X.shape[0]))


def matrix_check(X):
    rows, cols = X.shape
    pts = [(0, 0), (rows - 1, cols - 1), (rows // 2, cols // 3), (rows // 3, cols - 1)]
    return dict(elements=[[r, c, float(X[r, c])] for r, c in pts], sum=float(X.astype(np.float64).sum()))


def hash_case(name, seed, rows, cols, classes, style, full, extra=()):
    X = hash_matrix(seed, rows, cols, classes, style)
    labels = hash_labels(seed, rows, classes)
    case = dict(name=name, rows=rows, cols=cols, classes=classes,
                matrix=dict(kind='hash', seed=seed, style=style), labels=dict(kind='hash'),
                check=matrix_check(X), results=[])
    R = case['results']
    R.append(hoyer_entry(X, {}, full))
    R.append(gini_entry(X, {}, full))
    R.append(fraction_entry(X, 0.1, {}, full))
    if rows >= 2:
        R.append(tr_entry(X, {}))
    present = len(set(labels.tolist()))
    if present == classes:
        R.append(ccmas_entry(X, labels, classes, {}))
        R.append(ccmas_entry(X, labels, classes, {'eps': 0}))
    for e in extra:
        R.append(e(X, labels))
    return case, X, labels


def explicit_case(name, X, labels, classes, results):
    X = np.asarray(X, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    return dict(name=name, rows=X.shape[0], cols=X.shape[1], classes=classes,
                matrix=dict(kind='explicit', data=[float(x) for x in X.ravel()]),
                labels=dict(kind='explicit', data=[int(k) for k in labels]),
                check=matrix_check(X), results=[f(X, labels) for f in results])


def main():
    cases = []

    big, Xb, Lb = hash_case('mnist-sized 10000x256, 10 classes (sigmoid-like)', 1, 10000, 256, 10, 'sigmoid', False)
    big['original'] = original_float32(Xb, Lb, 10)
    cases.append(big)

    small, _, _ = hash_case('50x7, 3 classes (sigmoid-like)', 7, 50, 7, 3, 'sigmoid', True, extra=(
        lambda X, L: ccmas_entry(X, L, 3, {'eps': 1e-6}),
        lambda X, L: hoyer_entry(X, {'abs': False}, True),
        lambda X, L: fraction_entry(X, 0.25, {'inclusive': True}, True),
    ))
    cases.append(small)

    relu, _, _ = hash_case('300x33, 4 classes (ReLU-like, many exact zeros)', 11, 300, 33, 4, 'relu', True, extra=(
        lambda X, L: fraction_entry(X, 1e-12, {}, True),
    ))
    cases.append(relu)

    signed, _, _ = hash_case('200x16, 4 classes (signed, tanh-like)', 5, 200, 16, 4, 'signed', True, extra=(
        lambda X, L: hoyer_entry(X, {'abs': False}, True),
        lambda X, L: ccmas_entry(X, L, 4, {'abs': True}),
        lambda X, L: tr_entry(X, {'abs': False}),
        lambda X, L: fraction_entry(X, 0.3, {'abs': False}, True),
    ))
    cases.append(signed)

    one, _, _ = hash_case('1x256 (a single sample)', 3, 1, 256, 10, 'sigmoid', True)
    cases.append(one)

    # Edge cases, written out. Row 0 all zeros (Hoyer/Gini undefined), row 1 one-hot (Hoyer exactly 1),
    # row 2 constant (Hoyer 0 up to rounding), column 4 always 0 (CCMAS 0/0 with eps = 0, Treves-Rolls 0/0).
    E = [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.7, 0.0, 0.0],
        [0.3, 0.3, 0.3, 0.3, 0.0],
        [0.9, 0.1, 0.5, 0.2, 0.0],
        [0.2, 0.8, 0.4, 0.6, 0.0],
        [0.1, 0.3, 0.9, 0.05, 0.0],
        [0.6, 0.6, 0.1, 0.7, 0.0],
    ]
    EL = [0, 1, 2, 0, 1, 2, 0]
    cases.append(explicit_case('edge cases 7x5, 3 classes', E, EL, 3, [
        lambda X, L: hoyer_entry(X, {}, True),
        lambda X, L: hoyer_entry(X, {'onUndefined': 'nan'}, True),
        lambda X, L: gini_entry(X, {}, True),
        lambda X, L: ccmas_entry(X, L, 3, {}),
        lambda X, L: ccmas_entry(X, L, 3, {'eps': 0}),
        lambda X, L: tr_entry(X, {}),
        lambda X, L: fraction_entry(X, 0.25, {}, True),
    ]))

    # One-hot rows (Hoyer exactly 1, Gini 1 - 1/N) and constant rows (both 0), no dead units.
    H = np.zeros((4, 8))
    H[0, 3] = 0.7
    H[1, :] = 0.3
    H[2, :] = 0.5
    H[3, 0] = -2.0
    cases.append(explicit_case('one-hot and constant rows 4x8', H, [0, 1, 0, 1], 2, [
        lambda X, L: hoyer_entry(X, {}, True),
        lambda X, L: gini_entry(X, {}, True),
    ]))

    # A class with no samples: class 2 of 4 never occurs.
    rng = np.random.default_rng(2024)
    EC = rng.random((20, 6)).astype(np.float32)
    ECL = np.array([0, 1, 3] * 6 + [0, 1])
    cases.append(explicit_case('20x6, class 2 of 4 has no samples', EC, ECL, 4, [
        lambda X, L: ccmas_entry(X, L, 4, {'emptyClass': 'exclude'}),
        lambda X, L: ccmas_entry(X, L, 4, {'emptyClass': 'exclude', 'eps': 0}),
    ]))

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(dict(
            generator='tools/reference/metrics.py',
            numpy=np.__version__, torch=torch.__version__,
            cases=cases,
        ), f, allow_nan=False, separators=(',', ':'))
    print(f'wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes, {len(cases)} cases)')


if __name__ == '__main__':
    main()
