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
from dissipax.rf.losses import QSlope, Residual, TrappedFlux

from .test_losses import _segment_sensitivity_bvp

B_GRID = np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0])
T_GRID = np.linspace(2.27, 2.22, B_GRID.size)  # the bath drift of the 389 MHz ramp


def _scale(T, f, f_ref=389e6, d0=17.5):
    w, w_ref = units.hz_to_kelvin(f) / d0, units.hz_to_kelvin(f_ref) / d0
    s_ref = ref.sigma1_mattis_bardeen(float(w_ref), 2.0 / d0)
    return np.array([(w / w_ref) ** 2 * ref.sigma1_mattis_bardeen(w, t / d0) / s_ref for t in T])


def _synthetic(n, rng, f=389e6, kind="qslope"):
    """Ramps of QSlope + Residual (kind "qslope") or TrappedFlux ("flux"), 2 % noise."""
    scale = _scale(T_GRID, f)
    S = _segment_sensitivity_bvp(f, 100.0, 300.0) if kind == "flux" else None  # Ω/T
    truth, ramps = [], []
    for i in range(n):
        if kind == "qslope":
            p = {"Rq_nOhm": rng.uniform(5.0, 50.0), "R_res_nOhm": rng.uniform(3.0, 30.0)}
            rs = 1e-9 * (p["R_res_nOhm"] + p["Rq_nOhm"] * scale * (B_GRID / 200.0) ** 2)
        else:
            p = {"B_trap_uT": rng.uniform(0.5, 3.0), "kappa_per_mT": rng.uniform(0.003, 0.02)}
            rs = 1e-6 * p["B_trap_uT"] * S * (1 + p["kappa_per_mT"] * B_GRID)
        y = rs * (1 + 0.02 * rng.standard_normal(rs.size))
        ramps.append(Ramp("synthetic", f, "syn", "", "HWR", 0, i, B_GRID.copy(), y, T_GRID.copy()))
        truth.append(p)
    return ramps, truth


def _pulls(res, truth):
    return np.asarray(
        [
            (res.params[k][i] - v) / res.stderr[k][i]
            for i, p in enumerate(truth)
            for k, v in p.items()
        ]
    )


def test_default_model_recovers_independent_synthetic_ramps():
    """Default model and start, no retries: every fit converges; pulls are calibrated."""
    rng = np.random.default_rng(7)
    ramps, truth = _synthetic(16, rng)
    res = fit_cavity(ramps)  # default model QSlope + Residual, automatic start
    assert res.all_converged, res.message
    pulls = _pulls(res, truth)
    assert np.all(np.isfinite(pulls))
    # 32 pulls: mean within 4/sqrt(32) of 0, spread within [0.6, 1.5] (calibrated errors)
    assert abs(np.mean(pulls)) < 4 / np.sqrt(pulls.size), pulls
    assert 0.6 < np.std(pulls) < 1.5, pulls
    assert np.all(np.abs(pulls) < 5), pulls
    np.testing.assert_array_less(res.redchi, 3.0)


@pytest.mark.slow
def test_comparison_picks_the_generating_model():
    rng = np.random.default_rng(11)
    cands = {"QSlope + Residual": QSlope() + Residual(), "TrappedFlux": TrappedFlux()}
    for kind, want in (("qslope", "QSlope + Residual"), ("flux", "TrappedFlux")):
        ramps, _ = _synthetic(4, rng, kind=kind)
        table = compare_models(ramps, cands, loro=False)
        assert table.best == want, table.table()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["qslope", "flux"])
def test_default_start_convergence_study_200_ramps(kind):
    """>= 99 % of 200 synthetic ramps over the documented ranges converge from the default start."""
    rng = np.random.default_rng(3)
    ramps, truth = _synthetic(200, rng, kind=kind)
    model = QSlope() + Residual() if kind == "qslope" else TrappedFlux()
    res = fit_cavity(ramps, model=model)
    assert np.mean(res.success) >= 0.99, np.mean(res.success)
    pulls = _pulls(res, truth)
    assert 0.8 < np.std(pulls[np.isfinite(pulls)]) < 1.25


