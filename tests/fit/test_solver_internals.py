"""The solver's internals: the damped Gauss-Newton step and Levenberg–Marquardt itself.

The damped step must be what LAPACK's least squares computes for the augmented system; the
solver's iterates must not depend on the batch a fit runs in, and its optimum must agree
with an independent solver (SciPy's MINPACK Levenberg–Marquardt).
"""

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize

from dissipax.fit import Parameter, least_squares
from dissipax.fit.solvers import damped_step


def insulator(T, sigma_QF, sigma_0, E_a):
    # failed-insulator law, Zhang, Palevski & Kapitulnik (2022) Eq. (1)
    return 1.0 / (sigma_QF + sigma_0 * jnp.exp(-E_a / T))


def _curves(n, seed=3):
    rng = np.random.default_rng(seed)
    T = np.linspace(0.05, 1.5, 60)
    sqf = 10 ** rng.uniform(np.log10(3e-5), np.log10(3e-4), n)
    s0 = 10 ** rng.uniform(-3, -2, n)
    ea = rng.uniform(0.2, 1.0, n)
    y0 = 1.0 / (sqf[:, None] + s0[:, None] * np.exp(-ea[:, None] / T))
    return T, y0 * (1 + 0.01 * rng.standard_normal(y0.shape)), 0.01 * y0


START = {"sigma_QF": 1e-4, "sigma_0": 3e-3, "E_a": 0.5}


@pytest.mark.parametrize("cond", [1e1, 1e6])
def test_damped_step_matches_lapack_lstsq(cond):
    # independent reference: numpy's LAPACK least squares of the augmented system
    # [J; sqrt(d)] delta = [-r; 0]; a backward-stable QR solve has a relative error
    # ~ cond * eps, so 1e-13 * cond is a safe bound (not cond**2 * eps, which is what the
    # normal equations would give)
    rng = np.random.default_rng(0)
    for n in (1, 3, 7, 14):  # 14 > MAX_UNROLLED: the Householder path
        u, _ = np.linalg.qr(rng.standard_normal((40, n)))
        v, _ = np.linalg.qr(rng.standard_normal((n, n)))
        a = u @ np.diag(np.logspace(0, -np.log10(cond), n)) @ v.T
        r = rng.standard_normal(40)
        d = 10.0 ** rng.uniform(-8, -2, n)
        x = damped_step(jnp.asarray(a), jnp.asarray(r), jnp.asarray(d))
        aug = np.concatenate([a, np.diag(np.sqrt(d))])
        ref = np.linalg.lstsq(aug, np.concatenate([-r, np.zeros(n)]), rcond=None)[0]
        np.testing.assert_allclose(x, ref, rtol=1e-13 * cond, atol=1e-13 * cond)


def test_optimum_agrees_with_minpack():
    # SciPy's MINPACK LM (lmfit's engine) on the same weighted residual, in physical
    # parameters: the optimum of a well-posed fit is the same point to the float64
    # resolution of a least-squares optimum (~sqrt(eps) relative)
    T, y, sigma = _curves(6)
    params = {k: Parameter(v, min=0.0) for k, v in START.items()}
    res = least_squares(insulator, params, T, y, sigma, batched=True)
    assert np.all(res.success)
    for i in range(6):

        def resid(p, i=i):
            return (1.0 / (p[0] + p[1] * np.exp(-p[2] / T)) - y[i]) / sigma[i]

        ref = scipy.optimize.least_squares(
            resid, list(START.values()), method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15
        )
        got = [res.params[k][i] for k in START]
        np.testing.assert_allclose(got, ref.x, rtol=1e-6)
        # chi2: the Cauchy test stops once a step changes chi2 by < rtol*chi2 (1e-10), and
        # near the optimum chi2 converges linearly-to-quadratically from above: 1e-9
        np.testing.assert_allclose(res.chi2[i], 2 * ref.cost, rtol=1e-9)


