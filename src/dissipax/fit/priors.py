"""Priors on fit parameters, one definition for MAP fits and for posteriors.

A prior is an ``eqx.Module`` with a pure-``jnp`` :meth:`~AbstractPrior.log_prob` (what
:func:`~dissipax.fit.minimize` adds to a MAP objective, so NumPyro is not needed there)
and :meth:`~AbstractPrior.to_numpyro` (what :func:`~dissipax.fit.sample` hands to
NUTS).  Both read the same hyperparameters, so a MAP fit and a posterior built from the
same ``priors`` dict use the same density.

Default priors, "from the bounds" (:func:`default_prior`; the lmfit/emcee convention):

=========================  ==========================================================
parameter                  prior
=========================  ==========================================================
``min`` and ``max``        :class:`Uniform` on ``(min, max)``
``transform="log"``        :class:`LogFlat` above ``min``: density ∝ 1/(p − min)
``min`` or ``max`` only    :class:`Flat` (improper) on the allowed half line
no bounds                  :class:`Flat` (improper) on the real line
fitted noise scale         :data:`NOISE_PRIOR` = ``LogFlat(0)``, Jeffreys' 1/σ
=========================  ==========================================================

Densities are with respect to the *physical* parameter ``p`` (not the internal
coordinate of :mod:`.parameters`): the MAP estimate is the mode of the posterior density
in ``p``.  With flat priors it is the maximum-likelihood estimate; a ``LogFlat`` prior
moves it (the mode of ``L(p)/(p − min)``), exactly as NUTS sees that density.  Improper
priors need data that pin the parameter down.
"""

from __future__ import annotations

import abc
from typing import Any

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError, check
from . import parameters as P


def _import_numpyro():
    try:
        import numpyro.distributions as dist
        from numpyro.distributions import constraints
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "converting a prior for dissipax.fit.sample needs NumPyro: "
            "pip install 'dissipax[bayes]'"
        ) from err
    return dist, constraints


def _real(v) -> float:
    # hyperparameters are static (hashable) Python floats
    if np.ndim(v) != 0:
        raise DomainError(f"prior hyperparameters must be scalars; got shape {np.shape(v)}")
    check("prior hyperparameter", v, finite=False)
    return float(v)


def _inside(p, low: float, high: float):
    return (p > low) & (p < high)


class AbstractPrior(eqx.Module):
    """A prior density on one scalar parameter (possibly improper)."""

    @abc.abstractmethod
    def log_prob(self, p):
        """Log density at ``p`` (``-inf`` outside the support; finite gradient everywhere)."""

    @abc.abstractmethod
    def to_numpyro(self):
        """Return the same density as a ``numpyro.distributions.Distribution``."""

    @property
    @abc.abstractmethod
    def support(self) -> tuple[float, float]:
        """``(low, high)`` of the open support (±inf where unbounded)."""


class Uniform(AbstractPrior):
    """Uniform (proper) prior on ``(low, high)``: ``log p = -log(high - low)`` inside.

    Parameters
    ----------
    low, high
        Finite bounds, ``low < high``.
    """

    low: float = eqx.field(static=True, converter=_real)
    high: float = eqx.field(static=True, converter=_real)

    def __check_init__(self):
        check("low", self.low)
        check("high", self.high, gt=float(self.low), valid="high > low")

    def log_prob(self, p):
        """Log density at ``p``."""
        return jnp.where(_inside(p, self.low, self.high), -np.log(self.high - self.low), -jnp.inf)

    def to_numpyro(self):
        """``numpyro.distributions.Uniform(low, high)``."""
        dist, _ = _import_numpyro()
        return dist.Uniform(self.low, self.high)

    @property
    def support(self) -> tuple[float, float]:
        """``(low, high)``."""
        return (float(self.low), float(self.high))


class Flat(AbstractPrior):
    """Flat prior on ``(low, high)``, improper unless both are finite: ``log p = 0`` inside.

    Parameters
    ----------
    low, high
        Bounds of the support (default: the real line).
    """

    low: float = eqx.field(default=-np.inf, static=True, converter=_real)
    high: float = eqx.field(default=np.inf, static=True, converter=_real)

    def __check_init__(self):
        check("low", self.low, finite=False, lt=np.inf)
        check("high", self.high, finite=False, gt=float(self.low), valid="high > low")

    def log_prob(self, p):
        """Log density at ``p`` (0 inside the support)."""
        return jnp.where(_inside(p, self.low, self.high), 0.0, -jnp.inf)

    def to_numpyro(self):
        """``numpyro.distributions.ImproperUniform`` on the support."""
        dist, c = _import_numpyro()
        lo, hi = self.low, self.high
        if np.isfinite(lo) and np.isfinite(hi):
            con = c.interval(lo, hi)
        elif np.isfinite(lo):
            con = c.greater_than(lo)
        elif np.isfinite(hi):
            con = c.less_than(hi)
        else:
            con = c.real
        return dist.ImproperUniform(con, (), ())

    @property
    def support(self) -> tuple[float, float]:
        """``(low, high)``."""
        return (float(self.low), float(self.high))


