"""Posteriors by NumPyro NUTS on the same model and residual as the least-squares fit.

NumPyro and ArviZ are the optional ``[bayes]`` extra: they are imported when
:func:`sample` runs, so the rest of :mod:`dissipax.fit` works without them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError
from .._progress import is_quiet
from . import parameters as P
from . import priors as PR
from ._problem import flat_residual, prepare


def _import_bayes():
    try:
        import arviz
        import numpyro
        import numpyro.distributions as dist
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "dissipax.fit.sample needs NumPyro and ArviZ: pip install 'dissipax[bayes]'"
        ) from err
    return numpyro, dist, arviz


def sample(
    model: Callable,
    params: Mapping[str, P.Parameter | float],
    x: Any,
    y: Any,
    sigma: Any = None,
    *,
    priors: Mapping[str, Any] | None = None,
    num_warmup: int = 500,
    num_samples: int = 1000,
    num_chains: int = 1,
    key: jax.Array | None = None,
    progress: bool = True,
):
    r"""Sample the posterior of the varying parameters with NumPyro's NUTS.

    Likelihood: independent Gaussians, ``log L = -½ Σ r_i² - Σ log σ_i`` with the same
    weighted residual ``r = (model(x, **p) - y)/sigma`` as :func:`least_squares` (complex
    and pytree data included).  Without ``sigma`` the noise level is unknown and is
    sampled too, as a site ``"noise"`` (one σ shared by all points) with the scale-invariant
    Jeffreys prior ``p(σ) ∝ 1/σ``.

    Priors (default, "from the bounds"; defined once, in :mod:`.priors`): uniform on
    ``(min, max)`` for two-sided bounds;
    flat (improper, :class:`numpyro.distributions.ImproperUniform`) on the allowed half
    line or the real line otherwise — the lmfit/emcee convention.  With
    ``transform="log"`` the default prior is flat in ``log(p - min)`` (log-uniform).  An
    improper prior needs data that pin the parameter down; give a proper one in
    ``priors`` when they may not.  Fixed parameters stay fixed.  Chains start at the
    parameters' values (run :func:`least_squares` first and start there to shorten warmup).

    Parameters
    ----------
    model, params, x, y, sigma
        As for :func:`least_squares` (one dataset; no batch axis).
    priors
        ``name -> prior`` overriding the default for those parameters: a
        :mod:`dissipax.fit.priors` prior (the same object works for a MAP fit with
        :func:`~dissipax.fit.minimize`) or a numpyro distribution.
    num_warmup, num_samples, num_chains
        NUTS settings.  Chains run in parallel when there are enough JAX devices (GPUs),
        else one after another.
    key
        ``jax.random`` key (default ``PRNGKey(0)``).
    progress
        Show NumPyro's progress bar (also off with ``--quiet`` / ``DISSIPAX_QUIET=1``).

    Returns
    -------
    arviz.InferenceData
        ``posterior`` with one variable per varying parameter (and ``noise`` when sigma is
        None); ``sample_stats`` with NUTS diagnostics (divergences, tree depth, ...).

    Raises
    ------
    DomainError
        On bad input (as :func:`least_squares`), an unknown prior name, or a prior given
        for a fixed parameter.
    """
    for nm, v, lo in (
        ("num_warmup", num_warmup, 0),
        ("num_samples", num_samples, 1),
        ("num_chains", num_chains, 1),
    ):
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < lo:
            raise DomainError(f"argument '{nm}' must be an integer >= {lo}; got {v!r}")
    prob = prepare(model, params, x, y, sigma, batched=False, batch_x=False)
    lay = prob.layout
    priors = dict(priors or {})
    for name in priors:
        if name not in lay.names:
            raise DomainError(f"priors: unknown parameter '{name}' (parameters: {list(lay.names)})")
        if not prob.params[name].vary:
            raise DomainError(f"priors: parameter '{name}' is fixed (vary=False); drop its prior")

    numpyro, dist, az = _import_bayes()
    from numpyro.infer import MCMC, NUTS, init_to_value

    def prior_of(name: str):
        if name in priors:
            return PR.to_numpyro(priors[name])
        return PR.default_prior(prob.params[name]).to_numpyro()

    fixed = {n: jnp.asarray(prob.p0[i]) for i, n in enumerate(lay.names) if not lay.vary[i]}
    unknown_noise = not prob.sigma_given

    def npmodel():
        p = dict(fixed)
        for n in lay.vary_names:
            p[n] = numpyro.sample(n, prior_of(n))
        r = flat_residual(model, lay, p, prob.x, prob.y, prob.sigma)
        if unknown_noise:
            noise = numpyro.sample("noise", PR.NOISE_PRIOR.to_numpyro())  # Jeffreys 1/σ
            r = r / noise
            norm = r.shape[0] * jnp.log(noise)
        else:
            norm = 0.0
        numpyro.factor("loglik", -0.5 * jnp.sum(r**2) - norm)

    init = {n: float(prob.p0[i]) for i, n in enumerate(lay.names) if lay.vary[i]}
    if unknown_noise:
        init["noise"] = _noise_start(model, lay, prob)
    kernel = NUTS(npmodel, init_strategy=init_to_value(values=init))
    method = "parallel" if jax.local_device_count() >= num_chains else "sequential"
    mcmc = MCMC(
        kernel,
        num_warmup=int(num_warmup),
        num_samples=int(num_samples),
        num_chains=int(num_chains),
        chain_method=method,
        progress_bar=bool(progress) and not is_quiet(),
    )
    mcmc.run(jax.random.PRNGKey(0) if key is None else key)
    return az.from_numpyro(mcmc)


def _noise_start(model, lay, prob) -> float:
    """RMS of the unweighted residual at the start (a scale for the noise site)."""
    p = {n: jnp.asarray(prob.p0[i]) for i, n in enumerate(lay.names)}
    r = np.asarray(flat_residual(model, lay, p, prob.x, prob.y, prob.sigma))
    rms = float(np.sqrt(np.mean(r**2))) if r.size else 1.0
    return rms if np.isfinite(rms) and rms > 0 else 1.0
