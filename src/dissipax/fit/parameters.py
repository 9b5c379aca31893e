"""Fit parameters and the bound-enforcing reparametrisations.

A :class:`Parameter` holds a starting value, optional bounds and whether it varies.  The
optimiser never sees the physical value ``p``; it works on an internal, unconstrained
coordinate ``z`` with ``z = 0`` at the start, mapped to ``p`` by a smooth bijection that
keeps ``p`` inside its bounds (the MINUIT / lmfit idea, with smooth maps):

=====================  =====================================  =====================
bounds                 map ``u -> p``                         ``u`` at the start
=====================  =====================================  =====================
none                   ``p = p0 + s u``, ``s = |p0|`` (1 if 0)  ``u = 0``
``min`` only           ``p = min + r softplus(u)``            ``softplus(u) = 1``
``max`` only           ``p = max - r softplus(u)``            ``softplus(u) = 1``
``min`` and ``max``    ``p = min + (max - min) sigmoid(u)``   ``logit`` of the start
``transform="log"``    ``p = min + r exp(u)``                 ``u = 0``
=====================  =====================================  =====================

with ``r = |p0 - bound|`` the start's distance to its bound, and ``z = u - u0``.  Every
map is scaled by the start, so one unit of ``z`` is a change of order one *relative to
the starting value*: parameters of very different magnitude (σ_QF ≈ 1e-4 S beside
E_a ≈ 0.5 K) are equally well conditioned for Levenberg–Marquardt, whose damping is not
scale invariant.  The price: a start of exactly 0 for an unbounded parameter gives it
unit scale, so start near the expected magnitude.

``transform="log"`` (lower bound required, no upper bound) is for positive quantities
spanning decades (e.g. a prefactor σ_0 that may be 10³ times the start): a fixed step in
``z`` is a fixed *factor* in ``p - min``.
"""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError, check

#: kinds of internal map (static: they decide the traced code)
IDENTITY, LOWER, UPPER, BOTH, LOG = "identity", "lower", "upper", "both", "log"

#: a parameter whose distance to its bound is below this fraction of its reference
#: distance (``r``, or ``max - min``) is reported as pinned at the bound.
AT_BOUND_RTOL = 1e-6


class Parameter(eqx.Module):
    """One fit parameter: starting value, optional bounds, and whether it varies.

    Parameters
    ----------
    value
        Starting value (or the fixed value when ``vary=False``): a float, or for batched
        fits an array of shape ``(n_batch,)`` of per-fit starts.
    min, max
        Optional bounds (scalars; ``None`` or ±inf for none), enforced by
        reparametrisation (module docstring).  A varying parameter must start strictly
        inside ``(min, max)``.
    vary
        ``False`` keeps the parameter fixed at ``value``; it stays out of the optimisation,
        its stderr is 0 and it is not in the covariance.
    transform
        ``None`` (choose from the bounds) or ``"log"``: ``p = min + r exp(z)``, for positive
        quantities spanning decades (requires ``min``, forbids ``max``).

    Raises
    ------
    DomainError
        On a non-finite value, ``min >= max``, a value outside the bounds, or a varying
        start exactly on a bound.
    """

    value: Any
    min: float | None = eqx.field(default=None, static=True)
    max: float | None = eqx.field(default=None, static=True)
    vary: bool = eqx.field(default=True, static=True)
    transform: str | None = eqx.field(default=None, static=True)

    def __check_init__(self):
        v = np.asarray(self.value)
        check("value", v, valid="a Parameter's starting value")
        if v.ndim > 1:
            raise DomainError(
                f"Parameter value must be a scalar or a 1-D array of per-fit starts; "
                f"got shape {v.shape}"
            )
        lo, hi = _finite_or_none(self.min, "min"), _finite_or_none(self.max, "max")
        if lo is not None and hi is not None and not lo < hi:
            raise DomainError(f"Parameter bounds need min < max; got min={lo!r}, max={hi!r}")
        if self.transform not in (None, "log"):
            raise DomainError(f"Parameter transform must be None or 'log'; got {self.transform!r}")
        if self.transform == "log" and (lo is None or hi is not None):
            raise DomainError(
                "Parameter transform='log' needs a lower bound and no upper bound "
                f"(p = min + r·exp(z)); got min={self.min!r}, max={self.max!r}. "
                "Set min=0 for a positive quantity."
            )
        if lo is not None and np.any(v < lo):
            raise DomainError(f"Parameter value {_first(v, v < lo)} is below min={lo!r}")
        if hi is not None and np.any(v > hi):
            raise DomainError(f"Parameter value {_first(v, v > hi)} is above max={hi!r}")
        if self.vary:
            on = np.zeros(v.shape, bool)
            if lo is not None:
                on |= v == lo
            if hi is not None:
                on |= v == hi
            if np.any(on):
                raise DomainError(
                    f"a varying Parameter must start strictly inside its bounds "
                    f"(min={lo!r}, max={hi!r}); got value {_first(v, on)} on a bound. "
                    "Move the start inside, or fix it with vary=False."
                )

    @property
    def kind(self) -> str:
        """Which internal map this parameter uses (one of the module constants)."""
        lo, hi = _finite_or_none(self.min, "min"), _finite_or_none(self.max, "max")
        if self.transform == "log":
            return LOG
        if lo is not None and hi is not None:
            return BOTH
        if lo is not None:
            return LOWER
        if hi is not None:
            return UPPER
        return IDENTITY

    @property
    def bounds(self) -> tuple[float, float]:
        """``(min, max)`` as floats, ±inf where unbounded."""
        lo, hi = _finite_or_none(self.min, "min"), _finite_or_none(self.max, "max")
        return (-np.inf if lo is None else lo, np.inf if hi is None else hi)


