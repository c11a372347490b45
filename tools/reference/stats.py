"""Reference values for src/experiments/stats.ts from scipy (Debian's python3-scipy 1.10).

Writes test/fixtures/stats/stats.json: Welch's t-test (scipy.stats.ttest_ind, equal_var=False), Spearman's rho
with scipy's p (scipy.stats.spearmanr), the Student-t two-sided tail and the one-sample t-test
(scipy.stats.ttest_1samp), on deterministic inputs.
Run: /usr/bin/python3 tools/reference/stats.py  (deterministic: rewrites an identical file).
"""
import json
import os

import numpy as np
from scipy import stats

rng = np.random.default_rng(20261206)
out = {"scipy": __import__("scipy").__version__, "welch": [], "spearman": [], "t_tail": [], "one_sample": []}

welch_inputs = [
    ([0.91, 0.92, 0.93], [0.95, 0.96, 0.955]),
    ([1.0, 2.0, 3.0], [1.5, 2.5, 3.5]),
    ([0.2, 0.21, 0.19, 0.205], [0.3, 0.29]),
    ([10.0, 10.5, 9.5], [10.1, 10.0, 10.2]),
]
for _ in range(8):
    na, nb = int(rng.integers(2, 7)), int(rng.integers(2, 7))
    welch_inputs.append((rng.normal(0, 1, na).tolist(), rng.normal(0.5, 2, nb).tolist()))
for a, b in welch_inputs:
    r = stats.ttest_ind(a, b, equal_var=False)
    out["welch"].append({"a": a, "b": b, "t": float(r.statistic), "p": float(r.pvalue)})

spearman_inputs = [
    ([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]),
    ([1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10], [0.1, 0.3, 0.2, 0.5, 0.6, 0.55, 0.2]),
    ([64, 128, 256, 384, 512, 640, 768], [0.3, 0.31, 0.33, 0.32, 0.36, 0.37, 0.38]),
    ([1, 2, 2, 3, 4], [2, 1, 3, 3, 5]),
]
for _ in range(6):
    n = int(rng.integers(4, 20))
    x = rng.normal(0, 1, n)
    y = 0.6 * x + rng.normal(0, 1, n)
    spearman_inputs.append((x.tolist(), y.tolist()))
for x, y in spearman_inputs:
    r = stats.spearmanr(x, y)
    out["spearman"].append({"x": list(map(float, x)), "y": list(map(float, y)), "rho": float(r.correlation), "p": float(r.pvalue)})

for t, df in [(0.5, 2), (2.0, 2), (4.303, 2), (1.0, 3.7), (3.0, 10), (10.0, 1.5), (0.0, 4)]:
    out["t_tail"].append({"t": t, "df": df, "p": float(2 * stats.t.sf(abs(t), df))})

# One-sample t (scipy.stats.ttest_1samp against 0): what the findings apply to per-seed differences
# (epoch N − epoch 1) and to per-run Fisher-z correlations.
one_sample_inputs = [[0.12, 0.14, 0.13], [0.1, -0.05, 0.02], [-0.3, -0.31, -0.29, -0.35], [2.0, 2.5]]
for _ in range(6):
    n = int(rng.integers(2, 8))
    one_sample_inputs.append(rng.normal(0.3, 1, n).tolist())
for v in one_sample_inputs:
    r = stats.ttest_1samp(v, 0.0)
    out["one_sample"].append({"values": list(map(float, v)), "t": float(r.statistic), "p": float(r.pvalue)})

path = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "stats", "stats.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path))
