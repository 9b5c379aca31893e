import numpy as np
import pytest

from dissipax import units
from dissipax.rf.alpha_fit import fit_alpha, fit_cavity
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
def test_triumf_389MHz_fit_runs_and_reports(dataset):
    ramps = [
        r
        for r in load_rs_vs_bp(dataset("triumf_nb_hwr_rs_vs_bp", "sf_data.csv"))
        if r.f_Hz == 389e6
    ][:3]
    res = fit_cavity(ramps)
    assert len(res) == 3
    assert np.all(np.isfinite(np.asarray(res.params["alpha"])))
    assert np.all(np.asarray(res.params["R_res_nOhm"]) > 0)