def as_parameter(name: str, p: Any) -> Parameter:
    """Turn a dict entry into a :class:`Parameter` (a bare number is a free, unbounded start)."""
    if isinstance(p, Parameter):
        return p
    try:
        return Parameter(p)
    except DomainError as err:
        raise DomainError(f"parameter '{name}': {err}") from None


def _finite_or_none(b, name: str) -> float | None:
    if b is None:
        return None
    b = float(b)
    if np.isnan(b):
        raise DomainError(f"Parameter {name} must not be NaN (use None for no bound)")
    return None if np.isinf(b) else b


def _first(v: np.ndarray, bad: np.ndarray):
    return v[np.argwhere(bad)[0][0]] if v.ndim else v[()]


# ---------------------------------------------------------------------------------------
# the maps, written for one parameter; ``lo``, ``hi``, ``ref`` and ``u0`` are per-fit arrays


def reference(kind: str, p0, lo, hi):
    """Per-fit scale ``r`` of the map (see the module docstring)."""
    if kind == IDENTITY:
        return jnp.where(p0 != 0, jnp.abs(p0), 1.0)
    if kind in (LOWER, LOG):
        return p0 - lo
    if kind == UPPER:
        return hi - p0
    return hi - lo


def u_of_p(kind: str, p, lo, hi, ref):
    """Inverse map: internal coordinate ``u`` of a physical value ``p``."""
    if kind == IDENTITY:
        return p / ref
    if kind == LOWER:
        return _softplus_inv((p - lo) / ref)
    if kind == UPPER:
        return _softplus_inv((hi - p) / ref)
    if kind == LOG:
        return jnp.log((p - lo) / ref)
    q = (p - lo) / ref
    return jnp.log(q) - jnp.log1p(-q)


def p_of_u(kind: str, u, lo, hi, ref):
    """Forward map: physical value ``p`` of the internal coordinate ``u``."""
    if kind == IDENTITY:
        return ref * u
    if kind == LOWER:
        return lo + ref * jax.nn.softplus(u)
    if kind == UPPER:
        return hi - ref * jax.nn.softplus(u)
    if kind == LOG:
        return lo + ref * jnp.exp(u)
    return lo + ref * jax.nn.sigmoid(u)


def bound_distance(kind: str, p, lo, hi, ref):
    """Distance to the nearest bound in units of ``ref`` (``inf`` when unbounded)."""
    if kind == IDENTITY:
        return jnp.full_like(p, jnp.inf)
    if kind in (LOWER, LOG):
        return (p - lo) / ref
    if kind == UPPER:
        return (hi - p) / ref
    return jnp.minimum(p - lo, hi - p) / ref


