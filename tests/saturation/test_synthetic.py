"""The labelled synthetic R(T, H) generator follows the paper's trends exactly."""

import numpy as np
import pytest

from dissipax import units
from dissipax.saturation import laws, synthetic


def test_labels_and_power_laws():
    s = synthetic.SyntheticSample()
    H = np.array(synthetic.DEFAULT_FIELDS)
    law = s.law(H)
    assert (law == "superconductor").sum() == 6 and law[5] == "superconductor"  # H = H*
    p = s.params(H)
    sc = law == "superconductor"
    # rho_QF^-1 ∝ H^b and sigma_QF ∝ H^a (log-log slopes exact up to rounding)
    b = np.polyfit(np.log(H[sc]), np.log(1 / p["rho_QF"][sc]), 1)[0]
    a = np.polyfit(np.log(H[~sc]), np.log(p["sigma_QF"][~sc]), 1)[0]
    assert b == pytest.approx(-0.45, abs=1e-12) and a == pytest.approx(-4.7, abs=1e-12)
    # both branches meet at R_Q at H*
    assert s.saturation_resistance(300.0) == pytest.approx(units.R_Q, rel=1e-15)
    assert 1 / (s.R_star**-1 * (300.0 / s.H_star) ** s.a) == pytest.approx(units.R_Q)
    # saturation from kOhm to ~1 MOhm, activation 0.3-0.6 K on the insulating side
    r = s.saturation_resistance(H)
    assert 2e3 < r[0] < 4e3 and 0.8e6 < r[-1] < 1.5e6
    assert np.all((p["E_a"][~sc] >= 0.3) & (p["E_a"][~sc] < 0.6))
    assert np.all(p["E_a"][sc] > 1.0)


def test_generate_is_reproducible_and_labelled():
    a = synthetic.generate(seed=1)
    b = synthetic.generate(seed=1)
    c = synthetic.generate(seed=2)
    assert a.source.startswith("synthetic:")
    for x, y, z in zip(a.rho, b.rho, c.rho):
        np.testing.assert_array_equal(x, y)
        assert not np.array_equal(x, z)
    assert a.truth.law.tolist() == a.truth.sample.law(a.H).tolist()


def test_noise_statistics_and_true_curves():
    s = synthetic.generate(noise=0.01, seed=0, n_T=200)
    truth = s.truth
    z = []
    for i, (h, T, rho, sigma) in enumerate(s):
        law = truth.law[i]
        params = {k: truth.params[k][i] for k in laws.PARAM_NAMES[law]}
        true = np.asarray(laws.resistivity(T, law, **params))
        np.testing.assert_allclose(sigma, 0.01 * true, rtol=1e-15)
        z.append((rho - true) / sigma)
    z = np.concatenate(z)
    # 2800 standard normal draws: mean within 4/sqrt(n), std within ~4 sqrt(1/2n)
    assert abs(z.mean()) < 4 / np.sqrt(z.size)
    assert abs(z.std() - 1) < 4 / np.sqrt(2 * z.size)


def test_bad_arguments():
    with pytest.raises(ValueError, match="R_star"):
        synthetic.SyntheticSample(R_star=-1.0)
    with pytest.raises(ValueError, match="fields"):
        synthetic.generate(fields=(100.0, 100.0))
    with pytest.raises(ValueError, match="n_T"):
        synthetic.generate(n_T=3)
