"""NUTS posteriors through dissipax.fit.sample (NumPyro + ArviZ, the [bayes] extra)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dissipax import DomainError
from dissipax.fit import Parameter, least_squares, sample

numpyro = pytest.importorskip("numpyro")
az = pytest.importorskip("arviz")


def insulator(T, sigma_QF, sigma_0, E_a):
    # failed-insulator law, Zhang, Palevski & Kapitulnik (2022) Eq. (1)
    return 1.0 / (sigma_QF + sigma_0 * jnp.exp(-E_a / T))


def line(x, a, b):
    return a + b * x


T = np.linspace(0.05, 1.5, 60)
TRUE = dict(sigma_QF=1e-4, sigma_0=2e-3, E_a=0.5)


def test_nuts_recovers_three_parameters():
    rng = np.random.default_rng(11)
    y0 = np.asarray(insulator(T, **TRUE))
    s = 0.01 * y0
    y = y0 + s * rng.standard_normal(T.size)
    pars = dict(
        sigma_QF=Parameter(2e-4, min=0.0, max=1e-3),
        sigma_0=Parameter(1e-3, min=0.0, max=1e-2),
        E_a=Parameter(0.8, min=0.05, max=3.0),
    )
    idata = sample(
        insulator,
        pars,
        T,
        y,
        s,
        num_warmup=300,
        num_samples=600,
        key=jax.random.PRNGKey(1),
        progress=False,
    )
    assert isinstance(idata, az.InferenceData)
    post = idata.posterior
    assert set(TRUE) <= set(post.data_vars)
    assert int(idata.sample_stats["diverging"].sum()) == 0
    ls = least_squares(insulator, pars, T, y, s, scale_covar=False)
    for k, v in TRUE.items():
        draws = np.asarray(post[k]).ravel()
        lo, hi = np.quantile(draws, [0.005, 0.995])
        assert lo < v < hi, (k, lo, v, hi)  # truth inside the 99% credible interval
        # nearly linear problem, flat priors: posterior ≈ Gaussian of the LS covariance.
        # 15%: Monte Carlo error of a std from ~300 effective draws (~4%) plus the mild
        # nonlinearity of exp(-E_a/T).
        np.testing.assert_allclose(np.std(draws), ls.stderr[k], rtol=0.15)
        assert abs(np.mean(draws) - ls.params[k]) < 0.3 * ls.stderr[k]


def test_unknown_noise_and_user_prior():
    dist = pytest.importorskip("numpyro.distributions")
    rng = np.random.default_rng(3)
    x = np.linspace(0, 1, 40)
    y = 0.5 + 1.5 * x + 0.2 * rng.standard_normal(40)
    idata = sample(
        line,
        {"a": 0.0, "b": Parameter(1.0, min=0.0)},
        x,
        y,
        priors={"a": dist.Normal(0.0, 10.0)},
        num_warmup=200,
        num_samples=400,
        progress=False,
    )
    post = idata.posterior
    assert {"a", "b", "noise"} <= set(post.data_vars)
    noise = np.asarray(post["noise"]).ravel()
    lo, hi = np.quantile(noise, [0.005, 0.995])
    assert lo < 0.2 < hi
    assert np.all(np.asarray(post["b"]) > 0)  # the bound is the prior's support


def test_sample_input_errors():
    x = np.linspace(0, 1, 10)
    with pytest.raises(DomainError, match="unknown parameter 'c'"):
        sample(line, {"a": 0.0, "b": 1.0}, x, x, priors={"c": None})
    with pytest.raises(DomainError, match="is fixed"):
        sample(line, {"a": Parameter(0.0, vary=False), "b": 1.0}, x, x, priors={"a": None})
    with pytest.raises(DomainError, match="num_samples"):
        sample(line, {"a": 0.0, "b": 1.0}, x, x, num_samples=0)
    with pytest.raises(DomainError, match="argument 'y' must be finite"):
        sample(line, {"a": 0.0, "b": 1.0}, x, np.r_[np.nan, x[1:]])