def _softplus_inv(y):
    # log(exp(y) - 1), stable for small and large y
    return y + jnp.log(-jnp.expm1(-y))


class Coordinates(eqx.Module):
    """The internal coordinates ``z`` of the varying parameters of ONE fit, and back.

    Shared by every solver (least squares, :func:`~dissipax.fit.minimize`): built from the
    physical starts ``p0`` (all parameters, fixed ones included) and the bounds, it holds
    the per-parameter scale ``ref`` and the start ``u0`` of each map (module docstring),
    so that ``z = 0`` is the start.  Works on tracers (inside ``jit``/``vmap``).

    Parameters
    ----------
    layout
        The problem's static layout (``names``, ``kinds``, ``vary``; see ``_problem.Layout``).
    p0, lo, hi
        ``(n_param,)`` starting values and bounds (±inf where none) of all parameters.
    """

    names: tuple[str, ...] = eqx.field(static=True)
    kinds: tuple[str, ...] = eqx.field(static=True)  # of the varying parameters
    vary_index: tuple[int, ...] = eqx.field(static=True)
    p0: Any
    lo: Any
    hi: Any
    ref: Any  # (nvary,)
    u0: Any  # (nvary,)

    def __init__(self, layout, p0, lo, hi):
        self.names = tuple(layout.names)
        self.vary_index = tuple(layout.vary_index)
        self.kinds = tuple(layout.kinds[i] for i in self.vary_index)
        self.p0, self.lo, self.hi = p0, lo, hi
        vi = self.vary_index
        self.ref = jnp.stack([reference(k, p0[i], lo[i], hi[i]) for k, i in zip(self.kinds, vi)])
        self.u0 = jnp.stack(
            [u_of_p(k, p0[i], lo[i], hi[i], self.ref[j]) for j, (k, i) in self._items()]
        )

    def _items(self):
        return enumerate(zip(self.kinds, self.vary_index))

    def physical(self, z):
        """``(nvary,)`` physical values of the varying parameters at ``z``."""
        return jnp.stack(
            [
                p_of_u(k, self.u0[j] + z[j], self.lo[i], self.hi[i], self.ref[j])
                for j, (k, i) in self._items()
            ]
        )

    def z_of(self, pv):
        """Map the physical values ``pv`` of the varying parameters to internal coordinates."""
        return jnp.stack(
            [
                u_of_p(k, pv[j], self.lo[i], self.hi[i], self.ref[j]) - self.u0[j]
                for j, (k, i) in self._items()
            ]
        )

    def full(self, pv):
        """``(n_param,)`` all parameters: the fixed ones at their values, ``pv`` for the rest."""
        return self.p0.at[jnp.array(self.vary_index)].set(pv)

    def params(self, z) -> dict:
        """``name -> value`` of every parameter at ``z`` (what the model is called with)."""
        return self.named(self.physical(z))

    def named(self, pv) -> dict:
        """``name -> value`` of every parameter, the varying ones at the physical ``pv``."""
        out, j = {}, 0
        vary = set(self.vary_index)
        for i, n in enumerate(self.names):
            if i in vary:
                out[n] = pv[j]
                j += 1
            else:
                out[n] = self.p0[i]
        return out

    def dp_dz(self, z):
        """``(nvary,)`` diagonal of the transform Jacobian ``dp/dz``."""
        return jax.jvp(self.physical, (z,), (jnp.ones_like(z),))[1]

    def nearer_lower(self, pv):
        """``(nvary,)`` whether each varying parameter is nearer its lower than its upper bound."""
        return jnp.stack(
            [
                jnp.asarray(
                    k in (LOWER, LOG) or (k == BOTH and pv[j] - self.lo[i] <= self.hi[i] - pv[j])
                )
                for j, (k, i) in self._items()
            ]
        )

    def at_bound(self, pv):
        """``(nvary,)`` whether each varying parameter is pinned at a bound (see AT_BOUND_RTOL)."""
        dist = jnp.stack(
            [
                bound_distance(k, pv[j], self.lo[i], self.hi[i], self.ref[j])
                for j, (k, i) in self._items()
            ]
        )
        return dist < AT_BOUND_RTOL
