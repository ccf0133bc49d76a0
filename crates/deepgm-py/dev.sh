#!/usr/bin/env bash
# Development loop without installing: builds the extension (debug unless --release), assembles
# target/pydev/NAME/deepgm from python/deepgm and the built library, and runs pytest on it.
#   crates/deepgm-py/dev.sh NAME [--release] [pytest arguments...]
# Uses $PYTHON (default /tmp/peers/bin/python or python3) for the tests.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
name="${1:?usage: dev.sh NAME [--release] [pytest args]}"; shift
profile=debug; flag=()
if [[ "${1:-}" == "--release" ]]; then profile=release; flag=(--release); shift; fi
(cd "$root" && cargo build -p deepgm-py "${flag[@]}" --quiet)
dest="$root/target/pydev/$name/deepgm"
rm -rf "$dest"; mkdir -p "$dest"
for f in "$here"/python/deepgm/*; do ln -s "$f" "$dest/"; done
cp "$root/target/$profile/lib_native.so" "$dest/_native.abi3.so"
python="${PYTHON:-/tmp/peers/bin/python}"
[[ -x "$python" ]] || python=python3
cd "$here/tests"
PYTHONPATH="$root/target/pydev/$name" exec "$python" -m pytest -q -p no:cacheprovider "$@"