class LogFlat(AbstractPrior):
    """Improper prior flat in ``log(p - low)``: density ``∝ 1/(p - low)`` on ``p > low``.

    With ``low = 0`` this is Jeffreys' prior for a scale (e.g. a noise level): invariant
    under a change of units.  The default prior of a ``transform="log"`` parameter.

    Parameters
    ----------
    low
        Finite lower end of the support (default 0).
    """

    low: float = eqx.field(default=0.0, static=True, converter=_real)

    def __check_init__(self):
        check("low", self.low)

    def log_prob(self, p):
        """Log density ``-log(p - low)`` (``-inf`` at and below ``low``)."""
        ok = p > self.low
        return jnp.where(ok, -jnp.log(jnp.where(ok, p - self.low, 1.0)), -jnp.inf)

    def to_numpyro(self):
        """Return an ``ImproperUniform`` on ``p > low`` with ``log_prob = -log(p - low)``."""
        dist, c = _import_numpyro()
        low = self.low

        class _LogFlat(dist.ImproperUniform):
            def log_prob(self, value):
                return -jnp.log(value - low)

        return _LogFlat(c.greater_than(low), (), ())

    @property
    def support(self) -> tuple[float, float]:
        """``(low, inf)``."""
        return (float(self.low), np.inf)


class Normal(AbstractPrior):
    """Normal prior ``N(loc, scale²)``, e.g. an independent measurement of the parameter.

    Parameters
    ----------
    loc, scale
        Mean and standard deviation (``scale > 0``), in the parameter's units.
    """

    loc: float = eqx.field(static=True, converter=_real)
    scale: float = eqx.field(static=True, converter=_real)

    def __check_init__(self):
        check("loc", self.loc)
        check("scale", self.scale, gt=0.0)

    def log_prob(self, p):
        """Normalised Gaussian log density."""
        z = (p - self.loc) / self.scale
        return -0.5 * z**2 - np.log(self.scale) - 0.5 * np.log(2 * np.pi)

    def to_numpyro(self):
        """``numpyro.distributions.Normal(loc, scale)``."""
        dist, _ = _import_numpyro()
        return dist.Normal(self.loc, self.scale)

    @property
    def support(self) -> tuple[float, float]:
        """The real line."""
        return (-np.inf, np.inf)


class LogNormal(AbstractPrior):
    """Log-normal prior: ``log p ~ N(loc, scale²)`` (a positive quantity known to a factor).

    Parameters
    ----------
    loc, scale
        Mean and standard deviation of ``log p`` (``scale > 0``; ``scale = log 2``: known
        to a factor of about 2).
    """

    loc: float = eqx.field(static=True, converter=_real)
    scale: float = eqx.field(static=True, converter=_real)

    def __check_init__(self):
        check("loc", self.loc)
        check("scale", self.scale, gt=0.0)

    def log_prob(self, p):
        """Normalised log-normal log density (``-inf`` for ``p <= 0``)."""
        ok = p > 0
        lp = jnp.log(jnp.where(ok, p, 1.0))
        z = (lp - self.loc) / self.scale
        val = -0.5 * z**2 - lp - np.log(self.scale) - 0.5 * np.log(2 * np.pi)
        return jnp.where(ok, val, -jnp.inf)

    def to_numpyro(self):
        """``numpyro.distributions.LogNormal(loc, scale)``."""
        dist, _ = _import_numpyro()
        return dist.LogNormal(self.loc, self.scale)

    @property
    def support(self) -> tuple[float, float]:
        """``(0, inf)``."""
        return (0.0, np.inf)


class NumpyroPrior(AbstractPrior):
    """Any NumPyro distribution used as a prior (its own ``log_prob``); needs NumPyro."""

    dist: Any = eqx.field(static=True)

    def log_prob(self, p):
        """Return the distribution's ``log_prob``."""
        return self.dist.log_prob(p)

    def to_numpyro(self):
        """Return the distribution itself."""
        return self.dist

    @property
    def support(self) -> tuple[float, float]:
        """Unknown in general: the real line (the start is checked against ``log_prob``)."""
        return (-np.inf, np.inf)


#: the prior of a fitted noise scale (``sigma=None``): Jeffreys' ``1/σ``, in
#: :func:`~dissipax.fit.sample` and in MAP fits with :func:`~dissipax.fit.minimize`.
NOISE_PRIOR = LogFlat(0.0)


def default_prior(par: P.Parameter) -> AbstractPrior:
    """Return the default prior of a :class:`~dissipax.fit.Parameter` (module table)."""
    lo, hi = par.bounds
    kind = par.kind
    if kind == P.BOTH:
        return Uniform(lo, hi)
    if kind == P.LOG:
        return LogFlat(lo)
    if kind == P.LOWER:
        return Flat(low=lo)
    if kind == P.UPPER:
        return Flat(high=hi)
    return Flat()


def as_prior(name: str, obj: Any) -> AbstractPrior:
    """Return a dissipax prior as is, a NumPyro distribution (with ``log_prob``) wrapped."""
    if isinstance(obj, AbstractPrior):
        return obj
    if hasattr(obj, "log_prob") and callable(obj.log_prob):
        return NumpyroPrior(obj)
    raise DomainError(
        f"priors['{name}'] must be a dissipax.fit prior (Uniform, Normal, LogNormal, Flat, "
        f"LogFlat) or a numpyro distribution; got {obj!r}"
    )


def to_numpyro(obj: Any):
    """Return the NumPyro distribution of a prior given either way (for ``sample``)."""
    return obj.to_numpyro() if isinstance(obj, AbstractPrior) else obj
