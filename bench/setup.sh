#!/usr/bin/env bash
# Creates bench/.venv with the peers deepgm is benchmarked against, at pinned versions.
# Usage: bash bench/setup.sh        (re-running reuses an existing venv and only installs what is missing)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv"
python=${PYTHON:-python3}
SECONDS=0
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
"$venv/bin/python" - <<'PY'
import importlib
for name in ["numpy", "sklearn", "torch", "pgmpy", "pyagrum", "maxflow", "PIL", "safetensors"]:
    module = importlib.import_module(name)
    print(f"{name:8s} {getattr(module, '__version__', '?')}")
PY
echo "bench/setup.sh: peer environment ready in ${SECONDS}s at $venv"
