"""Rs(T) per field level (the cda.py workflow) on synthetic cool-downs generated with SciPy."""

import numpy as np
import pytest

from dissipax import units
from dissipax.rf import scipy_reference as ref
from dissipax.rf.rs_temperature import fit_rs_vs_temperature

TC = 9.25


def _cooldown(gap_ratio, A_nOhm, R_res_nOhm, T, f=217e6, rng=None):
    d = gap_ratio * TC
    w = float(units.hz_to_kelvin(f)) / d
    s_ref = ref.sigma1_mattis_bardeen(w, 2.0 / d)
    rs = np.array([A_nOhm * ref.sigma1_mattis_bardeen(w, t / d) / s_ref for t in T]) + R_res_nOhm
    return 1e-9 * rs * (1 + 0.01 * rng.standard_normal(T.size))


@pytest.mark.slow  # ~30 s quiet, ~100 s on a loaded 2-core machine (compile with free gap)
def test_gap_ratio_and_residual_recovered_per_field():
    rng = np.random.default_rng(5)
    T = np.linspace(1.6, 4.2, 14)
    truth = [(1.85, 20.0, 6.0), (1.80, 25.0, 7.5), (1.90, 18.0, 9.0)]
    data = [_cooldown(g, a, r, T, rng=rng) for g, a, r in truth]
    res = fit_rs_vs_temperature(
        [T] * 3, data, f_Hz=217e6, Bp_mT=[10.0, 20.0, 30.0], Tc_K=TC, rel_error=0.01
    )
    assert res.fit.all_converged, res.fit.message
    for i, (g, a, r) in enumerate(truth):
        assert abs(res.gap_ratio[i] - g) < 4 * res.gap_ratio_stderr[i] + 1e-12
        assert abs(res.R_res_nOhm[i] - r) < 4 * res.R_res_stderr[i]
        assert abs(res.A_nOhm[i] - a) < 4 * res.A_stderr[i]
        assert 0 < res.gap_ratio_stderr[i] < 0.05


def test_bad_input_is_named():
    T = np.linspace(1.6, 4.2, 5)
    with pytest.raises(Exception, match="one entry per field"):
        fit_rs_vs_temperature([T, T], [T * 1e-9], f_Hz=217e6, Bp_mT=[10.0, 20.0])
    with pytest.raises(Exception, match="T_K\\[0\\]"):
        fit_rs_vs_temperature([T[:2]], [T[:2] * 1e-9], f_Hz=217e6, Bp_mT=[10.0])
