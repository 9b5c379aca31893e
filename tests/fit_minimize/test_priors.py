"""Priors: one definition for MAP (minimize) and posteriors (sample); MAP against closed
forms; the likelihoods' normalisation and Fisher constants against quadrature."""

import jax.numpy as jnp
import numpy as np
import pytest
from scipy import integrate, stats

from dissipax.fit import Gaussian, Parameter, StudentT, minimize, priors, sample
from dissipax.fit.priors import NOISE_PRIOR, default_prior

rng = np.random.default_rng(11)
X = np.linspace(-1.0, 2.0, 25)
SIG = 0.2
Y = 0.4 + 0.9 * X + SIG * rng.standard_normal(X.size)


def line(x, a, b):
    return a + b * x


@pytest.mark.parametrize(
    "par, points",
    [
        (Parameter(0.5, min=-1.0, max=2.0), [-0.5, 0.0, 1.9]),  # Uniform
        (Parameter(0.5, min=0.1, transform="log"), [0.2, 1.0, 30.0]),  # LogFlat
        (Parameter(0.5, min=0.0), [0.1, 3.0]),  # Flat on a half line
        (Parameter(0.5, max=2.0), [-3.0, 1.0]),
        (Parameter(0.5), [-3.0, 1e3]),  # Flat on the line
    ],
)
def test_default_priors_are_the_ones_sample_uses(par, points):
    # sample() builds its numpyro priors from the same objects: identical log densities
    pr = default_prior(par)
    d = pr.to_numpyro()
    for v in points:
        np.testing.assert_allclose(
            float(pr.log_prob(v)), float(d.log_prob(jnp.asarray(v))), rtol=1e-14, atol=1e-14
        )
    lo, hi = par.bounds
    assert pr.support[0] == lo and pr.support[1] == hi


def test_proper_priors_match_scipy_and_numpyro():
    for pr, ref in [
        (priors.Normal(0.3, 0.2), stats.norm(0.3, 0.2)),
        (priors.LogNormal(0.1, 0.5), stats.lognorm(0.5, scale=np.exp(0.1))),
        (priors.Uniform(-1.0, 3.0), stats.uniform(-1.0, 4.0)),
    ]:
        for v in (0.05, 0.4, 2.5):
            np.testing.assert_allclose(float(pr.log_prob(v)), ref.logpdf(v), rtol=1e-13)
            np.testing.assert_allclose(
                float(pr.log_prob(v)), float(pr.to_numpyro().log_prob(v)), rtol=1e-6
            )  # 1e-6: numpyro evaluates some densities in a different (equivalent) form
    # outside the support: -inf with a finite gradient (the double where)
    import jax

    assert priors.LogNormal(0.0, 1.0).log_prob(-1.0) == -np.inf
    assert np.isfinite(jax.grad(priors.LogNormal(0.0, 1.0).log_prob)(-1.0))
    assert np.isfinite(jax.grad(priors.LogFlat(0.0).log_prob)(-1.0))
    # a numpyro distribution given as a prior: its own log_prob, unchanged
    import numpyro.distributions as dist

    wrapped = priors.as_prior("b", dist.Normal(0.5, 0.1))
    np.testing.assert_allclose(
        float(wrapped.log_prob(0.7)), stats.norm(0.5, 0.1).logpdf(0.7), rtol=1e-6
    )
    assert priors.to_numpyro(wrapped) is wrapped.dist
    # Jeffreys for the noise scale
    np.testing.assert_allclose(float(NOISE_PRIOR.log_prob(2.5)), -np.log(2.5), rtol=1e-15)


def test_map_with_gaussian_prior_is_the_conjugate_posterior():
    # linear model, known noise, prior b ~ N(mu, tau²), a flat: the posterior is Gaussian
    # with precision L = XᵀX/σ² + diag(0, 1/τ²); MAP = its mean and the Laplace covariance
    # (the Hessian of -log posterior) = L⁻¹ exactly
    mu, tau = 0.5, 0.1
    A = np.stack([np.ones_like(X), X], 1)
    L = A.T @ A / SIG**2 + np.diag([0.0, 1 / tau**2])
    mean = np.linalg.solve(L, A.T @ Y / SIG**2 + np.array([0.0, mu / tau**2]))
    r = minimize(
        Gaussian(line, X, Y, SIG), {"a": 0.0, "b": 1.0}, priors={"b": priors.Normal(mu, tau)}
    )
    assert r.success, r.message
    assert "MAP" in r.report()
    # 1e-8: quadratic objective, gradient tolerance 1e-9·|f|
    np.testing.assert_allclose([r.params["a"], r.params["b"]], mean, rtol=1e-8)
    np.testing.assert_allclose(r.covariance, np.linalg.inv(L), rtol=1e-8)


