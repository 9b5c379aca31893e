"""float32 mode (DISSIPAX_X64=0): which functions keep which accuracy.

``_float32_probe.py`` evaluates the public functions on fixed inputs in a subprocess, once
with x64 off and once with it on; the relative differences are the float32 accuracies
documented in ``docs/numerical_validity.md`` (bounds in units of float32's eps = 1.19e-7).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

PROBE = Path(__file__).with_name("_float32_probe.py")
SRC = Path(__file__).resolve().parents[2] / "src"
EPS32 = float(np.finfo(np.float32).eps)

#: documented float32 accuracy (max relative error vs float64) per probe entry, with the reason
BOUNDS = {
    # rational functions: a few roundings per operation
    "vortex.sigma_xx": 8 * EPS32,
    "vortex.sigma_xy": 8 * EPS32,
    "vortex.sigma_pinned": 8 * EPS32,
    "vortex.superfluid_weight": 8 * EPS32,
    "vortex.flux_flow": 8 * EPS32,
    # near a resonance of width Omega the condition number is |omega|/Omega = 1e3 here:
    # rounding omega to float32 moves the point by eps*omega (input rounding, not the kernel)
    "vortex.sigma_xx (narrow resonance, Omega=1e-3)": 4 * 1e3 * EPS32,
    # exp(log ...) of the log-space kernel: the log is rounded, then exponentiated
    "saturation.failed_insulator": 16 * EPS32,
    "saturation.failed_superconductor": 16 * EPS32,
    "saturation laws at E_a/T = 700": 2 * EPS32,
    # second derivative by AD: rho'' = (2g'^2 - g g'')/g^3 cancels near its zero crossing
    "saturation.curvature": 128 * EPS32,
    "saturation.curvature_zero": 16 * EPS32,
    "units.frequency_to_gap_units": 2 * EPS32,
}


def _run_both(*args: str) -> tuple[dict, dict]:
    """Run the probe with x64 on and off, concurrently; return (float64, float32) results."""
    procs = []
    for x64 in ("1", "0"):
        env = {**os.environ, "DISSIPAX_X64": x64, "PYTHONPATH": str(SRC)}
        procs.append(
            subprocess.Popen(
                [sys.executable, str(PROBE), *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr[-2000:]
        out.append(json.loads(stdout))
    return out[0], out[1]


def _rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.ndim and a.shape[-1] == 2 and b.shape == a.shape and a.ndim > 1:  # complex as pairs
        za, zb = a[..., 0] + 1j * a[..., 1], b[..., 0] + 1j * b[..., 1]
        return float(np.max(np.abs(zb - za) / np.abs(za)))
    return float(np.max(np.abs(b - a) / np.abs(a)))


def test_float32_kernels_accuracy():
    f64, f32 = _run_both()
    assert f64["x64"] and not f32["x64"]
    for name, bound in BOUNDS.items():
        err = _rel(f64[name], f32[name])
        print(f"{name:50s} float32 rel. error {err:.2e} (bound {bound:.1e})")
        assert np.all(np.isfinite(np.asarray(f32[name], float))), name
        assert err <= bound, (name, err, bound)


# --- fits (owner: fit engine, branch fit-f32) -------------------------------------------
# The float32 fit tests live in test_float32_fits.py: they fit data written once in
# float64, so that both precisions fit the same numbers.  (The former test_float32_fits
# here drew the synthetic noise with JAX inside each subprocess; float32 and float64 draw
# different normal deviates, so it compared fits of different data: its "vortex.fit 5.6 %
# chi2 above float64, 3.2 stderr off" was the difference of the two noise draws.)
# --- end fits ------------------------------------------------------------------------
