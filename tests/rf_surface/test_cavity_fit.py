"""fit_cavity / compare_models on synthetic ramps generated INDEPENDENTLY of the fit model.

The synthetic Rs is computed here with NumPy and SciPy only: the BCS temperature and
frequency scaling from ``scipy_reference.sigma1_mattis_bardeen`` (quad), the trapped-flux
sensitivity from the finite-difference string solution of ``test_losses``.
"""

import numpy as np
import pytest

from dissipax import units
from dissipax.rf import scipy_reference as ref
from dissipax.rf.cavity_data import Ramp
from dissipax.rf.cavity_fit import compare_models, fit_cavity
from dissipax.rf.losses import QSlope, TrappedFlux

from .test_losses import _segment_sensitivity_bvp

B_GRID = np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0])
T_GRID = np.linspace(2.27, 2.22, B_GRID.size)  # the bath drift of the 389 MHz ramp


def _scale(T, f, f_ref=389e6, d0=17.5):
    w, w_ref = units.hz_to_kelvin(f) / d0, units.hz_to_kelvin(f_ref) / d0
    s_ref = ref.sigma1_mattis_bardeen(float(w_ref), 2.0 / d0)
    return np.array([(w / w_ref) ** 2 * ref.sigma1_mattis_bardeen(w, t / d0) / s_ref for t in T])


def _synthetic(n, rng, f=389e6, with_qslope=True):
    S = _segment_sensitivity_bvp(f, 100.0, 300.0)  # Ω/T
    scale = _scale(T_GRID, f)
    truth, ramps = [], []
    for i in range(n):
        p = {"B_trap_uT": rng.uniform(0.5, 3.0), "kappa_per_mT": rng.uniform(0.003, 0.02)}
        rs = 1e-6 * p["B_trap_uT"] * S * (1 + p["kappa_per_mT"] * B_GRID)
        if with_qslope:
            p["Rq_nOhm"] = rng.uniform(5.0, 50.0)
            rs = rs + 1e-9 * p["Rq_nOhm"] * scale * (B_GRID / 200.0) ** 2
        y = rs * (1 + 0.02 * rng.standard_normal(rs.size))
        ramps.append(Ramp("synthetic", f, "syn", "", "HWR", 0, i, B_GRID.copy(), y, T_GRID.copy()))
        truth.append(p)
    return ramps, truth


def test_default_model_recovers_independent_synthetic_ramps():
    """Default start, no retries: every fit converges; pulls are calibrated."""
    rng = np.random.default_rng(7)
    ramps, truth = _synthetic(12, rng)
    res = fit_cavity(ramps)  # default model QSlope + TrappedFlux, default start
    assert res.all_converged, res.message
    pulls = []
    for i, p in enumerate(truth):
        for k, v in p.items():
            pulls.append((res.params[k][i] - v) / res.stderr[k][i])
    pulls = np.asarray(pulls)
    assert np.all(np.isfinite(pulls))
    # 36 pulls: mean within 4/√36 of 0, spread within [0.5, 1.6] of 1 (calibrated errors)
    assert abs(np.mean(pulls)) < 4 / np.sqrt(pulls.size), pulls
    assert 0.5 < np.std(pulls) < 1.6, pulls
    assert np.all(np.abs(pulls) < 5), pulls
    np.testing.assert_array_less(res.redchi, 3.0)


@pytest.mark.slow
def test_comparison_picks_the_generating_model():
    rng = np.random.default_rng(11)
    cands = {"TrappedFlux": TrappedFlux(), "QSlope + TrappedFlux": QSlope() + TrappedFlux()}
    for with_q, want in ((True, "QSlope + TrappedFlux"), (False, "TrappedFlux")):
        ramps, _ = _synthetic(4, rng, with_qslope=with_q)
        table = compare_models(ramps, cands, loro=False)
        assert table.best == want, table.table()


@pytest.mark.slow
def test_default_start_convergence_study_200_ramps():
    """>= 99 % of 200 synthetic ramps over the documented ranges converge from the default start."""
    rng = np.random.default_rng(3)
    ramps, truth = _synthetic(200, rng)
    res = fit_cavity(ramps)
    assert np.mean(res.success) >= 0.99, np.mean(res.success)
    pulls = np.concatenate(
        [(res.params[k] - np.array([p[k] for p in truth])) / res.stderr[k] for k in truth[0]]
    )
    assert 0.8 < np.std(pulls[np.isfinite(pulls)]) < 1.25
