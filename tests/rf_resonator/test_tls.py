"""TLS terms (Gao 2008; Pappas et al. 2011): the digamma form against SciPy and limits."""

import jax
import numpy as np
import pytest
import scipy.special as sp

from dissipax import units
from dissipax.rf.resonator import tls


def test_re_digamma_against_scipy():
    # SciPy's complex psi keeps ~1e-13 here; above y ~ 5 its Re psi - ln y cancels digits
    y = np.array([1e-3, 0.05, 0.3, 1.0, 2.0, 5.0])
    want = sp.psi(0.5 + 1j * y).real - np.log(y)
    np.testing.assert_allclose(np.asarray(tls.re_digamma_half(y)), want, rtol=1e-12)


def test_re_digamma_large_y_asymptotic():
    # Re psi(1/2 + iy) - ln y = -1/(24 y^2) - 7/(960 y^4) + O(y^-6)
    y = np.array([1e2, 1e3, 1e5])
    want = -1 / (24 * y**2) - 7 / (960 * y**4)
    np.testing.assert_allclose(np.asarray(tls.re_digamma_half(y)), want, rtol=1e-8)


def test_limits_and_gradients():
    f = 7.7e9
    assert float(tls.tls_shift(f, 0.0, F_delta_tls=1e-5)) == 0.0
    assert float(tls.tls_loss(f, 0.0, F_delta_tls=1e-5)) == pytest.approx(1e-5)
    # high T (y -> 0): Re psi(1/2 + iy) = psi(1/2) + 7 zeta(3) y^2 + O(y^4)
    T = 50.0
    y = units.h * f / (2 * np.pi * units.k_B * T)
    want = 1e-5 / np.pi * (sp.digamma(0.5) + 7 * sp.zeta(3) * y**2 - np.log(y))
    assert float(tls.tls_shift(f, T, F_delta_tls=1e-5)) == pytest.approx(want, rel=1e-6)
    g = jax.grad(lambda t: tls.tls_shift(f, t, F_delta_tls=1e-5))
    for t in (1e-3, 0.02, 0.1, 1.0):
        assert np.isfinite(float(g(t)))
    assert float(jax.grad(lambda t: tls.tls_shift(f, t, F_delta_tls=1e-5))(0.0)) == 0.0
