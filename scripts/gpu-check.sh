#!/usr/bin/env bash
# The torch engine's GPU check (issue 16) on a machine with PyTorch + CUDA and no Node, from the repository root:
#   OUT=/path/to/results scripts/gpu-check.sh          # bench of both ViT-B/16 presets in bf16 + a 200-step cae-vit-b16-224 run
#   OUT=/tmp/gpu-check scripts/gpu-check.sh --tiny     # the same parts, shrunk to run on a CPU
# Python: $MIMLAB_PYTHON, else python3, else /usr/bin/python3 (the first that imports torch). See scripts/gpu-check/check.py.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-$PWD/gpu-check-out}"
mkdir -p "$out"
py=""
for candidate in "${MIMLAB_PYTHON:-}" python3 /usr/bin/python3; do
  if [ -n "$candidate" ] && "$candidate" -c 'import torch' >/dev/null 2>&1; then py="$candidate"; break; fi
done
if [ -z "$py" ]; then echo "gpu-check: no Python with torch (tried \$MIMLAB_PYTHON, python3, /usr/bin/python3)" >&2; exit 2; fi
set +e
"$py" scripts/gpu-check/check.py --out "$out" "$@" 2>&1 | tee "$out/gpu-check.log"
status=${PIPESTATUS[0]}
exit "$status"
