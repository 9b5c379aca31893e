"""Negative log-likelihoods of a model and data, for :func:`~dissipax.fit.minimize`.

Each likelihood holds ``model(x, **p)``, the data ``x, y`` and the error bars ``sigma``
exactly as :func:`~dissipax.fit.least_squares` takes them (pytrees, complex data, batches
with a leading axis), and a noise model for the standardised residual
``r_i = (m_i - y_i)/(sigma_i · noise)``:

================  ===============================================  ====================
likelihood        ``-log L`` per real residual component            use
================  ===============================================  ====================
:class:`Gaussian` ``r²/2 + log(σ_i noise) + log(2π)/2``            = least squares
:class:`StudentT` ``(ν+1)/2·log(1 + r²/ν) + log(σ_i noise) + c_ν``  outliers
:class:`LogNormal` Gaussian in ``log m - log y``, ``+ log y_i``    multiplicative noise
================  ===============================================  ====================

with ``c_ν = log Γ(ν/2) - log Γ((ν+1)/2) + log(νπ)/2``.  Complex data contribute their
real and imaginary parts as separate components; pytree data all their leaves.

Noise level.  With ``sigma`` given, the error bars are taken as known (``noise = 1``).
With ``sigma=None`` the noise level is unknown: one scale ``noise`` shared by all points
is fitted with the model's parameters, as the site ``"noise"`` of
:func:`~dissipax.fit.sample` is sampled (``minimize`` adds ``Parameter(rms, min=0,
transform="log")`` started at the RMS residual; pass your own ``"noise"`` entry in
``params`` to start or fix it elsewhere).  Its maximum-likelihood value for the Gaussian
is ``sqrt(chi2/ndata)``, and the covariance of the other parameters is then ``chi2/ndata``
times the known-noise one, the maximum-likelihood analogue of least squares'
``scale_covar=True`` (which divides by ``ndata - nvary``).

A likelihood is also a plain function of one parameter dict, ``nll(p) -> float`` (one
dataset, no batch axis): use it in your own optax loop or sum several into one objective.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np

from .._checks import DomainError, check
from .._precision import float_dtype
from ._problem import Layout, flat_residual

#: name of the fitted noise scale (the same site name as in :func:`~dissipax.fit.sample`)
NOISE = "noise"


class AbstractLikelihood(eqx.Module):
    """``-log L`` of ``model(x, **p)`` given data ``y`` with error bars ``sigma``.

    Parameters
    ----------
    model
        ``model(x, **p) -> array | pytree``, the prediction for ONE dataset, as for
        :func:`~dissipax.fit.least_squares`.
    x, y, sigma
        As for :func:`~dissipax.fit.least_squares`; ``sigma=None`` fits a noise scale
        (module docstring).  Validated when the likelihood is used by ``minimize``.
    """

    model: Callable = eqx.field(static=True)
    x: Any
    y: Any
    sigma: Any = None

    #: whether complex data are allowed (split into real and imaginary parts)
    complex_ok: ClassVar[bool] = True

    def __check_init__(self):
        if not callable(self.model):
            raise DomainError(
                f"argument 'model' must be callable model(x, **params); got {self.model!r}"
            )

    @property
    def fit_noise(self) -> bool:
        """Whether the noise scale is a fitted parameter (``sigma=None``)."""
        return self.sigma is None

    # -- the noise model ------------------------------------------------------------------
    @abc.abstractmethod
    def rho(self, r):
        """``-log`` density of each standardised residual component ``r`` (normalised)."""

    def fisher(self) -> tuple[float, float]:
        """Return the expected information per residual component: location, log(noise).

        The first is in units of 1/scale²; ``(1, 2)`` for the Gaussian.
        """
        return (1.0, 2.0)

    def transform_data(self, y):
        """Return the data as the residual compares them (the log-normal: logarithms)."""
        return y

    def check_data(self, y_leaves: list, complex_leaves: tuple[bool, ...]) -> None:
        """Raise :class:`DomainError` when the data or model output do not fit the likelihood."""
        if not self.complex_ok and any(complex_leaves):
            raise DomainError(f"the {type(self).__name__} likelihood needs real data and model")

    def residual(self, p: dict, x, yt, sigma, complex_leaves: tuple[bool, ...]):
        """``(m - y)/sigma`` as one real vector, and whether the model left its domain."""
        lay = Layout(names=(), kinds=(), vary=(), complex_leaves=complex_leaves)
        return flat_residual(self.model, lay, p, x, yt, sigma), jnp.asarray(False)

    # -- the objective --------------------------------------------------------------------
    def negloglik(self, p: dict, x, yt, sigma, complex_leaves: tuple[bool, ...], fit_noise: bool):
        """``(-log L, chi2)`` of one dataset, data already transformed (``transform_data``).

        ``chi2 = Σ ((m - y)/sigma)²`` does not include the fitted noise: it is the
        least-squares chi2 of the same data.  ``fit_noise``: take the noise scale from
        ``p["noise"]`` (else 1).
        """
        if fit_noise:
            if NOISE not in p:
                raise DomainError(
                    f"sigma=None: the noise scale is a parameter '{NOISE}'; include it in p"
                )
            noise = jnp.asarray(p[NOISE])
            p = {k: v for k, v in p.items() if k != NOISE}
        else:
            noise = jnp.asarray(1.0, float_dtype())
        r, outside = self.residual(p, x, yt, sigma, complex_leaves)
        n = r.shape[0]
        log_sigma = sum(
            (2 if c else 1) * jnp.sum(jnp.broadcast_to(jnp.log(s), jnp.shape(yy)))
            for s, yy, c in zip(jax.tree.leaves(sigma), jax.tree.leaves(yt), complex_leaves)
        )
        ok = noise > 0
        log_noise = jnp.log(jnp.where(ok, noise, 1.0))
        z = r / jnp.where(ok, noise, 1.0)
        nll = jnp.sum(self.rho(z)) + n * log_noise + log_sigma + self.data_constant(yt)
        nll = jnp.where(outside | ~ok, jnp.inf, nll)
        return nll, jnp.sum(r**2)

    def data_constant(self, yt):
        """Terms of ``-log L`` that depend on the data only (the log-normal's Σ log y)."""
        return 0.0

    def __call__(self, p: dict):
        """``-log L`` at the parameters ``p`` (``name -> value``) for the stored data."""
        y = jax.tree.map(jnp.asarray, self.y)
        x = jax.tree.map(jnp.asarray, self.x)
        sigma = self.sigma
        if sigma is None:
            sigma = jax.tree.map(lambda a: jnp.ones(jnp.shape(a), float_dtype()), y)
        elif len(jax.tree.leaves(sigma)) == 1 and len(jax.tree.leaves(y)) > 1:
            s = jnp.asarray(jax.tree.leaves(sigma)[0])
            sigma = jax.tree.map(lambda _: s, y)
        pm = {k: v for k, v in p.items() if not (self.fit_noise and k == NOISE)}
        out = jax.eval_shape(lambda: self.model(x, **pm))
        cl = tuple(
            bool(jnp.issubdtype(o.dtype, jnp.complexfloating) or jnp.iscomplexobj(yy))
            for o, yy in zip(jax.tree.leaves(out), jax.tree.leaves(y))
        )
        return self.negloglik(p, x, self.transform_data(y), sigma, cl, self.fit_noise)[0]


class Gaussian(AbstractLikelihood):
    """Independent Gaussian noise: ``-log L = chi2/2 + Σ log σ_i + (N/2) log 2π``.

    Minimising it is least squares: same optimum, and its expected information
    (``errors="fisher"``) is least squares' ``JᵀJ``, so :func:`~dissipax.fit.minimize`
    reproduces :func:`~dissipax.fit.least_squares` (with ``scale_covar=False`` when
    ``sigma`` is given).  The observed Hessian (``errors="hessian"``) adds
    ``Σ r_i ∇²r_i``, zero for models linear in their parameters.

    Valid for: additive noise of known (``sigma``) or common unknown (``sigma=None``) size.
    """

    def rho(self, r):
        """``r²/2 + log(2π)/2``."""
        return 0.5 * r**2 + 0.5 * np.log(2 * np.pi)


class StudentT(AbstractLikelihood):
    """Student-t noise with ``nu`` degrees of freedom: a robust likelihood for outliers.

    ``-log L = Σ [(ν+1)/2 · log(1 + r_i²/ν) + log(σ_i noise) + c_ν]``, with
    ``c_ν = log Γ(ν/2) - log Γ((ν+1)/2) + log(νπ)/2``.  Its influence function
    ``∂(-log L)/∂r = (ν+1) r/(ν + r²)`` falls off as ``1/r``: at ``ν = 4`` a point 20σ off
    pulls ~80 times less than under the Gaussian (ratio ``(ν+1)/(ν+r²)``), so a few
    outliers do not bias the fit.  ``sigma`` is the scale of the t distribution (its
    standard deviation is ``sigma·sqrt(ν/(ν-2))`` for ``ν > 2``).  Expected information
    per component: ``(ν+1)/(ν+3)`` about the location, ``2ν/(ν+3)`` about ``log(noise)``.

    Parameters
    ----------
    model, x, y, sigma
        As for :class:`AbstractLikelihood`.
    nu
        Degrees of freedom (> 0; default 4, the robust-regression choice of Lange,
        Little & Taylor, JASA 84, 881 (1989)); ``nu → ∞`` is the Gaussian.  Static: a new
        value recompiles.

    Valid for: additive noise with occasional outliers (glitches, jumps, bad contacts).
    """

    nu: float = eqx.field(default=4.0, static=True, converter=float, kw_only=True)

    def __check_init__(self):
        check("nu", self.nu, gt=0.0, valid="degrees of freedom of the Student-t noise")

    def fisher(self) -> tuple[float, float]:
        """``((ν+1)/(ν+3), 2ν/(ν+3))``."""
        return ((self.nu + 1.0) / (self.nu + 3.0), 2.0 * self.nu / (self.nu + 3.0))

    def rho(self, r):
        """``(ν+1)/2 · log(1 + r²/ν) + c_ν``."""
        nu = self.nu
        c = jss.gammaln(nu / 2) - jss.gammaln((nu + 1) / 2) + 0.5 * np.log(nu * np.pi)
        return 0.5 * (nu + 1) * jnp.log1p(r**2 / nu) + c


class LogNormal(AbstractLikelihood):
    """Multiplicative (log-normal) noise: ``log y_i ~ N(log m_i, (σ_i noise)²)``.

    ``-log L = Σ [(log m_i - log y_i)²/(2 σ_i² noise²) + log(σ_i noise) + log(2π)/2 + log y_i]``
    (the last term is the Jacobian from ``log y`` to ``y``, so values are comparable with
    the other likelihoods of the same ``y``).  ``sigma`` is the standard deviation of
    ``log y``, i.e. the relative error for small errors: the natural model of resistances
    measured to a fixed fraction.  Real positive data only; a model value ``<= 0`` gives
    ``-log L = +inf`` (with a finite gradient), never NaN.

    Valid for: positive data with relative (multiplicative) errors, e.g. R(T) over decades.
    """

    complex_ok: ClassVar[bool] = False

    def rho(self, r):
        """``r²/2 + log(2π)/2``."""
        return 0.5 * r**2 + 0.5 * np.log(2 * np.pi)

    def transform_data(self, y):
        """``log y`` (the data are checked positive before)."""
        return jax.tree.map(jnp.log, y)

    def data_constant(self, yt):
        """``Σ log y``."""
        return sum(jnp.sum(a) for a in jax.tree.leaves(yt))

    def check_data(self, y_leaves: list, complex_leaves: tuple[bool, ...]) -> None:
        """Check that the data are real and > 0, and the model output real."""
        super().check_data(y_leaves, complex_leaves)
        for i, yy in enumerate(y_leaves):
            nm = "y" if len(y_leaves) == 1 else f"y[leaf {i}]"
            check(nm, np.asarray(yy), gt=0.0, valid="the log-normal likelihood needs y > 0")

    def residual(self, p: dict, x, yt, sigma, complex_leaves: tuple[bool, ...]):
        """``(log m - log y)/sigma``, 0 where ``m <= 0`` (flagged: ``-log L = inf`` there)."""
        out = self.model(x, **p)
        parts, outside = [], jnp.asarray(False)
        for m, ly, s in zip(jax.tree.leaves(out), jax.tree.leaves(yt), jax.tree.leaves(sigma)):
            pos = m > 0
            lm = jnp.log(jnp.where(pos, m, 1.0))  # double where: finite gradient at m <= 0
            parts.append(jnp.where(pos, (lm - ly) / s, 0.0).ravel())
            outside = outside | ~jnp.all(pos)
        return jnp.concatenate(parts), outside
