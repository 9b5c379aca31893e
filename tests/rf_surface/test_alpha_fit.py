import numpy as np
import pytest

from dissipax import units
from dissipax.rf.alpha_fit import fit_alpha, fit_cavity  # fit_cavity: re-exported
from dissipax.rf.cavity_data import load_rs_vs_bp
from dissipax.rf.surface import surface_resistance_ratio

T0 = 2.0 / 17.5
OMEGA = float(units.frequency_to_gap_units(1.75e9, 17.5))


def test_alpha_recovered_from_noisy_synthetic_curve():
    b = np.linspace(0.05, 0.4, 8)
    y, _ = surface_resistance_ratio(b, OMEGA, T0, 0.91, reading="fig4b")
    noise = 0.01 * np.asarray(y)
    rng = np.random.default_rng(1)
    y_obs = np.asarray(y) + noise * rng.standard_normal(b.size)
    res = fit_alpha(b, y_obs, OMEGA, T0, sigma=noise, alpha=0.5, reading="fig4b")
    assert bool(res.success)
    a, da = float(res.params["alpha"]), float(res.stderr["alpha"])
    assert 0.0 < da < 0.05
    # 1 % noise: the estimate must lie within 4 standard errors of the truth
    assert abs(a - 0.91) < 4 * da


@pytest.mark.slow
def test_triumf_three_modes_default_model_converges_with_plausible_parameters(dataset):
    """Notebook 03's call: every ramp converges from the default start, parameters sane."""
    ramps = load_rs_vs_bp(dataset("triumf_nb_hwr_rs_vs_bp", "sf_data.csv"))
    sel = [next(r for r in ramps if r.f_Hz == f) for f in (389e6, 778e6, 1167e6)]
    res = fit_cavity(sel, f_ref_Hz=389e6)
    assert len(res) == 3
    assert res.all_converged, res.message
    for i in range(3):
        p, e = res[i].params, res[i].stderr
        assert 1.0 < p["R_res_nOhm"] < 30.0  # a residual resistance of a few to ~15 nOhm
        assert 0.0 < p["Rq_nOhm"] < 100.0  # a rising Q-slope, gamma*R_BCS(0) at 389 MHz
        for k in ("Rq_nOhm", "R_res_nOhm"):
            assert np.isfinite(e[k]) and 0 < e[k] < 0.5 * abs(p[k])
        assert res.redchi[i] < 10  # 2 % errors per point
        # the fitted model reproduces the data within 5 % at every point
        pred = np.asarray(res[i].predict(sel[i].Bp_mT, sel[i].T_K))
        np.testing.assert_allclose(pred, sel[i].Rs_ohm, rtol=0.05)
