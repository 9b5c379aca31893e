r"""Chebyshev representation of the impedance ratios of a temperature sweep in (Tc, Δ0/Tc).

A fit of fr(T), Qi(T) needs, at the measured temperatures :math:`T_i`, the ratios
:math:`R_s(T_i)/X_s(0)` and :math:`X_s(T_i)/X_s(0) - 1` as functions of the fit parameters
Tc and ``gap_ratio`` only (the frequency is fixed).  Compiling the Mattis–Bardeen integrals,
the BCS gap solve and their Jacobian into the Levenberg–Marquardt loop takes minutes of XLA
time; so the ratios are evaluated ONCE, eagerly and vectorised, at Chebyshev points of the
parameter box, and the fit evaluates the interpolant (a few dozen multiply-adds, exact
derivatives of the interpolant).

* :math:`\ln(R_s/X_s(0))` is interpolated (it is nearly linear in Tc: :math:`-\Delta/T`),
  :math:`X_s/X_s(0) - 1` directly (it must be accurate in absolute terms: it multiplies
  :math:`\alpha_k/2` in :math:`\delta f/f`);
* the node count doubles from 16 until the interpolant matches the direct evaluation at
  the midpoints between nodes to ``tol`` (relative for the logarithm, absolute for
  :math:`\delta X/X`), up to :data:`N_MAX`; the reached accuracy is kept in ``error``.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from ..._checks import DomainError

__all__ = ["ChebyshevRatios", "build_ratios", "chebyshev_basis"]

N_START, N_MAX = 16, 128
#: floor of R_s/X_s(0) before the logarithm (below it the loss is irrelevant anyway)
R_FLOOR = 1e-300


def chebyshev_basis(u, n: int):
    """``[T_0(u), ..., T_{n-1}(u)]`` by the three-term recurrence (u in [-1, 1]; jnp).

    Valid for
        real u (any value; the interpolants are used on [-1, 1]) and n >= 2.
    """
    out = [jnp.ones_like(u), u]
    for _ in range(n - 2):
        out.append(2.0 * u * out[-1] - out[-2])
    return jnp.stack(out, axis=-1)


def _nodes(n: int) -> np.ndarray:
    return np.cos(np.pi * (np.arange(n) + 0.5) / n)[::-1]


def _coefficients(values: np.ndarray, n: int) -> np.ndarray:
    """Chebyshev coefficients from values at the n first-kind nodes, along axis 0."""
    k = np.arange(n)
    j = np.arange(n)[::-1]  # nodes are sorted increasing: node i is cos(pi (n-1-i+0.5)/n)
    C = np.cos(np.pi * k[:, None] * (j[None, :] + 0.5) / n) * (2.0 / n)
    C[0] *= 0.5
    return np.tensordot(C, values, axes=(1, 0))


class ChebyshevRatios(eqx.Module):
    """The two ratio interpolants on ``Tc in [tc_lo, tc_hi]`` (× ``g in [g_lo, g_hi]``).

    ``coef_logr`` and ``coef_dx`` have shape (n_tc, n_g, n_T) (``n_g = 1`` when the gap
    ratio is fixed).  Call ``ratios(Tc, g)`` -> (R_s/X_s(0), X_s/X_s(0) - 1), each (n_T,).
    """

    coef_logr: jnp.ndarray
    coef_dx: jnp.ndarray
    tc_lo: float
    tc_hi: float
    g_lo: float
    g_hi: float
    error: float = eqx.field(static=True)

    def ratios(self, Tc, g):
        """Evaluate the interpolants at (Tc, gap_ratio).

        Valid for
            tc_lo <= Tc <= tc_hi and g_lo <= g <= g_hi (the fit's bounds).
        """
        n_tc, n_g = self.coef_dx.shape[:2]
        u = (2.0 * Tc - (self.tc_lo + self.tc_hi)) / (self.tc_hi - self.tc_lo)
        bt = chebyshev_basis(jnp.asarray(u, float), n_tc)
        if n_g == 1:
            bg = jnp.ones((1,))
        else:
            v = (2.0 * g - (self.g_lo + self.g_hi)) / (self.g_hi - self.g_lo)
            bg = chebyshev_basis(jnp.asarray(v, float), n_g)
        logr = jnp.einsum("i,j,ijk->k", bt, bg, self.coef_logr)
        dx = jnp.einsum("i,j,ijk->k", bt, bg, self.coef_dx)
        return jnp.exp(logr), dx


def _eval(direct, tc, g):
    """Direct ratios at the outer product of tc (n_a,) and g (n_b,): (n_a, n_b, n_T) each."""
    TC, G = np.meshgrid(tc, g, indexing="ij")
    r, dx = direct(TC.reshape(-1, 1), G.reshape(-1, 1))
    shape = TC.shape + (-1,)
    r = np.asarray(r).reshape(shape)
    return np.log(np.maximum(r, R_FLOOR)), np.asarray(dx).reshape(shape)


def _fit_axis(direct, lo, hi, glo, ghi, vary_g, tol):
    n_tc, n_g = N_START, (8 if vary_g else 1)
    while True:
        ut, ug = _nodes(n_tc), (_nodes(n_g) if vary_g else np.zeros(1))
        tc = 0.5 * (lo + hi) + 0.5 * (hi - lo) * ut
        g = 0.5 * (glo + ghi) + 0.5 * (ghi - glo) * ug if vary_g else np.array([glo])
        logr, dx = _eval(direct, tc, g)
        cl = _coefficients(logr, n_tc)
        cd = _coefficients(dx, n_tc)
        if vary_g:
            cl = np.moveaxis(_coefficients(np.moveaxis(cl, 1, 0), n_g), 0, 1)
            cd = np.moveaxis(_coefficients(np.moveaxis(cd, 1, 0), n_g), 0, 1)
        # check at the midpoints between the Tc nodes (and between the g nodes)
        um = 0.5 * (ut[1:] + ut[:-1])
        tcm = 0.5 * (lo + hi) + 0.5 * (hi - lo) * um
        if vary_g:
            vm = 0.5 * (ug[1:] + ug[:-1])
            gm = 0.5 * (glo + ghi) + 0.5 * (ghi - glo) * vm
        else:
            vm, gm = np.zeros(1), np.array([glo])
        lr_true, dx_true = _eval(direct, tcm, gm)
        bt = np.asarray(chebyshev_basis(jnp.asarray(um), n_tc))
        bg = np.asarray(chebyshev_basis(jnp.asarray(vm), n_g)) if vary_g else np.ones((1, 1))
        lr_int = np.einsum("ai,bj,ijk->abk", bt, bg, cl)
        dx_int = np.einsum("ai,bj,ijk->abk", bt, bg, cd)
        live = lr_true > np.log(R_FLOOR) + 50.0
        err_lr = np.max(np.where(live, np.abs(lr_int - lr_true), 0.0), initial=0.0)
        err = max(err_lr, float(np.max(np.abs(dx_int - dx_true))))
        if err <= tol or n_tc >= N_MAX:
            return cl, cd, err
        n_tc *= 2
        if vary_g:
            n_g = min(2 * n_g, 32)


def build_ratios(direct, tc_lo, tc_hi, g_lo, g_hi, *, vary_g: bool, tol: float = 1e-9):
    """Tabulate ``direct(Tc, g) -> (R_s/X_s(0), X_s/X_s(0) - 1)`` (NumPy-callable).

    ``direct`` broadcasts Tc, g of shape (m, 1) against its own temperature axis (n_T,).

    Valid for
        0 < tc_lo < tc_hi, 0 < g_lo < g_hi (g_hi unused when not vary_g); tol > 0.
    """
    if not 0 < tc_lo < tc_hi:
        raise DomainError(f"Chebyshev box needs 0 < tc_lo < tc_hi; got {tc_lo}, {tc_hi}")
    cl, cd, err = _fit_axis(direct, tc_lo, tc_hi, g_lo, g_hi, vary_g, tol)
    return ChebyshevRatios(
        coef_logr=jnp.asarray(cl),
        coef_dx=jnp.asarray(cd),
        tc_lo=float(tc_lo),
        tc_hi=float(tc_hi),
        g_lo=float(g_lo),
        g_hi=float(g_hi if vary_g else g_lo + 1.0),
        error=float(err),
    )