def test_map_default_logflat_prior_closed_form():
    # y_i ~ N(a, σ²) with a > 0 log-transformed: default prior 1/a (flat in log a), so the
    # MAP solves n(ȳ - a)/σ² = 1/a: a = (ȳ + sqrt(ȳ² - 4σ²/n))/2, not the mean ȳ
    y = 0.3 + SIG * rng.standard_normal(12)
    n, ybar = y.size, y.mean()
    a_map = (ybar + np.sqrt(ybar**2 - 4 * SIG**2 / n)) / 2

    def const(x, a):
        return a * jnp.ones_like(x)

    pars = {"a": Parameter(0.5, min=0.0, transform="log")}
    r = minimize(Gaussian(const, np.zeros(n), y, SIG), pars, priors={})
    np.testing.assert_allclose(r.params["a"], a_map, rtol=1e-8)
    assert abs(a_map - ybar) > 10 * 1e-8 * ybar  # the prior's shift is resolved
    # Laplace: -log posterior = n(ȳ - a)²/(2σ²) + log a, curvature n/σ² - 1/a²
    np.testing.assert_allclose(r.stderr["a"], (n / SIG**2 - 1 / a_map**2) ** -0.5, rtol=1e-6)


def test_map_unknown_noise_uses_jeffreys_prior():
    # sigma=None, priors={}: noise has the Jeffreys prior 1/σ of sample(); the MAP noise
    # solves (n+1)/σ = chi2/σ³: σ² = chi2/(n+1) (the ML value is chi2/n)
    r = minimize(Gaussian(line, X, Y), {"a": 0.0, "b": 1.0}, priors={})
    n = X.size
    np.testing.assert_allclose(r.params["noise"] ** 2, r.chi2 / (n + 1), rtol=1e-8)
    # flat priors on a, b: their MAP is the least-squares line (closed form)
    A = np.stack([np.ones_like(X), X], 1)
    coef, *_ = np.linalg.lstsq(A, Y, rcond=None)
    np.testing.assert_allclose([r.params["a"], r.params["b"]], coef, rtol=1e-8)


@pytest.mark.parametrize("nu", [1.0, 4.0, 10.0])
def test_student_t_normalised_and_fisher_constants(nu):
    # ∫ exp(-rho) dr = 1; E[(d rho/dr)²] = (ν+1)/(ν+3); E[(r d rho/dr - 1)²] = 2ν/(ν+3)
    lik = StudentT(line, X, Y, nu=nu)

    def rho(r):
        return float(lik.rho(r))

    def drho(r):
        return (nu + 1) * r / (nu + r**2)

    def dens(r):
        return np.exp(-rho(r))

    # 1e-9: adaptive quadrature of smooth integrands with algebraic tails
    norm = integrate.quad(dens, -np.inf, np.inf, epsabs=1e-12)[0]
    np.testing.assert_allclose(norm, 1.0, rtol=1e-9)
    i_loc = integrate.quad(lambda r: dens(r) * drho(r) ** 2, -np.inf, np.inf)[0]
    i_scale = integrate.quad(lambda r: dens(r) * (r * drho(r) - 1) ** 2, -np.inf, np.inf)[0]
    np.testing.assert_allclose(lik.fisher(), (i_loc, i_scale), rtol=1e-9)


@pytest.mark.slow
def test_map_is_the_mode_of_the_posterior_sample_explores():
    # conjugate linear problem with a Normal prior given to BOTH functions: the posterior
    # is Gaussian, so its mean (NUTS) equals the MAP; 5 Monte-Carlo standard errors
    pri = {"b": priors.Normal(0.5, 0.1)}
    r = minimize(Gaussian(line, X, Y, SIG), {"a": 0.0, "b": 1.0}, priors=pri)
    idata = sample(
        line,
        {"a": 0.0, "b": 1.0},
        X,
        Y,
        SIG,
        priors=pri,
        num_warmup=500,
        num_samples=2000,
        progress=False,
    )
    for k in ("a", "b"):
        draws = np.asarray(idata.posterior[k]).ravel()
        se = draws.std() / np.sqrt(draws.size / 5)  # ~5 draws per effective sample (generous)
        assert abs(draws.mean() - r.params[k]) < 5 * se, (k, draws.mean(), r.params[k])
        np.testing.assert_allclose(draws.std(), r.stderr[k], rtol=0.1)
