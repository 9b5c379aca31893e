r"""Gurevich's nonlinear BCS resistance with self-consistent overheating, as a loss term.

R(B, T0, f) = R_BCS(T0, f)·Rs(B)/Rs0|_{α}, with R_BCS the zero-field term of
:class:`~dissipax.rf.losses.bcs.BCS` and the ratio from Gurevich, PRL 113, 087001 (2014),
Eqs. (10), (12)–(15): the nonequilibrium σ1 averaged over the rf period and the depth,
at the quasiparticle temperature T of the power balance Eq. (13),
T − T0 = α T0 (B/B_c)² Rs(B, T)/Rs0 (:func:`dissipax.rf.surface.solve_overheating`).

Cost and accuracy: the ratio needs, per point, ``n_depth`` instantaneous kernels of
``n`` energy nodes (their temperature-independent parts are computed once and reused by
every Newton step of that point, :func:`dissipax.rf.surface._solve_point`).  ``tol``
chooses both counts from :data:`NODE_TABLE`, measured against the 96 × 40 rule over
b ≤ 0.5, ħω = 0.001–0.01 Δ0, T0 = 0.11–0.134 Δ0, α ≤ 2 at the stable points (max relative
error 7.4e-3, 3.1e-3, 6.5e-4, 1.5e-5 for the first four rows; ``tests/rf_surface/test_losses.py``
checks the default row).
Runaway points (no stable temperature) give Rs/Rs0 = 1e3, a large finite residual.
"""

from __future__ import annotations

import functools
from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp

from ... import units
from .._validate import nodes
from ..overheating import STATUS_OK
from ..surface import READINGS, _solve_point
from ._base import AbstractLoss, ParamSpec
from .bcs import _DELTA0, _RS0, bcs_scale

__all__ = ["NODE_TABLE", "GurevichBCS", "nodes_for_tolerance"]

#: requested relative tolerance of Rs/Rs0 -> (energy nodes, period-depth nodes)
NODE_TABLE = {1e-2: (24, 8), 3e-3: (24, 12), 1e-3: (32, 16), 2e-5: (64, 24), 1e-8: (96, 40)}
_RUNAWAY_PENALTY = 1e3


def nodes_for_tolerance(tol: float) -> tuple[int, int]:
    """Return the smallest (n, n_depth) of :data:`NODE_TABLE` whose tolerance is ≤ ``tol``.

    Valid for
        finite ``tol`` > 0; below 1e-8 the 96 × 40 rule is returned (its own accuracy,
        ~1e-8 against SciPy, bounds what more nodes could give).
    """
    if not (isinstance(tol, (int, float)) and tol > 0):
        from ..._checks import DomainError

        raise DomainError(f"argument 'tol' must be a number > 0; got {tol!r}")
    for t in sorted(NODE_TABLE, reverse=True):
        if t <= tol:
            return NODE_TABLE[t]
    return NODE_TABLE[min(NODE_TABLE)]


@functools.cache
def _ratio_kernel(reading: str, model: str, n: int, n_depth: int):
    solve = functools.partial(
        _solve_point, reading=reading, model=model, n=n, n_depth=n_depth, T_max_over_T0=2.0
    )

    def kernel(b, omega, T0, alpha):
        sol = solve(b, omega, T0, alpha)
        return jnp.where(sol.status == STATUS_OK, sol.ratio, _RUNAWAY_PENALTY)

    return kernel


class GurevichBCS(AbstractLoss):
    """BCS resistance with Gurevich's nonlinear field dependence and overheating (module doc).

    Attributes
    ----------
    Rs0_nOhm
        Zero-field BCS resistance at (f_ref, T_ref) [nΩ].
    alpha
        Overheating parameter α of Eq. (13) (0–20).
    Delta0_K
        Gap Δ0/k_B [K] (fixed by default).
    Bc_mT
        B_c [mT] of b = B/B_c (static).
    T_ref_K
        Reference temperature [K] (static).
    reading, model
        Field normalisation and σ1 model of :func:`dissipax.rf.surface_resistance_ratio`.
    tol
        Requested relative accuracy of Rs/Rs0 (chooses the node counts; static).
    """

    PARAMS: ClassVar[dict[str, ParamSpec]] = {
        "Rs0_nOhm": _RS0,
        "Delta0_K": _DELTA0,
        "alpha": ParamSpec("1", 0.0, 20.0, True, "overheating parameter of Eq. (13)"),
    }
    Rs0_nOhm: float = 1.0
    alpha: float = 0.1
    Delta0_K: float = 17.5
    Bc_mT: float = eqx.field(static=True, default=200.0)
    T_ref_K: float = eqx.field(static=True, default=2.0)
    reading: str = eqx.field(static=True, default="printed")
    model: str = eqx.field(static=True, default="nonequilibrium")
    tol: float = eqx.field(static=True, default=3e-3)

    def __check_init__(self):
        from ..._checks import check_choice
        from ..surface import MODELS

        check_choice("reading", self.reading, READINGS)
        check_choice("model", self.model, MODELS)
        nodes_for_tolerance(self.tol)

    @property
    def needs_points(self) -> bool:
        """True: solved per point."""
        return True

    def ratio(self, B_mT, T_K, f_Hz):
        """Rs(B)/Rs0 at the bath temperatures (1e3 at runaway points); 1-D arrays."""
        n, n_depth = nodes_for_tolerance(self.tol)
        n, n_depth = nodes("n", n), nodes("n_depth", n_depth)
        kernel = _ratio_kernel(self.reading, self.model, n, n_depth)
        b = jnp.asarray(B_mT, float) / self.Bc_mT
        omega = units.hz_to_kelvin(f_Hz) / self.Delta0_K
        T0 = jnp.asarray(T_K, float) / self.Delta0_K
        alpha = jnp.asarray(self.alpha, float)
        args = jnp.broadcast_arrays(b, omega, T0, alpha)
        shape = args[0].shape
        flat = jax.vmap(kernel)(*(a.reshape(-1) for a in args))
        return flat.reshape(shape)

    def rs_ohm(self, B_mT, T_K, f_Hz, f_ref_Hz):
        """Rs [Ω] of this term at the points (see :class:`AbstractLoss`)."""
        scale = bcs_scale(T_K, f_Hz, f_ref_Hz, Delta0_K=self.Delta0_K, T_ref_K=self.T_ref_K)
        return 1e-9 * self.Rs0_nOhm * scale * self.ratio(B_mT, T_K, f_Hz)
