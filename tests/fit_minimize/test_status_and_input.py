"""minimize: failures reported with a reason (never a silent NaN), and input validation."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from dissipax import DomainError
from dissipax.fit import FitError, Gaussian, LogNormal, Parameter, StudentT, minimize, priors


def line(x, c, b):
    return c + b * x


def bowl(p):
    return (p["a"] - 3.0) ** 2 + 0.5 * (p["b"] + 1.0) ** 2


def quartic(p):
    return (p["a"] - 3.0) ** 4


def saddle(p):
    return p["a"] ** 2 - p["b"] ** 2


def nan_beyond_two(p):
    # finite for a <= 2 only: a first-order method with a large step walks into the NaN
    return (p["a"] - 3.0) ** 2 + jnp.where(p["a"] > 2.0, jnp.nan, 0.0)


def noisy_values(p):
    # a smooth objective whose values carry 1e-10 of noise the gradient does not see (as
    # from a coarse quadrature): near the minimum the line search finds no decrease
    d = p["a"] - 3.0
    return d**2 + 0.1 * d**4 + 1e-10 * jnp.sin(1e9 * jax.lax.stop_gradient(p["a"]))


X = np.linspace(0.0, 1.0, 20)


def test_generic_objective_exact_minimum_and_hessian_errors():
    r = minimize(bowl, {"a": 0.0, "b": 0.0})
    assert r.success, r.message
    # the exact minimum (1e-9: the gradient tolerance on a unit-curvature bowl)
    np.testing.assert_allclose([r.params["a"], r.params["b"]], [3.0, -1.0], rtol=1e-9)
    # objective read as -log L: H = diag(2, 1) -> covariance diag(1/2, 1)
    np.testing.assert_allclose(r.covariance, np.diag([0.5, 1.0]), rtol=1e-9, atol=1e-12)
    assert np.isnan(r.chi2) and np.isnan(r.redchi) and r.ndata == 0
    # errors=None: no uncertainties, said so
    r0 = minimize(bowl, {"a": 0.0, "b": 0.0}, errors=None)
    assert np.all(np.isnan(r0.covariance)) and "errors=None" in r0.message


def test_max_steps_failure_is_reported_not_raised():
    r = minimize(quartic, {"a": 1.0}, max_steps=3)
    assert r.success is False
    assert "max_steps=3" in r.message and "raise max_steps" in r.message
    assert np.isfinite(r.params["a"]) and np.isfinite(r.extra["objective"])  # last iterate
    with pytest.raises(FitError, match="max_steps=3"):
        minimize(quartic, {"a": 1.0}, max_steps=3, throw=True)


def test_nonfinite_during_the_run_keeps_the_last_finite_point():
    r = minimize(nan_beyond_two, {"a": 1.0}, method="adam", learning_rate=0.5)
    assert r.success is False
    assert "NaN or inf" in r.message and "lower the learning rate" in r.message
    assert np.isfinite(r.params["a"]) and r.params["a"] <= 2.0


def test_saddle_is_not_a_minimum():
    # the gradient vanishes at the start, but the Hessian is indefinite
    r = minimize(saddle, {"a": 0.0, "b": 0.0})
    assert r.success is False
    assert "not a minimum" in r.message and "cannot separate" not in r.message
    assert np.all(np.isnan(r.covariance))


def test_stalled_line_search_reported():
    r = minimize(noisy_values, {"a": 0.0})
    assert r.success is False
    assert "stopped making progress" in r.message and "noisy" in r.message
    assert r.extra["nsteps"] < 1000  # stopped, not run to max_steps
    # the point is still the minimum to the resolution the noise allows (sqrt(1e-10))
    assert abs(r.params["a"] - 3.0) < 1e-4


def test_degenerate_parameters_singular_message():
    # only a*b is determined: a valley of minima, singular Hessian
    y = 2 * X
    r = minimize(Gaussian(lambda x, a, b: a * b * x, X, y, 0.1), {"a": 1.0, "b": 1.0})
    np.testing.assert_allclose(r.params["a"] * r.params["b"], 2.0, rtol=1e-6)
    assert np.all(np.isnan(r.covariance)) and "singular" in r.message


def test_batched_failures_reported_per_fit():
    def sqrt_model(x, a, b):
        return b * jnp.sqrt(a - x)

    y = np.sqrt(1.5 - X) * 2
    Y = np.stack([y, y, y])
    a0 = np.array([1.2, 0.5, 1.3])  # the middle fit starts outside the domain
    r = minimize(Gaussian(sqrt_model, X, Y, 0.01), {"a": Parameter(a0), "b": 1.0}, batched=True)
    np.testing.assert_array_equal(r.success, [True, False, True])
    assert "not finite at the starting values" in r.message[1] and "a=0.5" in r.message[1]
    assert "converged" in r.message[0]
    np.testing.assert_allclose(r.params["a"][[0, 2]], 1.5, rtol=1e-7)
    assert "[[Failed fits]] (1)" in r.report()
    with pytest.raises(FitError, match="1 of 3 fits failed"):
        minimize(
            Gaussian(sqrt_model, X, Y, 0.01),
            {"a": Parameter(a0), "b": 1.0},
            batched=True,
            throw=True,
        )


GOOD = dict(objective=Gaussian(line, X, 2 * X, 0.1), params={"c": 1.0, "b": 1.0})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(method="newton"), "argument 'method' must be one of"),
        (dict(method=3), "argument 'method' must be one of"),
        (dict(learning_rate=0.1), "L-BFGS chooses its steps by line search"),
        (dict(method="adam", learning_rate=-1.0), "argument 'learning_rate' must be > 0"),
        (dict(method=optax.adam(0.1), learning_rate=0.1), "carries its own learning rate"),
        (dict(gtol=0.0), "argument 'gtol' must be > 0"),
        (dict(gtol=np.nan), "argument 'gtol' must be finite"),
        (dict(max_steps=0), "max_steps"),
        (dict(max_steps=2.5), "max_steps"),
        (dict(errors="bootstrap"), "argument 'errors' must be one of"),
        (dict(objective=bowl, params={"a": 0.0, "b": 0.0}, errors="fisher"), "built-in likel"),
        (dict(data=np.ones(3)), "a likelihood holds its data"),
        (dict(objective=bowl, params={"a": 0.0, "b": 0.0}, batched=True), "needs data"),
        (
            dict(objective=lambda p, d: p["a"] * d, params={"a": 1.0}, data=np.ones(3)),
            "must return a real scalar",
        ),
        (dict(objective=lambda p: p["zz"], params={"a": 1.0}), "objective\\(p\\) failed"),
        (
            dict(objective=lambda p, d: p["a"], params={"a": 1.0}, data=np.r_[np.nan, 1.0]),
            "argument 'data' must be finite",
        ),
        (dict(objective="bowl"), "argument 'objective' must be callable"),
        (dict(objective=bowl, params={"a": 0.0, "b": 0.0}, batch_x=True), "batch_x is for"),
        (dict(params={}), "non-empty dict"),
        (
            dict(params={"c": Parameter(1.0, vary=False), "b": Parameter(1.0, vary=False)}),
            "no parameter varies",
        ),
        (dict(objective=Gaussian(line, X, np.r_[np.nan, X[1:]], 0.1)), "'y' must be finite"),
        (dict(objective=Gaussian(line, X, X, -1.0)), "'sigma' must be > 0"),
        (dict(objective=LogNormal(line, X, X, 0.1)), "log-normal likelihood needs y > 0"),
        (
            dict(objective=LogNormal(lambda x, c, b: (c + b * x) * (1 + 1j), X, 1 + X + 0j, 0.1)),
            "needs real data",
        ),
        (dict(priors={"zz": priors.Normal(0, 1)}), "priors: unknown parameter 'zz'"),
        (
            dict(params={"c": Parameter(1.0, vary=False), "b": 1.0}, priors={"c": priors.Flat()}),
            "is fixed",
        ),
        (dict(priors={"b": priors.Uniform(2.0, 3.0)}), "zero density under its prior"),
        (dict(priors={"b": "normal"}), "must be a dissipax.fit prior"),
        (dict(priors=[1]), "argument 'priors' must be a dict"),
        (
            dict(objective=Gaussian(line, X, 2 * X), params={"c": 1.0, "b": 1.0, "noise": -1.0}),
            "give it min >= 0",
        ),
        (
            dict(objective=Gaussian(line, X, 2 * X), params={"noise": 1.0}),
            "params holds only 'noise'",
        ),
    ],
)
def test_bad_input_raises_domain_error_before_tracing(kwargs, match):
    args = {**GOOD, **kwargs}
    with pytest.raises(DomainError, match=match):
        minimize(args.pop("objective"), args.pop("params"), **args)


def test_bad_likelihood_construction():
    with pytest.raises(DomainError, match="argument 'nu' must be > 0"):
        StudentT(line, X, X, nu=0.0)
    with pytest.raises(DomainError, match="argument 'model' must be callable"):
        Gaussian("line", X, X)
    with pytest.raises(DomainError, match="argument 'scale' must be > 0"):
        priors.Normal(0.0, -1.0)
    with pytest.raises(DomainError, match="high > low"):
        priors.Uniform(1.0, 0.5)