@pytest.mark.slow
def test_posterior_on_request_agrees_with_least_squares():
    pytest.importorskip("numpyro")
    rng = np.random.default_rng(2)
    ramps, _ = _synthetic(1, rng)
    res = fit_cavity(ramps)
    idata = res.sample(0, num_warmup=200, num_samples=400, progress=False)
    post = idata.posterior
    for k in ("Rq_nOhm", "R_res_nOhm"):
        mean, sd = float(post[k].mean()), float(post[k].std())
        assert abs(mean - res.params[k][0]) < 0.5 * res.stderr[k][0] + 0.5 * sd


@pytest.mark.slow
def test_joint_fit_shares_a_parameter_across_ramps():
    """shared=("Rq_nOhm",): one Q-slope for all ramps, R_res per ramp, truth recovered."""
    rng = np.random.default_rng(4)
    ramps, truth = _synthetic(3, rng)
    rq = 20.0
    scale = _scale(T_GRID, 389e6)
    for r, p in zip(ramps, truth):
        exact = 1e-9 * (p["R_res_nOhm"] + rq * scale * (B_GRID / 200.0) ** 2)
        r.Rs_ohm[:] = exact * (1 + 0.02 * rng.standard_normal(exact.size))
    res = fit_cavity(ramps, shared=("Rq_nOhm",))
    assert res.all_converged, res.message
    assert np.ptp(res.params["Rq_nOhm"]) == 0.0
    assert abs(res.params["Rq_nOhm"][0] - rq) < 4 * res.stderr["Rq_nOhm"][0]
    for i, p in enumerate(truth):
        assert abs(res.params["R_res_nOhm"][i] - p["R_res_nOhm"]) < 4 * res.stderr["R_res_nOhm"][i]
    assert res.nvary == 4


def test_comparison_fits_and_loro_in_one_batch_equal_separate_fits():
    """compare_models' one batched masked fit = per-ramp fits + a joint refit per held-out ramp.

    Rows 0..n-1 of the batch are the per-ramp fits, rows n..2n-1 the leave-one-ramp-out fits
    (every parameter shared by the other ramps); here each is redone on its own and the
    held-out ramp predicted from it.
    """
    rng = np.random.default_rng(21)
    ramps, _ = _synthetic(3, rng)
    for i, r in enumerate(ramps):  # three different bath temperatures: LORO must carry T over
        r.T_K[:] = r.T_K + 0.05 * i
    model = QSlope() + Residual()
    table = compare_models(ramps, {"q": model})
    per_ramp = fit_cavity(ramps, model=model)
    for k in ("Rq_nOhm", "R_res_nOhm"):
        np.testing.assert_allclose(table["q"].params[k], per_ramp.params[k], rtol=1e-6)
        np.testing.assert_allclose(table["q"].stderr[k], per_ramp.stderr[k], rtol=1e-4)
    np.testing.assert_allclose(table["q"].chi2, per_ramp.chi2, rtol=1e-8)
    z2 = []
    for i, held in enumerate(ramps):
        rest = [r for j, r in enumerate(ramps) if j != i]
        joint = fit_cavity(rest, model=model, shared=("Rq_nOhm", "R_res_nOhm"))
        assert joint.all_converged, joint.message
        pred = np.asarray(joint[0].predict(held.Bp_mT, held.T_K))
        z2.append(np.mean(((pred - held.Rs_ohm) / (0.02 * held.Rs_ohm)) ** 2))
    np.testing.assert_allclose(table.loro[0], np.sqrt(np.mean(z2)), rtol=1e-6)
    assert table.loro[0] > 1.0  # different R_res per ramp: the held-out ramps are missed
