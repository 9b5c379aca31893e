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
import pytest

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


def _check_bounds(f64, f32, bounds):
    for name, bound in bounds.items():
        err = _rel(f64[name], f32[name])
        print(f"{name:50s} float32 rel. error {err:.2e} (bound {bound:.1e})")
        assert np.all(np.isfinite(np.asarray(f32[name], float))), name
        assert err <= bound, (name, err, bound)


def test_float32_kernels_accuracy():
    f64, f32 = _run_both()
    assert f64["x64"] and not f32["x64"]
    _check_bounds(f64, f32, BOUNDS)


# --- fits (owner: fit engine, branch fit-f32) -------------------------------------------
# The float32 fit tests live in test_float32_fits.py: they fit data written once in
# float64, so that both precisions fit the same numbers.  (The former test_float32_fits
# here drew the synthetic noise with JAX inside each subprocess; float32 and float64 draw
# different normal deviates, so it compared fits of different data: its "vortex.fit 5.6 %
# chi2 above float64, 3.2 stderr off" was the difference of the two noise draws.)
# --- end fits ------------------------------------------------------------------------


# --- rf (Gurevich) --------------------------------------------------------------------------
#: documented float32 accuracy of the rf functions (max relative error vs float64), measured
#: with ``_float32_probe.py --rf kernels|surface`` (see the report in docs/numerical_validity.md)
RF_BOUNDS = {
    # closed forms of s: a few roundings
    "rf.pairbreaking_gap": 4 * EPS32,
    "rf.spectral_gap": 8 * EPS32,  # (gap^(2/3) - s^(2/3))^(3/2): mild cancellation at s -> 0.25
    # N(eps) at delta = eps - eps_g >= 1e-3: eps is rounded to float32 before delta is formed,
    # so the input error is eps32 * eps/delta (condition ~1e3 here; measured 196 eps)
    "rf.dos": 1e3 * 1.25 * EPS32,
    # ... and at delta >= 1e-6 the same input rounding gives ~eps32/delta = 10 % (measured 2.4 %)
    "rf.dos (near the edge, delta 1e-6..1e-3)": 0.05,
    # smooth integrand on the exact sinh map, Fermi factors in one exponential
    "rf.sigma1_mattis_bardeen": 16 * EPS32,
    "rf.sigma1_closed_form": 16 * EPS32,
    # quadrature of a sharp integrand: the current-smeared gap peak of width s^(2/3) and the
    # coherence factor near the edge, nodes placed from float32 delta (measured 658 eps)
    "rf.sigma1_dc_biased": 1e3 * EPS32,
    # the same kernel averaged over the rf phase (measured 207 / 183 eps)
    "rf.sigma1_rf (nonequilibrium=True)": 4e2 * EPS32,
    "rf.sigma1_rf (nonequilibrium=False)": 4e2 * EPS32,
    # exp(Delta0/T0) * log(...) in float32 (measured 2.3 eps)
    "rf.overheating_alpha": 8 * EPS32,
}
#: the same for the surface resistance (slow: nested quadrature + Newton per point)
RF_SURFACE_BOUNDS = {
    # ratios of the depth/period-averaged sigma1 kernels (measured 25 / 48 eps)
    "rf.rs_ratio": 100 * EPS32,
    "rf.surface_resistance_ratio (alpha=0)": 100 * EPS32,
    # self-consistent T: the kernel error amplified by 1/(1 - k dR/dy) near the runaway
    # (measured 114 eps for Rs/Rs0, 9 eps for T)
    "rf.surface_resistance_ratio (alpha=0.91)": 300 * EPS32,
    "rf.surface_resistance_ratio T (alpha=0.91)": 30 * EPS32,
    "rf.solve_overheating (stable points)": 100 * EPS32,
}


def _run_rf(part: str) -> tuple[dict, dict]:
    return _run_both("--rf", part)


