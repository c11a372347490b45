#!/usr/bin/env bash
# One baseline epoch (784-256-10 sigmoid, batch 50, all 60,000 training images, then the 10,000-image test
# pass with metrics), timed back to back on this machine:
#   ours          src/cli/main.ts run as `npm start` runs it (single-threaded; relaxed SIMD where the engine has it)
#   torch t=1/2   tools/pytorch/baseline.py --threads 1 / 2, with the BLAS Debian's torch links by default
#   openblas t=1/2  the same with OpenBLAS loaded instead (only if OPENBLAS_DIR names a directory holding
#                 OpenBLAS's libblas.so.3, e.g. one unpacked with `apt-get download libopenblas0-pthread;
#                 dpkg -x libopenblas0-pthread_*.deb DIR`: DIR/usr/lib/x86_64-linux-gnu/openblas-pthread)
# The rounds are interleaved (ours, torch t=1, torch t=2, ... then again) so that a change in the machine's
# load hits every contender alike; the median over REPS rounds is printed, and its ratio to ours (this÷ours > 1:
# ours is faster). "seconds" is training plus
# evaluation on both sides; torch's training part alone is printed as well.
#
# Usage (from the repository root): REPS=3 OPTIMIZER=adam [OPENBLAS_DIR=...] tools/pytorch/time-epochs.sh [OUTDIR]
set -euo pipefail
REPS=${REPS:-3}
OPTIMIZER=${OPTIMIZER:-adam}
OUT=${1:-$(mktemp -d /tmp/time-epochs.XXXXXX)}
PY=/usr/bin/python3
mkdir -p "$OUT"
echo "timing 1 epoch of $OPTIMIZER, $REPS interleaved rounds, into $OUT; load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

torch_run() { # name threads [openblas]
  local name=$1 threads=$2 file="$OUT/$1-r$r.jsonl"
  if [[ ${3:-} == openblas ]]; then
    LD_LIBRARY_PATH="$OPENBLAS_DIR" OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads \
      $PY tools/pytorch/baseline.py --optimizers "$OPTIMIZER" --seeds 1 --epochs 1 --threads "$threads" --out "$file" >&2
  else
    OMP_NUM_THREADS=$threads $PY tools/pytorch/baseline.py --optimizers "$OPTIMIZER" --seeds 1 --epochs 1 \
      --threads "$threads" --out "$file" >&2
  fi
}

for r in $(seq 1 "$REPS"); do
  node --experimental-wasm-relaxed-simd --import tsx src/cli/main.ts run --optimizers "$OPTIMIZER" --seeds 1 --epochs 1 --out "$OUT/ours-r$r" --force \
    --no-progress --no-figures >&2
  torch_run torch-t1 1
  torch_run torch-t2 2
  if [[ -n ${OPENBLAS_DIR:-} ]]; then
    torch_run openblas-t1 1 openblas
    torch_run openblas-t2 2 openblas
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

$PY - "$OUT" "$REPS" <<'EOF'
import glob, json, os, statistics, sys
out, reps = sys.argv[1], int(sys.argv[2])
def epochs(path):
    files = glob.glob(os.path.join(path, "*.jsonl")) if os.path.isdir(path) else [path]
    recs = [json.loads(l) for f in files for l in open(f) if l.strip()]
    return [r for r in recs if r.get("type") == "epoch"]
rows = []
for name in ["ours", "torch-t1", "torch-t2", "openblas-t1", "openblas-t2"]:
    secs, train = [], []
    for r in range(1, reps + 1):
        p = os.path.join(out, f"{name}-r{r}") if name == "ours" else os.path.join(out, f"{name}-r{r}.jsonl")
        if not os.path.exists(p):
            continue
        for e in epochs(p):
            secs.append(e["seconds"])
            if "train_seconds" in e:
                train.append(e["train_seconds"])
    if secs:
        rows.append((name, statistics.median(secs), statistics.median(train) if train else None, secs))
ours = rows[0][1] if rows and rows[0][0] == "ours" else None
print(f"{'contender':12s} {'median s/epoch':>15s} {'train part':>11s} {'this÷ours':>10s}  all rounds")
for name, med, tr, secs in rows:
    ratio = f"{med / ours:10.2f}" if ours else " " * 10
    trs = f"{tr:11.2f}" if tr is not None else " " * 11
    print(f"{name:12s} {med:15.2f} {trs} {ratio}  {', '.join(f'{s:.2f}' for s in secs)}")
EOF
