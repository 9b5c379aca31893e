#!/usr/bin/env bash
# Build the sdist and the wheel (python -m build: the wheel is built FROM the sdist), check
# what the wheel carries, install each into a clean venv outside the source tree and run
# `dissipax info` and `dissipax reproduce gurevich_fig3` there.
#   usage: scripts/dist_check.sh [PYTHON]     (PYTHON: one with `build`; default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
BASE_PY=${BASE_PY:-python3}          # makes the clean venvs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== build into $work/dist"
"$PY" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
whl=$(ls "$work"/dist/*.whl)
sdist=$(ls "$work"/dist/*.tar.gz)
ls -l "$whl" "$sdist"

echo "== wheel contents"
"$PY" - "$whl" <<'PYEOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
configs = sorted(n for n in names if n.startswith("dissipax/reproduce/configs/"))
data = sorted(n for n in names if n.startswith("dissipax/reproduce/data/"))
print(f"{len(names)} files; configs: {len(configs)}; data: {data}")
assert "dissipax/reproduce/configs/gurevich_fig3.toml" in configs, configs
assert data == ["dissipax/reproduce/data/saturation_synthetic_S1.csv"], data
bad = [n for n in names if n.startswith(("tests/", "notebooks/", "docs/", "benchmarks/"))
       or "triumf" in n or "scresonators" in n or "NYU2D" in n or "fitresults" in n]
assert not bad, f"the wheel must carry no tests or measured data: {bad}"
PYEOF

check() {  # $1: what to install; runs the CLI from an empty directory
    local env=$work/venv-$2
    "$BASE_PY" -m venv "$env"
    "$env/bin/python" -m pip install -q --upgrade pip >/dev/null
    echo "== install $2 into a clean venv"
    "$env/bin/python" -m pip install -q "$1"
    mkdir -p "$work/run-$2" && cd "$work/run-$2"
    "$env/bin/dissipax" info
    "$env/bin/dissipax" reproduce gurevich_fig3 --out out --quiet
    test -s out/gurevich_fig3/fig3_sigma1.png || { ls -R out; exit 1; }
    "$env/bin/dissipax" reproduce --list
    "$env/bin/python" -c 'from importlib.resources import files; from dissipax import config
c = config.load(files("dissipax.reproduce") / "configs" / "fit_saturation_example.toml")
p = files("dissipax.reproduce") / "data" / "saturation_synthetic_S1.csv"
assert p.is_file(), p; print("installed example CSV:", p)'
    cd - >/dev/null
}
check "$whl" wheel
check "$sdist" sdist
echo "dist-check: OK (wheel and sdist install and run)"