def test_float32_rf_kernels():
    """Gaps, N(eps), sigma1 (Mattis-Bardeen, dc-biased, rf) and alpha of Eq. (42) in float32.

    Also the documented failures: exp(-1/T) underflows float32 below T ~ 0.0115 Delta0
    (e^-87.3 = 1.2e-38), so sigma1 is 0 there (never NaN), and exp(Delta0/T0) of Eq. (42)
    overflows below T0 = Delta0/88.7 (0.197 K for niobium): a DomainError that says so.
    """
    f64, f32 = _run_rf("kernels")
    assert f64["x64"] and not f32["x64"]
    _check_bounds(f64, f32, RF_BOUNDS)
    # s = 0 (beta_a = 0) is inside the domain and finite (it was NaN in float32: the map
    # scale fell to 1e-12 min(omega, T) and delta^3 of Eq. (7) underflowed)
    assert np.all(np.isfinite(f32["rf.sigma1_dc_biased"]))
    T_low = np.array([0.03, 0.02, 0.015, 0.013, 0.012, 0.0115, 0.011, 0.0105, 0.01])
    for name in ("rf.sigma1_mattis_bardeen", "rf.sigma1_closed_form"):
        a = np.asarray(f64[f"{name} (low T, omega=0.01)"])
        b = np.asarray(f32[f"{name} (low T, omega=0.01)"])
        assert np.all(np.isfinite(b)) and np.all(b >= 0), name
        good = T_low >= 0.013  # e^{-1/T} >= 1e-34: normal float32 numbers
        # exp(-eps/T) has condition number eps/T ~ 1/T: the rounded exponent costs ~1/T eps
        # (measured 21, 54, 65 eps at T = 0.03, 0.015, 0.013)
        rel = np.abs(b[good] - a[good]) / a[good]
        assert np.all(rel <= (16 + 2 / T_low[good]) * EPS32), (name, rel / EPS32)
        assert np.all(b[T_low <= 0.011] == 0.0), name  # underflow: 0, not NaN
    # alpha ~ e^{Delta0/T0}: equal where float32 holds it, a clear overflow error below
    # T0 = 0.197 K (float64 gives 9e36 and 5e47 there, float32's range ends at 3.4e38)
    for T0_K in (0.25, 0.2):
        key = f"rf.overheating_alpha (T0 = {T0_K} K)"
        assert f32[key] == pytest.approx(f64[key], rel=1e-6)
    for T0_K in (0.19, 0.15):
        key = f"rf.overheating_alpha (T0 = {T0_K} K)"
        assert isinstance(f64[key], float) and np.isfinite(f64[key])
        assert "result 'alpha' overflows" in f32[key] and "below ~89" in f32[key], f32[key]


@pytest.mark.slow
def test_float32_rf_surface():
    """Rs(B)/Rs0 with and without overheating, the runaway status and threshold in float32."""
    f64, f32 = _run_rf("surface")
    _check_bounds(f64, f32, RF_SURFACE_BOUNDS)
    # the runaway classification and the threshold field are the same in both precisions
    assert f32["rf.solve_overheating status"] == f64["rf.solve_overheating status"]
    assert f32["rf.solve_overheating b_runaway"] == pytest.approx(
        f64["rf.solve_overheating b_runaway"], rel=1e-3
    )
    # T0 = 0.03: above float32's t0_min (2.41e-2): the same values and the same runaway points
    low64 = np.asarray(f64["rf.surface_resistance_ratio (low T0 = 0.03)"])
    low32 = np.asarray(f32["rf.surface_resistance_ratio (low T0 = 0.03)"])
    assert np.array_equal(np.isinf(low32), np.isinf(low64))
    ok = np.isfinite(low64)
    np.testing.assert_allclose(low32[ok], low64[ok], rtol=100 * EPS32)
    # T0 = 0.02, 0.011: Rs0 ~ e^{-1/T0} (and its square, in the gradient) leave float32's
    # range: a DomainError naming T0 (float64, whose t0_min is 2.97e-3, gives values)
    for T0_low in (0.02, 0.011):
        key = f"rf.surface_resistance_ratio (low T0 = {T0_low})"
        assert not isinstance(f64[key], str), f64[key]
        assert "argument 'T0'" in f32[key] and "underflow" in f32[key], f32[key]


@pytest.mark.slow
def test_float32_rf_fit_alpha():
    """fit_alpha in float32 reaches float64's alpha well inside one standard error."""
    f64, f32 = _run_rf("fits")
    for key in ("rf.fit_alpha",):
        varying = np.array(f64[key + " stderr"]) > 0  # T0 is fixed (stderr 0)
        d = (np.array(f32[key]) - f64[key])[varying] / np.array(f64[key + " stderr"])[varying]
        print(key, "float32 - float64 in stderr units:", d, f32[key + " success"])
        print("chi2 float64, float32:", f64[key + " chi2"], f32[key + " chi2"])
        assert f32[key + " success"]
        # measured 1.3e-3 stderr (float32 model rounding ~1e-5 moves alpha by ~1e-5)
        assert np.all(np.abs(d) < 0.01), key
