r"""Chebyshev representation of the impedance ratios of a temperature sweep in (Tc, Δ0/Tc).

A fit of fr(T), Qi(T) needs, at the measured temperatures :math:`T_i`, the ratios
:math:`R_s(T_i)/X_s(0)` and :math:`X_s(T_i)/X_s(0) - 1` as functions of the fit parameters
Tc and ``gap_ratio`` only (the frequency is fixed).  Compiling the Mattis–Bardeen integrals,
the BCS gap solve and their Jacobian into the Levenberg–Marquardt loop takes minutes of XLA
time; so the ratios are evaluated ONCE, eagerly and vectorised, at Chebyshev points of the
parameter box, and the fit evaluates the interpolant (a few dozen multiply-adds per
temperature, exact derivatives of the interpolant).

As a function of Tc at fixed :math:`T_i` a ratio has a kink at :math:`T_c = T_i` (the gap
opens as :math:`\Delta \propto \sqrt{1 - T_i/T_c}`).  Each temperature therefore has two
pieces: the normal side :math:`T_c < T_i` (interpolated in Tc: only :math:`X_s(0)` depends
on Tc there) and the superconducting side, interpolated in :math:`s = \sqrt{T_c - T_i}`, in
which the ratios are smooth down to the gap onset.

* :math:`\ln(R_s/X_s(0))` is interpolated (nearly linear: :math:`-\Delta/T`),
  :math:`X_s/X_s(0) - 1` directly (it must be accurate in absolute terms: it multiplies
  :math:`\alpha_k/2` in :math:`\delta f/f`);
* the node count doubles from 16 until the interpolant matches the direct evaluation at
  the midpoints between nodes to ``tol`` (absolute in both), up to :data:`N_MAX`, column by
  column (a temperature far below every Tc of the box stops at 16–32 nodes; only those
  with a kink inside the box go on); the reached accuracy is kept in ``error``.

Accuracy: below Tc (every T_i < Tc over the box) 1e-9 is reached with 32 nodes.  Through Tc
the ratios are not analytic just above the onset, where 2Δ(T) crosses hf (the
pair-breaking threshold) and the coherence terms go as ln Δ: at 128 nodes the table is
within ~3e-2 (absolute; δX/X(0) reaches ~10 there) very close to :math:`T_c = T_i`, and
within 5e-4 (measured 1.5e-4, in :math:`\ln R_s` and :math:`\delta X/X(0)`) 1 % of Tc
away from every kink; ``TemperatureSweepFit.config["table_error"]`` reports the worst case.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from ..._checks import DomainError

__all__ = ["ChebyshevRatios", "build_ratios", "chebyshev_basis"]

N_START, N_MAX = 16, 128
#: floor of R_s/X_s(0) before the logarithm (below it the loss is irrelevant anyway)
R_FLOOR = 1e-300


def chebyshev_basis(u, n: int):
    """``[T_0(u), ..., T_{n-1}(u)]`` along a new last axis, by the three-term recurrence.

    Valid for
        real u of any shape (the interpolants are used on [-1, 1]) and n >= 2.
    """
    u = jnp.asarray(u)
    one = jnp.ones_like(u)
    if n == 2:
        return jnp.stack([one, u], axis=-1)

    def step(carry, _):
        prev, cur = carry
        nxt = 2.0 * u * cur - prev
        return (cur, nxt), nxt

    # a scan, not an unrolled loop: the compiled graph (and its derivative) stays the same
    # size for any n, where 128 unrolled terms cost the fit over a minute of XLA compilation
    _, rest = jax.lax.scan(step, (one, u), None, length=n - 2)
    return jnp.concatenate([one[..., None], u[..., None], jnp.moveaxis(rest, 0, -1)], axis=-1)


def _nodes(n: int) -> np.ndarray:
    """First-kind Chebyshev nodes on [-1, 1], increasing."""
    return np.cos(np.pi * (np.arange(n) + 0.5) / n)[::-1]


def _coefficients(values: np.ndarray, n: int) -> np.ndarray:
    """Chebyshev coefficients from values at the n increasing first-kind nodes (axis 0)."""
    k = np.arange(n)
    j = np.arange(n)[::-1]  # increasing node i is cos(pi (j + 0.5)/n) with j = n - 1 - i
    C = np.cos(np.pi * k[:, None] * (j[None, :] + 0.5) / n) * (2.0 / n)
    C[0] *= 0.5
    return np.tensordot(C, values, axes=(1, 0))


class ChebyshevRatios(eqx.Module):
    """Piecewise interpolants of the two ratios, one pair of pieces per temperature.

    ``T`` (n_T,) the temperatures; the normal piece of column i covers Tc in
    ``[tc_lo, nb[i]]`` (in Tc), the superconducting piece ``s = sqrt(Tc - T_i)`` in
    ``[sa[i], sb[i]]``; coefficients of shape (n, n_g, n_T) per piece and ratio.
    ``ratios(Tc, g)`` -> (R_s/X_s(0), X_s/X_s(0) - 1), each (n_T,).
    """

    T: jnp.ndarray
    nb: jnp.ndarray
    sa: jnp.ndarray
    sb: jnp.ndarray
    n_logr: jnp.ndarray
    n_dx: jnp.ndarray
    s_logr: jnp.ndarray
    s_dx: jnp.ndarray
    tc_lo: float
    g_lo: float
    g_hi: float
    error: float = eqx.field(static=True)

    def ratios(self, Tc, g):
        """Evaluate the interpolants at (Tc, gap_ratio).

        Valid for
            the box of :func:`build_ratios` (the fit's bounds); finite gradients inside it,
            also at Tc = T_i (double where).
        """
        n, n_g = self.s_dx.shape[:2]
        Tc = jnp.asarray(Tc, float)
        normal = Tc < self.T
        # normal side: u in [-1, 1] over [tc_lo, nb]
        width_n = jnp.where(self.nb > self.tc_lo, self.nb - self.tc_lo, 1.0)
        u = jnp.clip((2.0 * Tc - self.tc_lo - self.nb) / width_n, -1.0, 1.0)
        # superconducting side: s = sqrt(Tc - T_i) in [sa, sb]
        d = jnp.where(normal, 1.0, Tc - self.T)
        s = jnp.where(normal, self.sa, jnp.sqrt(jnp.where(d > 0, d, 1.0)))
        s = jnp.where(d > 0, s, 0.0)
        width_s = jnp.where(self.sb > self.sa, self.sb - self.sa, 1.0)
        v = jnp.clip((2.0 * s - self.sa - self.sb) / width_s, -1.0, 1.0)
        if n_g == 1:
            bg = jnp.ones((1,))
        else:
            w = (2.0 * g - (self.g_lo + self.g_hi)) / (self.g_hi - self.g_lo)
            bg = chebyshev_basis(jnp.asarray(w, float), n_g)
        bu, bv = chebyshev_basis(u, n), chebyshev_basis(v, n)  # (n_T, n)

        def ev(b, c):
            return jnp.einsum("ik,j,kji->i", b, bg, c)

        logr = jnp.where(normal, ev(bu, self.n_logr), ev(bv, self.s_logr))
        dx = jnp.where(normal, ev(bu, self.n_dx), ev(bv, self.s_dx))
        return jnp.exp(logr), dx


def _box(T, lo, hi):
    nb = np.clip(T, lo, hi)  # normal piece [lo, nb] (empty where T <= lo)
    sa = np.sqrt(np.maximum(lo - T, 0.0))
    sb = np.sqrt(np.maximum(hi - T, 0.0))
    return nb, sa, sb


def _points(u, T, lo, hi):
    """Tc of node u (m,) in each column's normal and superconducting pieces: (m, n_T) each."""
    nb, sa, sb = _box(T, lo, hi)
    tc_n = 0.5 * (lo + nb)[None, :] + 0.5 * (nb - lo)[None, :] * u[:, None]
    s = 0.5 * (sa + sb)[None, :] + 0.5 * (sb - sa)[None, :] * u[:, None]
    tc_s = T[None, :] + s**2
    # keep every point strictly on its own side of the kink
    tc_n = np.minimum(tc_n, T[None, :] * (1 - 1e-12))
    tc_s = np.maximum(tc_s, T[None, :] * (1 + 1e-12))
    return np.clip(tc_n, lo, hi), np.clip(tc_s, lo, hi)


def _table(direct, T, u, ug, lo, hi, glo, ghi, vary_g):
    """Direct values at the nodes: (logr, dx) per piece, shape (m, m_g, n_T)."""
    tc_n, tc_s = _points(u, T, lo, hi)
    g = 0.5 * (glo + ghi) + 0.5 * (ghi - glo) * ug if vary_g else np.array([glo])
    out = []
    for tc in (tc_n, tc_s):
        TC = np.broadcast_to(tc[:, None, :], (tc.shape[0], g.size, T.size))
        G = np.broadcast_to(g[None, :, None], TC.shape)
        r, dx = direct(TC.reshape(-1), np.broadcast_to(T, TC.shape).reshape(-1), G.reshape(-1))
        r = np.asarray(r).reshape(TC.shape)
        out += [np.log(np.maximum(r, R_FLOOR)), np.asarray(dx).reshape(TC.shape)]
    return out


def build_ratios(direct, T, tc_lo, tc_hi, g_lo, g_hi, *, vary_g: bool, tol: float = 1e-9):
    """Tabulate ``direct(Tc, T, g) -> (R_s/X_s(0), X_s/X_s(0) - 1)`` on flat point arrays.

    ``T`` (n_T,) the sweep's temperatures; Tc in ``[tc_lo, tc_hi]``, the gap ratio in
    ``[g_lo, g_hi]`` when ``vary_g`` (else fixed at ``g_lo``).

    Valid for
        0 < tc_lo < tc_hi, 0 < g_lo < g_hi (when vary_g); tol > 0.
    """
    if not 0 < tc_lo < tc_hi:
        raise DomainError(f"Chebyshev box needs 0 < tc_lo < tc_hi; got {tc_lo}, {tc_hi}")
    T = np.asarray(T, float)
    n, n_g = N_START, (8 if vary_g else 1)
    nb, sa, sb = _box(T, tc_lo, tc_hi)
    has = [nb > tc_lo, nb > tc_lo, sb > sa, sb > sa]  # columns where each piece exists
    # per column: its coefficients once converged (columns far below every Tc converge with
    # 16-32 nodes; only those with a kink in the box go on to N_MAX), and its error
    done: dict[int, tuple[list, float]] = {}
    active = np.arange(T.size)
    while True:
        Ta = T[active]
        u, ug = _nodes(n), (_nodes(n_g) if vary_g else np.zeros(1))
        vals = _table(direct, Ta, u, ug, tc_lo, tc_hi, g_lo, g_hi, vary_g)
        coefs = []
        for v in vals:
            c = _coefficients(v, n)
            if vary_g:
                c = np.moveaxis(_coefficients(np.moveaxis(c, 1, 0), n_g), 0, 1)
            coefs.append(c)
        um = 0.5 * (u[1:] + u[:-1])
        ugm = 0.5 * (ug[1:] + ug[:-1]) if vary_g else np.zeros(1)
        true = _table(direct, Ta, um, ugm, tc_lo, tc_hi, g_lo, g_hi, vary_g)
        # NumPy's Vandermonde matrix of the same basis (no eager JAX ops to compile here)
        bu = np.polynomial.chebyshev.chebvander(um, n - 1)
        bg = np.polynomial.chebyshev.chebvander(ugm, n_g - 1) if vary_g else np.ones((1, 1))
        err = np.zeros(Ta.size)
        for c, t, h, is_log in zip(coefs, true, has, (True, False, True, False)):
            approx = np.einsum("ak,bj,kji->abi", bu, bg, c)
            e = np.abs(approx - t)
            if is_log:
                e = np.where(t > np.log(R_FLOOR) + 50.0, e, 0.0)
            e = np.where(h[active][None, None, :], e, 0.0)
            err = np.maximum(err, e.max(axis=(0, 1), initial=0.0))
        last = n >= N_MAX
        for j, col in enumerate(active):
            if err[j] <= tol or last:
                done[int(col)] = ([c[..., j] for c in coefs], float(err[j]))
        active = np.array([c for c in active if int(c) not in done], dtype=int)
        if active.size == 0:
            break
        n *= 2
        if vary_g:
            n_g = min(2 * n_g, 32)
    # one array per piece: shorter expansions padded with zero coefficients (the same
    # polynomials), to the largest (n, n_g) any column needed
    n_max = max(done[i][0][0].shape[0] for i in done)
    g_max = max(done[i][0][0].shape[1] for i in done)

    def stack(k):
        out = np.zeros((n_max, g_max, T.size))
        for i, (cs, _) in done.items():
            c = cs[k]
            out[: c.shape[0], : c.shape[1], i] = c
        return out

    coefs = [stack(k) for k in range(4)]
    err = max(e for _, e in done.values())
    return ChebyshevRatios(
        T=jnp.asarray(T),
        nb=jnp.asarray(nb),
        sa=jnp.asarray(sa),
        sb=jnp.asarray(sb),
        n_logr=jnp.asarray(coefs[0]),
        n_dx=jnp.asarray(coefs[1]),
        s_logr=jnp.asarray(coefs[2]),
        s_dx=jnp.asarray(coefs[3]),
        tc_lo=float(tc_lo),
        g_lo=float(g_lo),
        g_hi=float(g_hi if vary_g else g_lo + 1.0),
        error=float(err),
    )
