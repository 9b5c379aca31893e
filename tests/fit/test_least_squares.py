"""Core least-squares behaviour: recovery, weights, bounds, fixed parameters, complex and
pytree residuals, batched fits, covariance against closed forms and lmfit."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dissipax.fit import FitResult, Parameter, least_squares


def line(x, a, b):
    return a + b * x


def insulator(T, sigma_QF, sigma_0, E_a):
    # failed-insulator law, Zhang, Palevski & Kapitulnik (2022) Eq. (1)
    return 1.0 / (sigma_QF + sigma_0 * jnp.exp(-E_a / T))


def lorentz(w, A, tau):
    # Drude response, complex (e^{-iωt} convention)
    return A / (1.0 - 1j * w * tau)


T = np.linspace(0.05, 1.5, 60)
TRUE = dict(sigma_QF=1e-4, sigma_0=2e-3, E_a=0.5)
START = dict(
    sigma_QF=Parameter(3e-4, min=0), sigma_0=Parameter(1e-3, min=0), E_a=Parameter(1.0, min=0)
)


def test_linear_fit_matches_weighted_normal_equations():
    # a linear model has an exact solution: the weighted normal equations (independent
    # reference); covariance (AᵀWA)⁻¹ with scale_covar=False, times redchi with True.
    rng = np.random.default_rng(1)
    x = np.linspace(-1, 2, 25)
    s = 0.05 + 0.1 * rng.random(25)
    y = 0.3 - 1.7 * x + s * rng.standard_normal(25)
    A = np.stack([np.ones_like(x), x], 1) / s[:, None]
    coef, *_ = np.linalg.lstsq(A, y / s, rcond=None)
    cov = np.linalg.inv(A.T @ A)
    chi2 = np.sum((A @ coef - y / s) ** 2)
    r = least_squares(line, {"a": 1.0, "b": 1.0}, x, y, sigma=s, scale_covar=False)
    assert r.success, r.message
    # 1e-10: the LM tolerances are 1e-10 and the problem is exactly quadratic
    np.testing.assert_allclose([r.params["a"], r.params["b"]], coef, rtol=1e-10)
    np.testing.assert_allclose(r.covariance, cov, rtol=1e-10)
    np.testing.assert_allclose(r.chi2, chi2, rtol=1e-10)
    assert r.ndata == 25 and r.nvary == 2
    np.testing.assert_allclose(r.redchi, chi2 / 23, rtol=1e-10)
    r2 = least_squares(line, {"a": 1.0, "b": 1.0}, x, y, sigma=s)  # scale_covar=True
    np.testing.assert_allclose(r2.covariance, cov * chi2 / 23, rtol=1e-10)
    np.testing.assert_allclose(r2.stderr["b"], np.sqrt(cov[1, 1] * chi2 / 23), rtol=1e-10)
    corr = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    np.testing.assert_allclose(r2.correlation[0, 1], corr, rtol=1e-10)


def test_recovers_insulator_parameters_with_noise():
    rng = np.random.default_rng(0)
    y0 = np.asarray(insulator(T, **TRUE))
    y = y0 * (1 + 0.01 * rng.standard_normal(T.size))
    r = least_squares(insulator, START, T, y, sigma=0.01 * y0)
    assert isinstance(r, FitResult) and r.success, r.message
    for k, v in TRUE.items():
        # within 4 stderr of the truth (a 1e-4 chance per parameter for Gaussian errors)
        assert abs(r.params[k] - v) < 4 * r.stderr[k], (k, r.params[k], r.stderr[k])
    assert 0.5 < r.redchi < 1.6  # chi2/58 for 58 dof: 99.9% interval
    assert r.param_names == ("sigma_QF", "sigma_0", "E_a")
    assert "converged" in r.message


def offset_line(x, c, b):
    return c + b * x


def test_bounds_respected_and_pinned_parameter_reported():
    # the data want a negative offset c, but c >= 0: the fit must stop at c = 0, report the
    # pinned parameter, give it a NaN stderr, and fit b as if c were fixed on the bound,
    # whose closed form is b* = sum(x (y - c_bound)) / sum(x^2).
    x = np.linspace(0, 1, 30)
    y = -0.5 + 2.0 * x
    for par, c_bound in ((Parameter(1.0, min=0.0), 0.0), (Parameter(0.5, min=0.1, max=2.0), 0.1)):
        r = least_squares(offset_line, {"c": par, "b": 1.0}, x, y, sigma=0.1)
        assert r.success, r.message
        assert "converged on a bound" in r.message
        assert c_bound <= r.params["c"] < c_bound + 1e-6
        assert np.isnan(r.stderr["c"])
        assert "ended at a bound" in r.message and "c" in r.message
        b_star = np.sum(x * (y - c_bound)) / np.sum(x**2)
        # c sits within 1e-6 of the bound: b moves by that times sum(x)/sum(x^2) ~ 1.5
        np.testing.assert_allclose(r.params["b"], b_star, rtol=1e-5)
        # stderr of b with c fixed: sqrt(redchi / sum(x^2/sigma^2))
        se = np.sqrt(r.redchi / np.sum(x**2 / 0.1**2))
        np.testing.assert_allclose(r.stderr["b"], se, rtol=1e-5)


def test_fixed_parameters_untouched():
    rng = np.random.default_rng(2)
    y0 = np.asarray(insulator(T, **TRUE))
    y = y0 * (1 + 0.01 * rng.standard_normal(T.size))
    pars = dict(START, E_a=Parameter(0.47, vary=False))
    r = least_squares(insulator, pars, T, y, sigma=0.01 * y0)
    assert r.params["E_a"] == 0.47
    assert r.stderr["E_a"] == 0.0
    assert r.param_names == ("sigma_QF", "sigma_0") and r.covariance.shape == (2, 2)
    assert r.nvary == 2


def test_complex_residual_equals_stacked_real_fit_and_pytree_fit():
    rng = np.random.default_rng(3)
    w = np.linspace(0.0, 5.0, 40)
    y = lorentz(w, 2.0, 0.7) + 0.02 * (rng.standard_normal(40) + 1j * rng.standard_normal(40))
    y = np.asarray(y)
    p = {"A": Parameter(1.0, min=0), "tau": Parameter(0.3, min=0)}
    rc = least_squares(lorentz, p, w, y, sigma=0.02)

    # the same problem written as a real vector (real parts then imaginary parts)
    def stacked(w, A, tau):
        return jnp.concatenate(
            [
                jnp.real(lorentz(w, A, tau)),
                jnp.imag(lorentz(w, A, tau)),
            ]
        )

    rr = least_squares(stacked, p, w, np.concatenate([y.real, y.imag]), sigma=0.02)

    # and as a pytree (joint fit of two real observables sharing parameters)
    def tup(w, A, tau):
        return (jnp.real(lorentz(w, A, tau)), jnp.imag(lorentz(w, A, tau)))

    rt = least_squares(tup, p, w, (y.real, y.imag), sigma=(0.02 * np.ones(40), 0.02))
    assert rc.ndata == rr.ndata == rt.ndata == 80
    for r in (rr, rt):
        # same chi2 surface and same iterations up to round-off
        for k in p:
            np.testing.assert_allclose(rc.params[k], r.params[k], rtol=1e-9)
            np.testing.assert_allclose(rc.stderr[k], r.stderr[k], rtol=1e-7)
        np.testing.assert_allclose(rc.chi2, r.chi2, rtol=1e-9)
    assert abs(rc.params["tau"] - 0.7) < 4 * rc.stderr["tau"]


def test_batch_x_and_per_fit_starts():
    rng = np.random.default_rng(5)
    X = np.sort(rng.uniform(0.05, 1.5, (4, 50)), axis=1)
    E = np.array([0.3, 0.5, 0.7, 0.9])
    Y = np.stack([insulator(X[i], 1e-4, 2e-3, E[i]) for i in range(4)])
    pars = dict(START, E_a=Parameter(E * 1.3, min=0))
    r = least_squares(insulator, pars, X, Y, sigma=0.01 * Y, batched=True, batch_x=True)
    assert np.all(r.success), r.message
    # noiseless data: recovered to the solver tolerance (rtol=1e-10) times conditioning
    np.testing.assert_allclose(r.params["E_a"], E, rtol=1e-7)
    np.testing.assert_allclose(r.init_params["E_a"], E * 1.3)


def test_lmfit_covariance_agreement():
    lmfit = pytest.importorskip("lmfit")
    rng = np.random.default_rng(6)
    y0 = np.asarray(insulator(T, **TRUE))
    s = 0.01 * y0
    y = y0 * (1 + 0.01 * rng.standard_normal(T.size))

    def f(T, sigma_QF, sigma_0, E_a):
        return 1.0 / (sigma_QF + sigma_0 * np.exp(-E_a / T))

    for bounded in (False, True):
        lp = lmfit.Parameters()
        for k, v in (("sigma_QF", 3e-4), ("sigma_0", 1e-3), ("E_a", 1.0)):
            lp.add(k, value=v, min=0 if bounded else -np.inf)
        lr = lmfit.minimize(lambda p: (f(T, **p.valuesdict()) - y) / s, lp, xtol=1e-14, ftol=1e-14)
        ours = START if bounded else {k: float(v.value) for k, v in START.items()}
        r = least_squares(insulator, ours, T, y, sigma=s)
        assert lr.success and r.success
        names = list(lr.var_names)
        assert names == list(r.param_names)
        # 1e-3 relative (the bar); lmfit's Jacobian is a forward difference
        np.testing.assert_allclose(r.covariance, lr.covar, rtol=1e-3)
        for k in names:
            np.testing.assert_allclose(r.params[k], lr.params[k].value, rtol=1e-6)
            np.testing.assert_allclose(r.stderr[k], lr.params[k].stderr, rtol=1e-3)
        np.testing.assert_allclose(r.chi2, lr.chisqr, rtol=1e-8)


@pytest.fixture(scope="module")
def noise_draws():
    """256 noisy copies of one insulator curve, fitted in one batched call."""
    rng = np.random.default_rng(7)
    y0 = np.asarray(insulator(T, **TRUE))
    s = 0.01 * y0
    Y = y0 + s * rng.standard_normal((256, T.size))
    return Y, s, least_squares(insulator, START, T, Y, sigma=s, batched=True)


def test_pulls_calibrated_over_noise_draws(noise_draws):
    # 256 noise draws in one batched call: the pulls (fit - true)/stderr of every parameter
    # must have a standard deviation within 0.85-1.15 (the bar; the sampling error
    # of a std over 256 draws is ~4.4%, so 0.85-1.15 is a >3-sigma band).
    _, _, r = noise_draws
    assert np.all(r.success)
    for k, v in TRUE.items():
        pull = (r.params[k] - v) / r.stderr[k]
        assert 0.85 < np.std(pull) < 1.15, (k, np.std(pull))
        assert abs(np.mean(pull)) < 0.25  # unbiased within 4 standard errors of the mean


def test_batched_equals_one_by_one(noise_draws):
    Y, s, rb = noise_draws
    assert rb.batched and len(rb) == 256 and rb.success.shape == (256,)
    for i in (0, 1, 100, 255):
        ri = least_squares(insulator, START, T, Y[i], sigma=s)
        # the vmapped loop freezes converged fits: identical iterations up to round-off
        for k in TRUE:
            np.testing.assert_allclose(rb.params[k][i], ri.params[k], rtol=1e-9)
            np.testing.assert_allclose(rb.stderr[k][i], ri.stderr[k], rtol=1e-7)
        np.testing.assert_allclose(rb.chi2[i], ri.chi2, rtol=1e-9)
        assert rb[i].success == ri.success
        np.testing.assert_allclose(rb[i].covariance, ri.covariance, rtol=1e-7)
        # the step count may differ by one (round-off at the termination test)
        assert rb[i].message.startswith("converged") and ri.message.startswith("converged")


def strict_lorentz(w, A, tau):
    # lorentz() written without implicit real -> complex promotion
    wt = w * tau
    num = jax.lax.complex(A * jnp.ones_like(wt), jnp.zeros_like(wt))
    return num / jax.lax.complex(jnp.ones_like(wt), -wt)


def test_works_under_strict_dtype_promotion(strict_promotion):
    # complex data, real sigma, bounds, a batch: no implicit dtype promotion in the engine
    w = np.linspace(0.0, 5.0, 40)
    Y = np.stack([np.asarray(lorentz(w, 2.0, 0.7)), np.asarray(lorentz(w, 1.0, 0.4))])
    p = {"A": Parameter(1.5, min=0), "tau": Parameter(0.5, min=0, max=10)}
    r = least_squares(strict_lorentz, p, w, Y, sigma=0.02, batched=True)
    assert np.all(r.success), r.message
    # noiseless data: exact recovery up to the solver tolerance
    np.testing.assert_allclose(r.params["tau"], [0.7, 0.4], rtol=1e-8)


def test_take_and_with_rows_move_whole_fits():
    """``take`` extracts fits of a batch; ``with_rows`` puts re-fitted rows back whole."""
    x = np.linspace(0.0, 1.0, 8)
    Y = np.stack([2.0 * x + 1.0, -x + 0.5, 3.0 * x])
    a = least_squares(line, {"a": 0.0, "b": 0.0}, x, Y, sigma=0.1, batched=True)
    b = least_squares(line, {"a": 1.0, "b": 1.0}, x, Y[::-1], sigma=0.1, batched=True)
    sub = b.take([2, 0])
    assert len(sub) == 2 and sub.message == [b.message[2], b.message[0]]
    for i, j in ((0, 2), (1, 0)):
        assert sub[i].params == b[j].params and sub[i].chi2 == b[j].chi2
        np.testing.assert_array_equal(sub[i].covariance, b[j].covariance)
    a0 = a[0].params
    out = a.with_rows([0, 2], sub, "(retried)", keep_extra=("best_start",))
    # rows 0 and 2 now hold b's fits 2 and 0 (the data of a's rows 0 and 2), row 1 is a's
    for i, j in ((0, 2), (2, 0)):
        assert out[i].params == b[j].params and out[i].init_params == b[j].init_params
        assert out[i].stderr == b[j].stderr and out[i].success == b[j].success
        np.testing.assert_array_equal(out[i].correlation, b[j].correlation)
        assert out.message[i] == f"(retried) {b.message[j]}"
        assert out.extra["nsteps"][i] == b.extra["nsteps"][j]
    assert out[1].params == a[1].params and out.message[1] == a.message[1]
    np.testing.assert_array_equal(out.extra["best_start"], a.extra["best_start"])
    assert a[0].params == a0 and a[0].init_params != out[0].init_params  # a is unchanged
    with pytest.raises(TypeError, match="batched"):
        a[0].take([0])