def test_iterates_do_not_depend_on_the_batch():
    # the same fits in one batch of 24 and one by one: equal to rounding (1e-12), and with
    # a step limit that only some fits meet, the failures are the same
    T, y, sigma = _curves(24, seed=5)
    params = {k: Parameter(v, min=0.0) for k, v in START.items()}
    wide = least_squares(insulator, params, T, y, sigma, batched=True, max_steps=7)
    assert 0 < np.sum(~wide.success) < 24  # both outcomes present
    assert all("max_steps=7" in m for m, ok in zip(wide.message, wide.success) if not ok)
    for i in (0, 5, 11, 23):
        one = least_squares(insulator, params, T, y[i], sigma[i], max_steps=7)
        assert one.success == wide.success[i]
        np.testing.assert_allclose(one.chi2, wide.chi2[i], rtol=1e-12)
        for k in START:
            np.testing.assert_allclose(one.params[k], wide.params[k][i], rtol=1e-12)
            np.testing.assert_allclose(one.stderr[k], wide.stderr[k][i], rtol=1e-9)


@pytest.mark.parametrize("n", [1, 3, 6])
def test_normal_step_matches_a_direct_solve(n):
    # the loop's damped step by the normal equations: (JᵀJ + diag(d)) δ = -Jᵀr against
    # numpy's LAPACK solve of the same system (the unrolled Cholesky, element-wise)
    from dissipax.fit.solvers import gram, normal_step

    rng = np.random.default_rng(n)
    a = rng.standard_normal((40, n))
    r = rng.standard_normal(40)
    d = 10.0 ** rng.uniform(-6, -1, n)
    h, g, f = gram(jnp.asarray(a), jnp.asarray(r))
    np.testing.assert_allclose(h, a.T @ a, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(g, a.T @ r, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(f, r @ r, rtol=1e-14)
    x = normal_step(h, g, jnp.asarray(d))
    ref = np.linalg.solve(a.T @ a + np.diag(d), -(a.T @ r))
    np.testing.assert_allclose(x, ref, rtol=1e-11, atol=1e-13)
    # not positive definite: a non-finite step (the solver never takes it)
    assert not np.all(np.isfinite(normal_step(-jnp.eye(n), jnp.ones(n), jnp.zeros(n))))


def test_information_screen_decides_as_the_eigendecomposition():
    # the Cholesky screen of normalized_information skips eigh only where the eigenvalue
    # test cannot fail: every decision, inverse and pseudo-inverse equals the unscreened one
    from dissipax.fit.lm import inverse_information, normalized_information

    rng = np.random.default_rng(0)
    mats, pins = [], []
    for k in range(400):
        n = 3
        u, _ = np.linalg.qr(rng.standard_normal((n, n)))
        w = 10.0 ** rng.uniform(-16, 2, n)  # from clearly singular to well conditioned
        scales = 10.0 ** rng.uniform(-5, 5, n)
        m = scales[:, None] * (u * w) @ u.T * scales[None, :]
        if k % 50 == 0:
            m[1, :] = m[:, 1] = 0.0  # a parameter without effect
        if k % 70 == 0:
            m[0, 0] = np.nan
        mats.append(m)
        pins.append(rng.random(n) < 0.1)
    a, pin = np.stack(mats), np.stack(pins)
    plain = normalized_information(a, pin)
    fast = normalized_information(a, pin, screened=True)
    assert np.isnan(fast.lowest).any() and not np.isnan(plain.lowest[plain.finite]).all()
    np.testing.assert_array_equal(fast.singular, plain.singular)
    inv_p, sing_p, _, _ = inverse_information(a, pin, plain)
    inv_f, sing_f, _, _ = inverse_information(a, pin, fast)
    ok = ~sing_p
    # both are inverses of matrices with cond <= 1/(threshold): compare relative to the
    # conditioning of each matrix
    cond = np.linalg.cond(np.where(np.isfinite(fast.pinv), fast.pinv, 0.0))
    for i in np.flatnonzero(ok):
        tol = 1e-14 * max(cond[i], 1.0)
        np.testing.assert_allclose(
            fast.pinv[i], plain.pinv[i], rtol=tol, atol=tol * np.abs(plain.pinv[i]).max()
        )
    assert np.array_equal(np.isnan(inv_f), np.isnan(inv_p))
