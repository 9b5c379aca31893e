r"""Temperature sweeps of a superconducting resonator: fr(T) and Qi(T) fitted jointly.

One model for both observables (Gao, PhD thesis, Caltech (2008), Sec. 2; Zmuidzinas,
Annu. Rev. Condens. Matter Phys. 3, 169 (2012)): with the kinetic-inductance fraction
:math:`\alpha_k` and the surface impedance :math:`Z_s = R_s + iX_s` of
:func:`dissipax.rf.surface_impedance_ohm` (Mattis–Bardeen with the BCS gap Δ(T)),

.. math::

    \frac{f_r(T) - f_r(0)}{f_r(0)} = -\frac{\alpha_k}{2}\,
        \frac{X_s(T) - X_s(0)}{X_s(0)} + \left.\frac{\delta f}{f}\right|_{TLS}(T),
    \qquad
    \frac{1}{Q_i(T)} = \alpha_k\,\frac{R_s(T)}{X_s(0)} + \frac{1}{Q_\mathrm{other}}
        + F\delta_{TLS}\tanh\frac{hf}{2k_BT},

first order in the perturbation of the kinetic inductance (both with the same reference
reactance :math:`X_s(0)`, as the complex frequency shift
:math:`\delta f/f - i\,\delta(1/Q)/2 = -(\alpha_k/2)\,\delta Z_s/(iX_s(0))` requires); the
TLS terms (optional, :mod:`.tls`) share the one strength :math:`F\delta_{TLS}`.

``impedance`` chooses :math:`Z_s`:

* ``"thin"`` — a film. Without ``thickness_m`` the thin-film limit :math:`d \ll \lambda`,
  :math:`Z_s = 1/(\sigma d)` (conjugated to :math:`R_s + iX_s`), in which the two ratios
  above depend on neither :math:`d` nor :math:`\rho_n`; with ``thickness_m`` and
  ``rho_n_ohm_m`` the full :math:`\coth` form of :func:`~dissipax.rf.surface_impedance_ohm`.
* ``"bulk"`` — the local bulk impedance :math:`\overline{\sqrt{-i\mu_0\omega/\sigma}}`
  (ratios independent of :math:`\rho_n`; the dirty limit :math:`\ell \ll \xi_0`).
* ``"anomalous"`` — the extreme anomalous limit of Mattis & Bardeen, Phys. Rev. 111, 412
  (1958) (clean metal, :math:`\xi_0, \ell \gg \lambda`; bulk Al):
  :math:`Z_s \propto e^{i\pi/3}(\sigma_1 - i\sigma_2)^{-1/3}` (Gao 2008, Sec. 2;
  Zmuidzinas 2012), whose normal state has :math:`X_s = \sqrt3 R_s`.

At :math:`T \ll T_c` :math:`\delta X_s/X_s = \gamma\,\delta\sigma_2/\sigma_2` with
:math:`\gamma = -1` (thin), :math:`-\tfrac12` (bulk), :math:`-\tfrac13` (anomalous): the
choices give the same Tc, and α_k inversely as their γ.  Above Tc they differ: the normal
film (thin) has no reactance, so fr *rises* above Tc, while in the bulk limits it falls, by
:math:`(\alpha_k/2)(X_n/X_s(0) - 1)`.

Parameters: ``Tc_K``, ``alpha_k``, ``fr0_Hz`` (= fr(0)), ``Q_other``, ``F_delta_tls`` and,
optionally varied, the coupling ratio ``gap_ratio`` = Δ0/k_BTc (weak coupling 1.764 by
default: then Tc and Δ0 are one parameter).  ``fit="fr"`` and ``fit="Qi"`` fit each
observable alone under the same model, so that one can check whether they agree
(:func:`compare_sweep_fits`).  ``tc_spread=True`` adds ``Tc_spread_K``: a film whose Tc
is Gaussian about ``Tc_K``, its surface impedance averaged in series over the
distribution (:mod:`.tc_spread`); the per-Tc model above is what it averages.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from ... import units
from ..._checks import DomainError, check_choice
from ...fit import FitResult, Parameter, least_squares
from ..complex_conductivity import sigma_mattis_bardeen
from ..impedance import ALPHA_BCS, impedance_from_sigma
from .chebyshev import build_ratios
from .tc_spread import check_spread, series_average
from .tls import tls_loss, tls_shift

__all__ = [
    "SweepComparison",
    "TemperatureSweepFit",
    "compare_sweep_fits",
    "fit_temperature_sweep",
    "sweep_model",
]

IMPEDANCES = ("thin", "bulk", "anomalous")
FITS = ("joint", "fr", "Qi")
#: fr0 = f_ref (1 + FR0_SCALE u): one unit of the fit coordinate is 1 ppm
FR0_SCALE = 1e-6
#: the fit bounds Tc to [start / TC_BOX, start * TC_BOX] (and above max(T_K)/1.9)
TC_BOX = 2.0
#: bounds of the gap ratio Delta0/k_B Tc when it is fitted
GAP_BOX = (1.5, 2.5)
#: the fit bounds the Tc spread to [0, SPREAD_BOX * Tc start] and starts it at
#: SPREAD_START * Tc start
SPREAD_BOX, SPREAD_START = 0.05, 0.02
#: the direct models take the normal state of each temperature at Tc = 0.75 T
NORMAL_TC_OVER_T = 0.75
#: Tc candidates (times the start) scanned by the linear automatic start
TC_SCAN = (0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4)
#: temperature of the reference reactance X_s(0), as a fraction of Tc (T = 0 itself
#: sits on the sigma1 = 0 branch point; at 1e-3 Tc, sigma1 ~ e^{-1764} underflows to 0)
T_REF_OVER_TC = 1e-3
_H_OVER_KB = units.h / units.k_B


def _sigma(omega, T, Tc):
    """Complex sigma/sigma_n of :func:`~dissipax.rf.sigma_mattis_bardeen` at Gamma = 0."""
    return sigma_mattis_bardeen(omega, T, Tc=Tc)


def _impedance(f_Hz, T_K, Tc_K, gap_ratio, *, impedance, rho_n_ohm_m, thickness_m):
    """Z_s [Ω] (R_s + iX_s) at (f, T); in the thin-film limit Z_s·d/ρ_n."""
    Delta0_K = gap_ratio * Tc_K
    omega = _H_OVER_KB * f_Hz / Delta0_K
    sigma = _sigma(omega, T_K / Delta0_K, Tc_K / Delta0_K)
    if impedance == "thin" and thickness_m is None:
        return jnp.conj(1.0 / sigma)  # the sheet impedance 1/(sigma d), times d sigma_n
    if impedance == "anomalous":
        # extreme anomalous limit, Z_s ∝ e^{iπ/3} (σ1 - iσ2)^{-1/3} (up to a real factor)
        return jnp.exp(1j * jnp.pi / 3.0) * jnp.conj(sigma) ** (-1.0 / 3.0)
    # as surface_impedance_ohm(f_Hz, T_K, Tc_K=..., rho_n_ohm_m=..., thickness_m=...,
    # Delta0_K=...), whose conductivity and impedance functions it calls
    return impedance_from_sigma(
        f_Hz, sigma, rho_n_ohm_m, thickness_m if impedance == "thin" else None
    )


def impedance_ratios(f_Hz, T_K, Tc_K, gap_ratio, **cfg):
    r"""``(R_s(T)/X_s(0), X_s(T)/X_s(0) - 1)`` of the chosen impedance (module docstring).

    Valid for
        f_Hz >= 1e3 [Hz], 0 < T_K < 2 Tc_K [K], gap_ratio > 0; ``cfg``: ``impedance``,
        ``rho_n_ohm_m``, ``thickness_m`` as in :func:`fit_temperature_sweep`.
    """
    z = _impedance(f_Hz, T_K, Tc_K, gap_ratio, **cfg)
    x0 = reference_reactance(f_Hz, Tc_K, gap_ratio, **cfg)
    return jnp.real(z) / x0, jnp.imag(z) / x0 - 1.0


def reference_reactance(f_Hz, Tc_K, gap_ratio, **cfg):
    r"""Return the reference reactance :math:`X_s(0)` of :func:`impedance_ratios` (T = 1e-3 Tc).

    In units that do not depend on Tc (Ω; Z_s·d/ρ_n in the thin-film limit; the real
    factor dropped in the anomalous limit is Tc-independent too), so that films of
    different Tc can be compared (:mod:`.tc_spread`).

    Valid for
        f_Hz >= 1e3 [Hz], Tc_K > 0, gap_ratio > 0; ``cfg`` as in :func:`impedance_ratios`.
    """
    return jnp.imag(_impedance(f_Hz, T_REF_OVER_TC * Tc_K, Tc_K, gap_ratio, **cfg))


#: traced evaluation: the Mattis-Bardeen node counts are then the fixed traced ones, so every
#: chunk reuses one executable (eagerly they follow each chunk's integration spans, and
#: a sweep through Tc compiled about ten different sets of them)
_ratios_jit = jax.jit(impedance_ratios, static_argnames=("impedance", "rho_n_ohm_m", "thickness_m"))

#: points per eager evaluation of the impedance ratios (one compiled shape for every table)
CHUNK = 512


_x0_jit = jax.jit(reference_reactance, static_argnames=("impedance", "rho_n_ohm_m", "thickness_m"))


def _chunked(fn, f_Hz, arrays, cfg):
    """``fn(f, *arrays[:, chunk], **cfg)`` over chunks of :data:`CHUNK` points (padded)."""
    arrays = [np.ravel(a).astype(float) for a in np.broadcast_arrays(*arrays)]
    n = arrays[0].size
    pad = (-n) % CHUNK
    arrays = [np.concatenate([a, np.full(pad, a[-1])]) for a in arrays]
    outs = []
    for k in range(0, n + pad, CHUNK):
        sl = slice(k, k + CHUNK)
        # f as a float64 array: a Python float and a NumPy scalar are different signatures
        # to jit (one ~8 s compilation each, not kept by the persistent cache: the
        # kernels' run-time guards are host callbacks)
        out = fn(np.asarray(f_Hz, float), *(a[sl] for a in arrays), **cfg)
        outs.append([np.asarray(o) for o in (out if isinstance(out, tuple) else (out,))])
    return tuple(np.concatenate(col)[:n] for col in zip(*outs))


def tabulate_ratios(f_Hz, T_K, Tc_K, gap_ratio, **cfg):
    """:func:`impedance_ratios` at the points (T_K[k], Tc_K[k], gap_ratio[k]), eagerly.

    Flat arrays of one length m (or broadcastable to it); returns two (m,) NumPy arrays.
    Evaluated in chunks of :data:`CHUNK` points (padded), so that the Mattis–Bardeen
    kernels compile once whatever m is.

    Valid for
        concrete arrays in the domain of :func:`impedance_ratios`.
    """
    return _chunked(_ratios_jit, f_Hz, (T_K, Tc_K, gap_ratio), cfg)


def tabulate_reactance(f_Hz, Tc_K, gap_ratio, **cfg):
    """:func:`reference_reactance` at the points (Tc_K[k], gap_ratio[k]), eagerly ((m,)).

    Valid for
        concrete arrays in the domain of :func:`reference_reactance`.
    """
    return _chunked(_x0_jit, f_Hz, (Tc_K, gap_ratio), cfg)[0]


def sweep_model(
    T_K,
    *,
    Tc_K,
    alpha_k,
    fr0_Hz,
    Q_other,
    F_delta_tls=0.0,
    gap_ratio=ALPHA_BCS,
    impedance="thin",
    rho_n_ohm_m=1e-8,
    thickness_m=None,
    f_Hz=None,
    Tc_spread_K=None,
):
    r"""fr(T) [Hz] and Qi(T) of the model in the module docstring.

    Parameters
    ----------
    T_K
        Temperatures [K], any shape.
    Tc_K, alpha_k, fr0_Hz, Q_other, F_delta_tls, gap_ratio
        Critical temperature [K], kinetic-inductance fraction, fr(T = 0) [Hz], the
        temperature-independent Q, the TLS strength F·δ_TLS, Δ0/k_BTc.
    impedance, rho_n_ohm_m, thickness_m
        The surface impedance (module docstring).
    f_Hz
        Frequency [Hz] of the impedance and TLS terms (default ``fr0_Hz``;
        :func:`fit_temperature_sweep` uses the measured fr at the lowest temperature).
    Tc_spread_K
        ``None``: one Tc.  A number σ >= 0 [K]: an inhomogeneous film, Tc Gaussian with mean
        ``Tc_K`` and standard deviation σ, the surface impedance averaged over it
        (:mod:`.tc_spread`; about 50 Mattis–Bardeen evaluations per temperature);
        σ = 0 is the single-Tc model.

    Returns
    -------
    (fr_Hz, Qi)
        Arrays of the shape of ``T_K``.

    Valid for
        0 < T_K < 2 Tc_K (with a spread: σ < Tc_K/8), 0 < alpha_k <= 1,
        Q_other > 0, F_delta_tls >= 0; pure jnp (jit, grad, vmap).
    """
    cfg = dict(impedance=impedance, rho_n_ohm_m=rho_n_ohm_m, thickness_m=thickness_m)
    f = fr0_Hz if f_Hz is None else f_Hz
    if Tc_spread_K is None:
        rs, dx = impedance_ratios(f, T_K, Tc_K, gap_ratio, **cfg)
    else:
        T = jnp.ravel(jnp.asarray(T_K))
        rs, dx = series_average(
            T,
            Tc_K,
            Tc_spread_K,
            lambda tc: impedance_ratios(f, T[:, None], tc, gap_ratio, **cfg),
            lambda tc: reference_reactance(f, tc, gap_ratio, **cfg),
            NORMAL_TC_OVER_T * T,
        )
        rs, dx = rs.reshape(jnp.shape(T_K)), dx.reshape(jnp.shape(T_K))
    shift = tls_shift(f, T_K, F_delta_tls=F_delta_tls)
    loss = tls_loss(f, T_K, F_delta_tls=F_delta_tls)
    fr = fr0_Hz * (1.0 - 0.5 * alpha_k * dx + shift)
    qi = 1.0 / (alpha_k * rs + 1.0 / Q_other + loss)
    return fr, qi


@jax.jit
def _tls_jit(f_Hz, T_K, F_delta_tls):
    """TLS shift and loss as one compiled call (eagerly each jnp op would compile alone)."""
    return tls_shift(f_Hz, T_K, F_delta_tls=F_delta_tls), tls_loss(
        f_Hz, T_K, F_delta_tls=F_delta_tls
    )


def _evaluate(T_K, params: dict, config: dict, f_Hz: float):
    """:func:`sweep_model` for concrete input, with the ratios from :func:`tabulate_ratios`.

    With ``config["tc_spread"]`` the same :func:`~.tc_spread.series_average` as the fit,
    of the direct ratios.
    """
    T = np.ravel(T_K)
    cfg = {k: config[k] for k in ("impedance", "rho_n_ohm_m", "thickness_m")}
    g = params["gap_ratio"]
    if config.get("tc_spread"):

        def ratios(tc):
            tc = np.asarray(tc)
            r, d = tabulate_ratios(f_Hz, np.broadcast_to(T[:, None], tc.shape), tc, g, **cfg)
            return r.reshape(tc.shape), d.reshape(tc.shape)

        def reactance(tc):
            tc = np.asarray(tc)
            return tabulate_reactance(f_Hz, tc, g, **cfg).reshape(tc.shape)

        rs, dx = (
            np.asarray(a)
            for a in series_average(
                T,
                params["Tc_K"],
                params["Tc_spread_K"],
                ratios,
                reactance,
                NORMAL_TC_OVER_T * T,
            )
        )
    else:
        rs, dx = tabulate_ratios(f_Hz, T, params["Tc_K"], g, **cfg)
    F = params["F_delta_tls"]
    shift, loss = (np.asarray(a) for a in _tls_jit(f_Hz, T, F))
    fr = params["fr0_Hz"] * (1.0 - 0.5 * params["alpha_k"] * dx + shift)
    qi = 1.0 / (params["alpha_k"] * rs + 1.0 / params["Q_other"] + loss)
    return fr.reshape(np.shape(T_K)), qi.reshape(np.shape(T_K))


@functools.cache
def _fit_model(which: str, tc_spread: bool = False):
    """Return the model of one fit in fit coordinates (cached: one function object per kind).

    The impedance ratios come from the Chebyshev table ``x["table"]`` (:mod:`.chebyshev`),
    evaluated at the fixed frequency ``x["f_ref"]``; with ``tc_spread`` at the nodes of the
    Tc distribution (the table holds its values at the edges of its box ``x["tc_box"]``
    beyond it), averaged with the reference reactances of the table ``x["x0_table"]``
    (:func:`~.tc_spread.series_average`).
    """

    def fn(x, Tc_K, alpha_k, u_fr0, Q_other, F_delta_tls, gap_ratio, Tc_spread_K):
        fr0 = x["f_ref"] * (1.0 + FR0_SCALE * u_fr0)
        if tc_spread:

            def ratios(tc):  # (n_T, m): column i of the table at tc[i, :]
                return jax.vmap(lambda c: x["table"].ratios(c, gap_ratio), 1, 1)(tc)

            def reactance(tc):
                flat = jax.vmap(lambda c: x["x0_table"].ratios(c, gap_ratio)[0][0])
                return flat(jnp.ravel(tc)).reshape(jnp.shape(tc))

            # the table's normal piece exists for T_i > tc_lo (series_average leaves the
            # normal patches out below it: with sigma <= SPREAD_BOX Tc a fraction < 1e-9)
            normal_tc = jnp.full(x["T"].shape, x["tc_box"][0])
            rs, dx = series_average(x["T"], Tc_K, Tc_spread_K, ratios, reactance, normal_tc)
        else:
            rs, dx = x["table"].ratios(Tc_K, gap_ratio)
        f, T = x["f_ref"], x["T"]
        fr = fr0 * (1.0 - 0.5 * alpha_k * dx + tls_shift(f, T, F_delta_tls=F_delta_tls))
        qi = 1.0 / (alpha_k * rs + 1.0 / Q_other + tls_loss(f, T, F_delta_tls=F_delta_tls))
        if which == "fr":
            return fr
        if which == "Qi":
            return qi
        return fr, qi

    return fn


# --- results ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class TemperatureSweepFit:
    r"""Result of :func:`fit_temperature_sweep`.

    Attributes
    ----------
    params, stderr
        ``Tc_K``, ``Delta0_K``, ``alpha_k``, ``fr0_Hz``, ``Q_other``, ``F_delta_tls``,
        ``gap_ratio``, ``Tc_spread_K`` (floats; the last 0 without ``tc_spread``); stderr 0
        for fixed parameters (and for ``Q_other`` in an
        fr-only fit, ``fr0_Hz`` in a Qi-only fit, which those data do not constrain).
    fit_kind
        ``"joint"``, ``"fr"`` or ``"Qi"``.
    chi2, chi2_red, ndata
        At the optimum, with the data errors (``ndata`` real residuals).
    success, message
        Convergence flag and the engine's message.
    config
        ``impedance``, ``rho_n_ohm_m``, ``thickness_m``, ``tls``, ``T_err``,
        ``table_error``, ``tc_spread``, ``tc_box`` (the Tc range of the table, to which
        the spread's node Tc are clipped).
    errors
        ``"fr"``, ``"Qi"``: the standard errors the fit used ((n,) arrays): the data's, or
        with ``T_err`` the effective ones :math:`\sqrt{\sigma^2 + (\partial y/\partial T)^2
        \sigma_T^2}`.
    start
        The automatic starting values.
    fit
        The underlying :class:`~dissipax.fit.FitResult` (fit coordinates), unchanged.
    """

    params: dict
    stderr: dict
    fit_kind: str
    chi2: float
    chi2_red: float
    ndata: int
    success: bool
    message: str
    config: dict
    start: dict
    fit: FitResult
    errors: dict = dataclasses.field(default_factory=dict)

    def model(self, T_K):
        """Evaluate ``(fr_Hz, Qi)`` of the fitted model at temperatures ``T_K`` [K].

        Direct Mattis–Bardeen evaluation (not the fit's table), through the one compiled
        chunk of :func:`tabulate_ratios`.

        Valid for
            0 < T_K < 2 Tc_K.
        """
        return _evaluate(np.asarray(T_K, float), self.params, self.config, self.start["f_ref"])

    def report(self) -> str:
        """Text summary: parameters with stderr, chi2_red, status."""
        lines = [
            f"temperature sweep fit ({self.fit_kind}, impedance={self.config['impedance']}, "
            f"tls={self.config['tls']}): chi2_red = {self.chi2_red:.4g} ({self.ndata} points); "
            f"{self.message}"
        ]
        for k, v in self.params.items():
            lines.append(f"  {k:>12} = {v:.8g} ± {self.stderr[k]:.3g}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Plain dict (``dissipax.io.write_json``)."""
        return {
            "params": dict(self.params),
            "stderr": dict(self.stderr),
            "fit_kind": self.fit_kind,
            "chi2": self.chi2,
            "chi2_red": self.chi2_red,
            "ndata": self.ndata,
            "success": self.success,
            "message": self.message,
            "config": dict(self.config),
        }


# --- validation and starts ----------------------------------------------------------------
def _check_data(T_K, fr_Hz, Qi, fr_err, Qi_err, fit_kind):
    from ..._checks import check

    T = np.asarray(T_K, float)
    if T.ndim != 1:
        raise DomainError(f"argument 'T_K' must be 1-D (one value per temperature); got {T.shape}")
    arrays = {"T_K": T}
    for name, v in (("fr_Hz", fr_Hz), ("Qi", Qi), ("fr_err", fr_err), ("Qi_err", Qi_err)):
        if v is None:
            continue
        a = np.asarray(v, float)
        if a.shape != T.shape:
            raise DomainError(
                f"argument '{name}' must have the shape of T_K {T.shape}; got {a.shape}"
            )
        arrays[name] = a
    for name, a in arrays.items():
        bad = ~np.isfinite(a)
        if bad.any():
            raise DomainError(
                f"argument '{name}' has NaN or inf at index(es) "
                f"{', '.join(str(i) for i in np.flatnonzero(bad)[:10])}: drop those temperatures"
            )
    check("T_K", T, gt=0.0, valid="temperatures in kelvin")
    if T.max() > 50.0:
        raise DomainError(
            f"argument 'T_K' must be temperatures in kelvin; got values up to {T.max():g}: "
            "these look like mK (300 mK is T_K = 0.3)"
        )
    if np.unique(T).size != T.size:
        raise DomainError("argument 'T_K' has duplicated temperatures; average them first")
    fr = arrays["fr_Hz"]
    if fr.min() < 1e3:
        raise DomainError(
            f"argument 'fr_Hz' must be resonance frequencies in Hz (>= 1e3); got {fr.min():g}: "
            "GHz passed as Hz? (7.718 GHz is 7.718e9)"
        )
    qi = arrays["Qi"]
    if np.any(qi <= 0):
        i = int(np.flatnonzero(qi <= 0)[0])
        raise DomainError(
            f"argument 'Qi' must be > 0 (internal quality factor, dimensionless); got a "
            f"negative or zero Q {qi[i]:g} at index {i}"
        )
    for name in ("fr_err", "Qi_err"):
        if name in arrays and np.any(arrays[name] <= 0):
            unit = "Hz" if name == "fr_err" else "dimensionless"
            raise DomainError(f"argument '{name}' must be > 0 (standard errors, {unit})")
    return arrays


def _linear_start(T, fr, qi, s_fr, s_qi, Tc0, gap_ratio, fit_kind, tls, cfg):
    """Best linear start over a scan of Tc (module docstring of the fit)."""
    f_ref = fr[np.argmin(T)]
    best = None
    for c in TC_SCAN:
        Tc = c * Tc0
        if T.max() >= 1.9 * Tc:
            continue
        rs, dx = tabulate_ratios(f_ref, T, Tc, gap_ratio, **cfg)
        S, L = (np.asarray(a) for a in _tls_jit(f_ref, T, 1.0))
        if not tls:
            S, L = np.zeros_like(T), np.zeros_like(T)
        # unknowns (u, alpha, F_delta, q): fr/f_ref - 1 = u - alpha/2 dx + F S;
        # 1/Qi = alpha rs + q + F L   (weighted rows)
        rows, rhs = [], []
        if fit_kind in ("joint", "fr"):
            w = f_ref / s_fr
            rows.append(
                np.stack([np.ones_like(T), -0.5 * dx, S, np.zeros_like(T)], -1) * w[:, None]
            )
            rhs.append((fr / f_ref - 1.0) * w)
        if fit_kind in ("joint", "Qi"):
            w = qi**2 / s_qi
            rows.append(np.stack([np.zeros_like(T), rs, L, np.ones_like(T)], -1) * w[:, None])
            rhs.append(w / qi)
        A, b = np.concatenate(rows), np.concatenate(rhs)
        keep = [j for j in range(4) if np.any(A[:, j] != 0)]
        sol = np.zeros(4)
        sol[keep] = np.linalg.lstsq(A[:, keep], b, rcond=None)[0]
        sol[1] = np.clip(sol[1], 1e-8, 0.99)
        sol[2] = max(sol[2], 1e-9) if tls else 0.0
        sol[3] = max(sol[3], 1e-3 / qi.max())
        chi2 = float(np.sum((A @ sol - b) ** 2))
        if best is None or chi2 < best[0]:
            best = (chi2, Tc, sol)
    if best is None:
        raise DomainError(
            f"argument 'Tc_K' (start {Tc0:g} K) is too low for the data: every scanned Tc "
            f"is below T_K.max()/1.9 = {T.max() / 1.9:g} K; give a higher start"
        )
    _, Tc, sol = best
    return {
        "Tc_K": float(Tc),
        "alpha_k": float(sol[1]),
        "u_fr0": float(sol[0] / FR0_SCALE),
        "Q_other": float(1.0 / sol[3]),
        "F_delta_tls": float(sol[2]),
        "f_ref": float(f_ref),
    }


def fit_temperature_sweep(
    T_K,
    fr_Hz,
    Qi,
    *,
    fr_err=None,
    Qi_err=None,
    impedance: str = "thin",
    tls: bool = False,
    fit: str = "joint",
    Tc_K: float = 1.2,
    gap_ratio: float = ALPHA_BCS,
    vary_gap_ratio: bool = False,
    rho_n_ohm_m: float = 1e-8,
    thickness_m: float | None = None,
    max_steps: int = 200,
    table_tol: float = 1e-9,
    T_err=None,
    T_err_iterations: int = 3,
    tc_spread: bool = False,
    Tc_spread_K: float | None = None,
) -> TemperatureSweepFit:
    r"""Fit fr(T) and Qi(T) jointly (or one of them) with the model of the module docstring.

    Parameters
    ----------
    T_K
        Temperatures [K], shape (n,).
    fr_Hz, Qi
        Resonance frequencies [Hz] and internal quality factors, shape (n,) (e.g. from
        :func:`fit_s21` or :func:`load_resonator_table`).
    fr_err, Qi_err
        Their standard errors (same shape).  ``None``: 1 ppm of fr and 1 % of Qi (then
        ``chi2_red`` is not a goodness of fit; stderr are scaled by it).
    impedance
        ``"thin"``, ``"bulk"`` or ``"anomalous"`` (module docstring).
    tls
        Add the TLS loss and frequency shift with one free strength ``F_delta_tls``.
    fit
        ``"joint"`` (both observables, one parameter set), ``"fr"`` or ``"Qi"`` alone.
    Tc_K
        Start of Tc [K]; a scan of Tc around it picks the best linear start.
    gap_ratio, vary_gap_ratio
        Δ0/k_BTc (weak-coupling BCS 1.764) and whether to fit it (strong coupling).
    rho_n_ohm_m, thickness_m
        Film resistivity [Ω m] and thickness [m] for the full thin-film form
        (``impedance="thin"`` with ``thickness_m``); unused otherwise.
    max_steps
        Levenberg–Marquardt step limit.
    table_tol
        Accuracy of the Chebyshev table of the impedance ratios the fit evaluates
        (:mod:`.chebyshev`; absolute in δX/X(0), relative in R_s/X_s(0)).

    T_err, T_err_iterations
        Standard uncertainty of the temperatures [K] (scalar or shape (n,)), an explicit
        error floor for thermometry, which the circle-fit errors of fr and Qi do not
        contain: each observable's error becomes the effective variance
        :math:`\sigma_\mathrm{eff}^2 = \sigma^2 + (\partial y/\partial T)^2\sigma_T^2`
        (Orear, Am. J. Phys. 50, 912 (1982)), with the slope of the fitted model
        (central differences of the direct model), refitted ``T_err_iterations`` times
        from the previous optimum.  ``None``: the data's errors only.  ``chi2_red`` is then
        the goodness of fit under the stated temperature uncertainty, never rescaled.
    tc_spread, Tc_spread_K
        Fit an inhomogeneous film: Tc Gaussian with mean ``Tc_K`` and a free standard
        deviation ``Tc_spread_K`` [K], bounded to ``[0, SPREAD_BOX * Tc start]``, the
        surface impedance averaged over it (:mod:`.tc_spread`); ``Tc_spread_K`` is its
        start (default :data:`SPREAD_START` times the Tc start).  Without ``tc_spread``
        the parameter is fixed at 0 (one sharp Tc).

    Returns
    -------
    TemperatureSweepFit

    Raises
    ------
    DomainError
        Temperatures in mK, frequencies in GHz, Qi <= 0 (a negative Q), NaN values (the
        indices named), shape mismatches, duplicated temperatures, too few points.

    Valid for
        T_K well below 2 Tc (the model's range: T < 2 Tc_K at every trial Tc, enforced by
        the lower bound of Tc), one resonance tracked over temperature at low power.
    """
    check_choice("impedance", impedance, IMPEDANCES)
    check_choice("fit", fit, FITS)
    if not all(isinstance(b, bool) for b in (tls, vary_gap_ratio, tc_spread)):
        raise DomainError("arguments 'tls', 'vary_gap_ratio' and 'tc_spread' must be True or False")
    arr = _check_data(T_K, fr_Hz, Qi, fr_err, Qi_err, fit)
    T, fr, qi = arr["T_K"], arr["fr_Hz"], arr["Qi"]
    s_fr = arr.get("fr_err", 1e-6 * fr)
    s_qi = arr.get("Qi_err", 1e-2 * qi)
    if not (np.isfinite(Tc_K) and Tc_K > 0):
        raise DomainError(f"argument 'Tc_K' must be a positive start in kelvin; got {Tc_K!r}")
    cfg = dict(
        impedance=impedance,
        rho_n_ohm_m=rho_n_ohm_m,
        thickness_m=None if impedance == "bulk" else thickness_m,
    )
    st = _linear_start(T, fr, qi, s_fr, s_qi, float(Tc_K), gap_ratio, fit, tls, cfg)
    spread_hi = SPREAD_BOX * float(Tc_K)
    if Tc_spread_K is not None:
        check_spread(Tc_spread_K)
        if not 0 < Tc_spread_K < spread_hi:
            raise DomainError(
                f"argument 'Tc_spread_K' (the start of the Tc spread) must lie in (0, "
                f"{spread_hi:g}) K, i.e. below {SPREAD_BOX:g} Tc_K; got {Tc_spread_K!r}"
            )
    st["Tc_spread_K"] = float(SPREAD_START * Tc_K if Tc_spread_K is None else Tc_spread_K)
    nvary = 2 + (fit != "Qi") + (fit != "fr") + tls + vary_gap_ratio + tc_spread
    ndata = T.size * (2 if fit == "joint" else 1)
    if ndata <= nvary:
        raise DomainError(
            f"arguments 'T_K', 'fr_Hz', 'Qi': {T.size} temperatures give {ndata} data for "
            f"{nvary} parameters; need more temperatures"
        )
    tc_lo = float(max(T.max() / 1.9, st["Tc_K"] / TC_BOX))
    tc_hi = float(st["Tc_K"] * TC_BOX)
    g_lo, g_hi = GAP_BOX if vary_gap_ratio else (gap_ratio, gap_ratio)
    f_ref = st["f_ref"]

    def direct(tc, t, g):
        return tabulate_ratios(f_ref, t, tc, g, **cfg)

    table = build_ratios(direct, T, tc_lo, tc_hi, g_lo, g_hi, vary_g=vary_gap_ratio, tol=table_tol)
    x = {"T": T, "f_ref": f_ref, "table": table}
    if tc_spread:
        # X_s(0) as a function of Tc, through the same table code: one "temperature" at 0,
        # below every Tc of the box (only the smooth superconducting piece exists)
        def direct_x0(tc, t, g):
            return tabulate_reactance(f_ref, tc, g, **cfg), np.zeros_like(tc)

        x0_table = build_ratios(
            direct_x0,
            np.zeros(1),
            tc_lo,
            tc_hi,
            g_lo,
            g_hi,
            vary_g=vary_gap_ratio,
            tol=table_tol,
        )
        x.update(x0_table=x0_table, tc_box=(tc_lo, tc_hi))
    params = {
        "Tc_K": Parameter(st["Tc_K"], min=tc_lo, max=tc_hi),
        "alpha_k": Parameter(st["alpha_k"], min=0.0, max=1.0),
        "u_fr0": Parameter(st["u_fr0"], vary=fit != "Qi"),
        "Q_other": Parameter(st["Q_other"], min=0.0, vary=fit != "fr"),
        "F_delta_tls": Parameter(st["F_delta_tls"], min=0.0, vary=tls)
        if tls
        else Parameter(0.0, vary=False),
        "gap_ratio": Parameter(gap_ratio, min=g_lo, max=g_hi, vary=True)
        if vary_gap_ratio
        else Parameter(gap_ratio, vary=False),
        "Tc_spread_K": Parameter(st["Tc_spread_K"], min=0.0, max=spread_hi)
        if tc_spread
        else Parameter(0.0, vary=False),
    }
    y = {"fr": fr, "Qi": qi, "joint": (fr, qi)}[fit]
    sigma = {"fr": s_fr, "Qi": s_qi, "joint": (s_fr, s_qi)}[fit]
    model = _fit_model(fit, tc_spread)
    res = least_squares(model, params, x, y, sigma, max_steps=max_steps)
    config = dict(
        cfg,
        tls=tls,
        table_error=table.error,
        T_err=None,
        tc_spread=tc_spread,
        tc_box=(tc_lo, tc_hi),
    )
    out = _collect(res, st, fit, config, x, {"fr": s_fr, "Qi": s_qi})
    if T_err is None:
        return out
    sT = _check_T_err(T_err, T)
    config["T_err"] = sT
    for _ in range(T_err_iterations):
        h = 1e-4 * T
        up, down = out.model(T + h), out.model(T - h)
        e_fr = np.hypot(s_fr, (up[0] - down[0]) / (2 * h) * sT)
        e_qi = np.hypot(s_qi, (up[1] - down[1]) / (2 * h) * sT)
        sigma = {"fr": e_fr, "Qi": e_qi, "joint": (e_fr, e_qi)}[fit]
        start = {k: _restart(v, float(res.params[k])) for k, v in params.items()}
        res = least_squares(model, start, x, y, sigma, max_steps=max_steps)
        out = _collect(res, st, fit, config, x, {"fr": e_fr, "Qi": e_qi})
    return out


def _restart(p: Parameter, value: float) -> Parameter:
    """``p`` started at ``value`` (its own start where ``value`` sits on a bound)."""
    lo = -np.inf if p.min is None else p.min
    hi = np.inf if p.max is None else p.max
    if not p.vary or not lo < value < hi:
        return p
    return dataclasses.replace(p, value=value)


def _check_T_err(T_err, T):
    sT = np.broadcast_to(np.asarray(T_err, float), T.shape).copy()
    if not np.all(np.isfinite(sT)) or np.any(sT <= 0):
        raise DomainError("argument 'T_err' must be finite and > 0 (temperature uncertainty, K)")
    if np.any(sT > 0.5 * T):
        raise DomainError(
            "argument 'T_err' must be a standard uncertainty in kelvin, below half of each "
            f"temperature; got up to {np.max(sT / T):.3g} T (mK passed as K?)"
        )
    return sT


def _collect(
    res: FitResult, st: dict, fit_kind: str, config: dict, x, errors: dict
) -> TemperatureSweepFit:
    p = {k: float(v) for k, v in res.params.items()}
    e = {k: float(v) for k, v in res.stderr.items()}
    f_ref = x["f_ref"]
    names = list(getattr(res, "param_names", [k for k in res.params if res.vary[k]]))
    cov = np.asarray(res.covariance)
    delta0_err = p["gap_ratio"] * e["Tc_K"]
    if "gap_ratio" in names:
        i, j = names.index("Tc_K"), names.index("gap_ratio")
        g = np.array([p["gap_ratio"], p["Tc_K"]])
        block = cov[np.ix_([i, j], [i, j])]
        delta0_err = float(np.sqrt(max(g @ block @ g, 0.0)))
    params = {
        "Tc_K": p["Tc_K"],
        "Delta0_K": p["gap_ratio"] * p["Tc_K"],
        "alpha_k": p["alpha_k"],
        "fr0_Hz": f_ref * (1.0 + FR0_SCALE * p["u_fr0"]),
        "Q_other": p["Q_other"],
        "F_delta_tls": p["F_delta_tls"],
        "gap_ratio": p["gap_ratio"],
        "Tc_spread_K": p["Tc_spread_K"],
    }
    stderr = {
        "Tc_K": e["Tc_K"],
        "Delta0_K": delta0_err,
        "alpha_k": e["alpha_k"],
        "fr0_Hz": f_ref * FR0_SCALE * e["u_fr0"],
        "Q_other": e["Q_other"],
        "F_delta_tls": e["F_delta_tls"],
        "gap_ratio": e["gap_ratio"],
        "Tc_spread_K": e["Tc_spread_K"],
    }
    return TemperatureSweepFit(
        params=params,
        stderr=stderr,
        fit_kind=fit_kind,
        chi2=float(res.chi2),
        chi2_red=float(res.redchi),
        ndata=int(res.ndata),
        success=bool(res.success),
        message=str(res.message),
        config=dict(config),
        start=st,
        fit=res,
        errors=dict(errors),
    )


# --- do fr(T) and Qi(T) agree? ------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class SweepComparison:
    """The joint, fr-only and Qi-only fits of one sweep, and whether the last two agree.

    Attributes
    ----------
    joint, fr, Qi
        The three :class:`TemperatureSweepFit`.
    z
        ``name -> |p_fr - p_Qi| / sqrt(se_fr² + se_Qi²)`` for ``Tc_K`` and ``alpha_k``.
    agree
        Whether every ``z`` is below ``z_max``.
    z_max
        The threshold (default 2: agreement within two combined standard errors).
    """

    joint: TemperatureSweepFit
    fr: TemperatureSweepFit
    Qi: TemperatureSweepFit
    z: dict
    agree: bool
    z_max: float

    def report(self) -> str:
        """Side-by-side table of the three fits."""
        rows = [f"{'':>10} {'joint':>22} {'fr only':>22} {'Qi only':>22}"]
        for k in ("Tc_K", "alpha_k", "Delta0_K"):
            cells = [
                f"{f.params[k]:.5g} ± {f.stderr[k]:.2g}" for f in (self.joint, self.fr, self.Qi)
            ]
            rows.append(f"{k:>10} " + " ".join(f"{c:>22}" for c in cells))
        rows.append(
            f"{'chi2_red':>10} "
            + " ".join(f"{f.chi2_red:>22.4g}" for f in (self.joint, self.fr, self.Qi))
        )
        zs = ", ".join(f"{k}: {v:.2f}" for k, v in self.z.items())
        verdict = "agree" if self.agree else "DISAGREE"
        rows.append(f"fr-only vs Qi-only: z = {zs} -> {verdict} (within {self.z_max:g} sigma)")
        return "\n".join(rows)


def compare_sweep_fits(T_K, fr_Hz, Qi, *, z_max: float = 2.0, **kwargs) -> SweepComparison:
    """Fit jointly, fr only and Qi only (same model, same ``kwargs``); compare Tc and α_k.

    Valid for
        the arguments of :func:`fit_temperature_sweep` (except ``fit``); z_max > 0.
    """
    if "fit" in kwargs:
        raise DomainError("argument 'fit' is set by compare_sweep_fits (it runs all three)")
    fits = {k: fit_temperature_sweep(T_K, fr_Hz, Qi, fit=k, **kwargs) for k in FITS}
    z = {}
    for k in ("Tc_K", "alpha_k"):
        a, b = fits["fr"], fits["Qi"]
        z[k] = abs(a.params[k] - b.params[k]) / float(np.hypot(a.stderr[k], b.stderr[k]))
    return SweepComparison(
        joint=fits["joint"],
        fr=fits["fr"],
        Qi=fits["Qi"],
        z=z,
        agree=bool(all(v < z_max for v in z.values())),
        z_max=float(z_max),
    )
