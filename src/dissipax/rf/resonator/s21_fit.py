r"""Fitting notch-resonator S21 traces: many traces in one batched least-squares call.

:func:`fit_s21` fits the model of :mod:`.notch` (Probst et al. 2015, Eq. (1); Khalil et al.
2012 diameter correction) to ``n`` traces in ONE call of
:func:`dissipax.fit.least_squares` ``(batched=True, batch_x=True)``, from automatic starts
per trace (:mod:`.starts`).

Variable projection (Golub & Pereyra, SIAM J. Numer. Anal. 10, 413 (1973)).  Eq. (1) is

.. math::

    S_{21}(f) = c_1\,b_1(f) + c_2\,b_2(f), \qquad
    b_1 = e^{-2\pi i (f - f_\mathrm{ref})\tau}, \quad b_2 = \frac{b_1}{1 + 2iQ_l(f/f_r - 1)},

linear in the two complex coefficients :math:`c_1 = a e^{i\alpha}` and
:math:`c_2 = -a e^{i\alpha}(Q_l/|Q_c|)e^{i\phi}`.  For given (fr, Ql, τ) the weighted
least-squares :math:`c_1, c_2` are a 2×2 Hermitian solve (sums over the trace), so
Levenberg–Marquardt iterates on three parameters only:

=============  ===================================================================  ========
fit parameter  physical quantity                                                    bounds
=============  ===================================================================  ========
``u_fr``       :math:`f_r = f_\mathrm{ref}(1 + u_{fr}/Q_l^{(0)})` (linewidths)      none
``Ql``         loaded quality factor                                                ``> 0``
``u_tau``      :math:`\tau = \tau^{(0)} + u_\tau/(2\pi\,\mathrm{span})`             none
=============  ===================================================================  ========

(superscript (0): the automatic start; ``f_ref`` is the start of fr).  The projected
problem has the same minimum as the seven-parameter one, in fewer and cheaper steps (a
Jacobian of 3 columns instead of 7, and no steps spent on the linear parameters).
Afterwards :math:`a = |c_1|`, :math:`\alpha = \arg c_1`, :math:`(Q_l/|Q_c|)e^{i\phi} =
-c_2/c_1` and :math:`1/Q_i = 1/Q_l - \cos\phi/|Q_c|`, and the covariance of all seven
physical parameters (fr, Qi, |Qc|, φ, a, α, τ) is computed at the optimum from the
analytic Jacobian of Eq. (1) (:func:`notch_jacobian`), scaled by the reduced chi2 of
``2 n_f - 7`` degrees of freedom as lmfit does.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

from ..._checks import DomainError
from ...fit import FitResult, Parameter, least_squares
from .notch import _kernel, coupling_q_real
from .starts import Starts, estimate_starts

__all__ = ["S21Fit", "estimate_noise", "fit_s21", "notch_jacobian", "s21_from_db_deg"]

#: smallest accepted probe frequency [Hz]: below it the values are GHz or MHz passed as Hz
F_MIN_HZ = 1e3
#: termination tolerance of the projected fit.  The engine's final undamped Gauss–Newton
#: step lands on the optimum from wherever the damped steps stop: on the 20-trace benchmark
#: the values agree with the engine's default (1e-10) to 2e-7 of their stderr, in 5 steps
#: instead of 5-14 (the steps after the optimum is reached are rejected for rounding).
TOL = 1e-6
#: fewest points per trace (7 parameters, and a span of several widths)
MIN_POINTS = 20


def s21_from_db_deg(mag_db, phase_deg):
    """Complex linear S21 from |S21| in dB (20 log10) and the phase in degrees.

    Valid for
        finite real arrays of the same shape (|S21| in dB, phase in degrees).
    """
    mag_db = np.asarray(mag_db, float)
    return 10.0 ** (mag_db / 20.0) * np.exp(1j * np.deg2rad(np.asarray(phase_deg, float)))


def estimate_noise(s21):
    """Per-trace noise σ of Re and Im of S21 from robust second differences.

    For white noise of standard deviation σ in each quadrature, the second difference has
    variance 6σ²; the median absolute value (times 1.4826) makes the estimate insensitive
    to the resonance itself.  Shape (n, n_f) -> (n,).

    Valid for
        traces sampled finely enough that the resonance spans several points.
    """
    z = np.asarray(s21)
    d2 = z[..., 2:] - 2.0 * z[..., 1:-1] + z[..., :-2]
    both = np.concatenate([d2.real, d2.imag], axis=-1)
    return 1.4826 * np.median(np.abs(both), axis=-1) / np.sqrt(6.0)


def _basis(xp, x, u_fr, Ql, u_tau):
    r"""Evaluate the basis functions :math:`b_1, b_2` of the module docstring, (..., n_f).

    ``xp`` is ``numpy`` or ``jax.numpy`` (the fit and the post-processing share this one
    definition).  ``f`` enters only through ``f - f_ref`` (exact in float64 at GHz) and
    the detuning :math:`f/f_r - 1 = (\xi - x_r)/(1 + x_r)`,
    :math:`\xi = (f - f_\mathrm{ref})/f_\mathrm{ref}`, :math:`x_r = u_{fr}/Q_l^{(0)}`.
    """
    col = (lambda v: v) if xp is not np else (lambda v: np.asarray(v)[..., None])
    fr_rel = col(x["lw"]) * col(u_fr)
    tau = col(x["tau0"]) + col(x["tau_scale"]) * col(u_tau)
    detuning = (x["df"] / col(x["f_ref"]) - fr_rel) / (1.0 + fr_rel)
    b1 = xp.exp(-2j * xp.pi * x["df"] * tau)
    return b1, b1 / (1.0 + 2j * col(Ql) * detuning)


def _coefficients(xp, b1, b2, s21, w):
    r"""Weighted least-squares ``c1, c2`` of ``s21 ≈ c1 b1 + c2 b2`` (a 2×2 Hermitian solve).

    ``w = 1/σ²`` per point; sums over the last axis.  :math:`|b_1| = 1`, so
    :math:`G_{11} = \sum w`.
    """
    g11 = xp.sum(w, axis=-1)
    g12 = xp.sum(w * xp.conj(b1) * b2, axis=-1)
    g22 = xp.sum(w * xp.abs(b2) ** 2, axis=-1)
    h1 = xp.sum(w * xp.conj(b1) * s21, axis=-1)
    h2 = xp.sum(w * xp.conj(b2) * s21, axis=-1)
    det = g11 * g22 - xp.abs(g12) ** 2
    return (g22 * h1 - g12 * h2) / det, (g11 * h2 - xp.conj(g12) * h1) / det


def _projected_model(x, u_fr, Ql, u_tau):
    """Evaluate the notch S21 of one trace with its linear coefficients projected out."""
    b1, b2 = _basis(jnp, x, u_fr, Ql, u_tau)
    c1, c2 = _coefficients(jnp, b1, b2, x["s21"], x["w"])
    return c1 * b1 + c2 * b2


def notch_jacobian(f_Hz, *, fr, Qi, Qc, phi, a, alpha, tau, f_ref_Hz):
    r"""Analytic Jacobian of the notch S21 (Probst Eq. (1)) in the physical parameters.

    With :math:`E = a e^{i(\alpha - 2\pi (f - f_\mathrm{ref})\tau)}`,
    :math:`D = 1 + 2iQ_l(f - f_r)/f_r`, :math:`k = Q_l/|Q_c|` and
    :math:`S = E(1 - k e^{i\phi}/D)`: :math:`\partial S/\partial D = E k e^{i\phi}/D^2`,
    :math:`\partial S/\partial k = -E e^{i\phi}/D`, and :math:`Q_l(Q_i, |Q_c|, \phi)` from
    the DCM relation :math:`1/Q_l = 1/Q_i + \cos\phi/|Q_c|`.

    Parameters are arrays of shape (n,), ``f_Hz`` of shape (n, n_f).  Returns the complex
    derivatives, shape (n, n_f, 7), in the order (fr, Qi, Qc, phi, a, alpha, tau) [per Hz,
    per unit Q, per rad, per unit a, per rad, per s].  NumPy (evaluated once per fit, after
    the compiled solve).

    Valid for
        fr, Qi, Qc, a > 0; any real phi, alpha, tau.
    """
    c = lambda v: np.asarray(v, float)[:, None]  # noqa: E731
    fr, Qi, Qc, phi, a, alpha, tau, f_ref = (
        c(v) for v in (fr, Qi, Qc, phi, a, alpha, tau, f_ref_Hz)
    )
    f = np.asarray(f_Hz, float)
    df = f - f_ref
    Ql = 1.0 / (1.0 / Qi + np.cos(phi) / Qc)
    k = Ql / Qc
    det = (f - fr) / fr
    D = 1.0 + 2j * Ql * det
    E = a * np.exp(1j * (alpha - 2.0 * np.pi * df * tau))
    g = np.exp(1j * phi) / D
    S = E * (1.0 - k * g)
    dS_dD = E * k * g / D
    dS_dk = -E * g
    dS_dQl = dS_dD * 2j * det + dS_dk / Qc
    dQl_dQi, dQl_dQc, dQl_dphi = (
        Ql**2 / Qi**2,
        Ql**2 * np.cos(phi) / Qc**2,
        Ql**2 * np.sin(phi) / Qc,
    )
    cols = [
        dS_dD * 2j * Ql * (-f / fr**2),
        dS_dQl * dQl_dQi,
        dS_dQl * dQl_dQc + dS_dk * (-Ql / Qc**2),
        dS_dQl * dQl_dphi - 1j * E * k * g,
        S / a,
        1j * S,
        -2j * np.pi * df * S,
    ]
    return np.stack(cols, axis=-1)


@dataclasses.dataclass(frozen=True, eq=False)
class S21Fit:
    r"""Results of :func:`fit_s21` for ``n`` traces (every array of shape (n,)).

    Attributes
    ----------
    fr_Hz, Qi, Qc, phi, Ql, Qc_real, a, alpha, tau_s
        Resonance frequency [Hz], internal Q, :math:`|Q_c|`, mismatch angle φ [rad],
        loaded Q, :math:`|Q_c|/\cos\phi`, environment amplitude and phase at ``f_ref_Hz``
        [rad], cable delay [s].
    stderr
        ``name -> (n,)`` one-standard-deviation errors of the quantities above (scaled by
        the reduced chi2, as lmfit does).
    f_ref_Hz
        Reference frequency of ``alpha`` and of the delay phase (the start of fr).
    chi2_red
        Reduced chi2 with the per-trace noise ``sigma`` (≈ 1 for a good fit).
    sigma
        Noise σ per quadrature used as weights (estimated by :func:`estimate_noise`
        unless given).
    success, message
        Per-trace convergence flag and the fit engine's message.
    starts
        The automatic starting values (:class:`~dissipax.rf.resonator.starts.Starts`).
    fit
        The underlying batched :class:`~dissipax.fit.FitResult` (fit coordinates of the
        module docstring), unchanged.
    """

    fr_Hz: np.ndarray
    Qi: np.ndarray
    Qc: np.ndarray
    phi: np.ndarray
    Ql: np.ndarray
    Qc_real: np.ndarray
    a: np.ndarray
    alpha: np.ndarray
    tau_s: np.ndarray
    stderr: dict
    f_ref_Hz: np.ndarray
    chi2_red: np.ndarray
    sigma: np.ndarray
    success: np.ndarray
    message: tuple
    starts: Starts
    fit: FitResult

    NAMES = ("fr_Hz", "Qi", "Qc", "phi", "Ql", "Qc_real", "a", "alpha", "tau_s")

    def __len__(self) -> int:
        return int(self.fr_Hz.shape[0])

    def model(self, f_Hz, i: int | None = None):
        """Evaluate the fitted S21 of trace ``i`` (or of every trace, broadcast) at ``f_Hz`` [Hz].

        Valid for
            ``f_Hz`` of shape (n_f,) or, with ``i=None``, (n, n_f) or (n_f,).
        """
        sel = slice(None) if i is None else i

        def p(v):
            v = np.asarray(v)[sel]
            return v if i is not None else v[:, None]

        return np.asarray(
            _kernel(
                jnp.asarray(f_Hz, float),
                fr=p(self.fr_Hz),
                Ql=p(self.Ql),
                Qc=p(self.Qc),
                phi=p(self.phi),
                a=p(self.a),
                alpha=p(self.alpha),
                tau=p(self.tau_s),
                f_ref=p(self.f_ref_Hz),
            )
        )

    def to_dict(self) -> dict:
        """Plain dict of the per-trace values and stderr (``dissipax.io.write_json``)."""
        out = {k: getattr(self, k) for k in self.NAMES}
        out |= {f"{k}_stderr": v for k, v in self.stderr.items()}
        out |= {
            "f_ref_Hz": self.f_ref_Hz,
            "chi2_red": self.chi2_red,
            "success": self.success,
            "message": list(self.message),
        }
        return out

    def report(self) -> str:
        """One line per trace: fr, Qi, |Qc|, φ, Ql with stderr, chi2_red and status."""
        lines = [
            f"{'#':>3} {'fr [Hz]':>18} {'Qi':>20} {'|Qc|':>20} {'phi':>15} {'chi2_red':>9}  ok"
        ]
        for i in range(len(self)):

            def pm(k, fmt=".6g"):
                return f"{getattr(self, k)[i]:{fmt}} ± {self.stderr[k][i]:.2g}"

            lines.append(
                f"{i:>3} {pm('fr_Hz', '.10g'):>18} {pm('Qi'):>20} {pm('Qc'):>20} "
                f"{pm('phi', '.4f'):>15} {self.chi2_red[i]:>9.3g}  "
                f"{'yes' if self.success[i] else 'NO'}"
            )
        return "\n".join(lines)


def _as_traces(f_Hz, s21):
    """Validate and shape (n, n_f) the inputs of :func:`fit_s21` (concrete NumPy)."""
    s = np.asarray(s21)
    if s.dtype.kind not in "fiuc":
        raise DomainError(f"argument 's21' must be numeric (complex S21); got dtype {s.dtype}")
    if s.dtype.kind != "c":
        raise DomainError(
            "argument 's21' must be complex (linear S21 = |S21| e^{i phase}); got real "
            f"values of dtype {s.dtype}. From |S21| in dB and the phase in degrees build it "
            "with dissipax.rf.resonator.s21_from_db_deg(mag_db, phase_deg)"
        )
    if s.ndim not in (1, 2):
        raise DomainError(
            f"argument 's21' must have shape (n_f,) or (n_traces, n_f); got {s.shape}"
        )
    s = np.atleast_2d(s).astype(complex)
    f = np.asarray(f_Hz)
    if f.dtype.kind not in "fiu":
        raise DomainError(f"argument 'f_Hz' must be real frequencies in Hz; got dtype {f.dtype}")
    f = f.astype(float)
    if f.ndim == 1 and f.shape[-1] == s.shape[-1]:
        f = np.broadcast_to(f, s.shape)
    if f.shape != s.shape:
        raise DomainError(
            f"arguments 'f_Hz' and 's21' must have the same shape (or f_Hz of shape (n_f,) "
            f"shared by every trace); got f_Hz{np.shape(f_Hz)}, s21{np.shape(s21)}"
        )
    n_f = s.shape[-1]
    if n_f < MIN_POINTS:
        raise DomainError(
            f"argument 's21' has {n_f} points per trace; a fit of 7 parameters needs at "
            f"least {MIN_POINTS} points spanning several resonance widths"
        )
    for name, arr in (("f_Hz", f), ("s21", s)):
        bad = ~np.isfinite(arr)
        if bad.any():
            rows = np.flatnonzero(bad.any(axis=-1))
            shown = ", ".join(str(r) for r in rows[:10])
            raise DomainError(
                f"argument '{name}' has NaN or inf values in trace row(s) {shown} "
                f"({int(bad.sum())} values; first at index "
                f"{tuple(int(i) for i in np.argwhere(bad)[0])}); drop those rows or points"
            )
    if np.max(np.abs(f)) < F_MIN_HZ or np.any(f <= 0):
        if np.all(f > 0):
            raise DomainError(
                f"argument 'f_Hz' must be frequencies in Hz (>= {F_MIN_HZ:g} Hz); got values "
                f"up to {np.max(f):g}: these look like GHz or MHz (7.718 GHz is f_Hz = "
                "7.718e9)"
            )
        raise DomainError(
            f"argument 'f_Hz' must be positive frequencies in Hz; got {np.min(f):g} at "
            f"index {tuple(int(i) for i in np.argwhere(f <= 0)[0])}"
        )
    df = np.diff(f, axis=-1)
    flip = np.all(df < 0, axis=-1)
    f = np.where(flip[:, None], f[:, ::-1], f)
    s = np.where(flip[:, None], s[:, ::-1], s)
    df = np.diff(f, axis=-1)
    if np.any(df <= 0):
        row, j = (int(i) for i in np.argwhere(df <= 0)[0])
        raise DomainError(
            f"argument 'f_Hz' must be strictly increasing (or decreasing) along each trace; "
            f"trace {row} has f[{j}] = {f[row, j]:.10g} Hz, f[{j + 1}] = {f[row, j + 1]:.10g} Hz"
        )
    return f, s


def _check_not_db(s):
    """Reject |S21| in dB used as a linear magnitude (a peak where a notch has a dip)."""
    mag = np.abs(s)
    off = np.median(mag, axis=-1)
    peak = np.max(mag, axis=-1) - off
    dip = off - np.min(mag, axis=-1)
    suspect = (np.min(mag, axis=-1) >= 1.0) & (off <= 200.0) & (peak > 2.0 * dip)
    if np.any(suspect):
        i = int(np.flatnonzero(suspect)[0])
        raise DomainError(
            f"argument 's21' (trace {i}) looks like |S21| in dB used as a linear magnitude: "
            f"|s21| >= 1 everywhere (median {off[i]:.3g}) and it peaks at the resonance "
            "where a notch resonator has a dip. Convert with "
            "dissipax.rf.resonator.s21_from_db_deg(mag_db, phase_deg)"
        )


def _propagate(grad, cov, idx: list[int]):
    """Linear error propagation: ``sqrt(g C g)`` with ``grad`` (n, k) over the block ``idx``."""
    block = np.asarray(cov)[:, idx][:, :, idx]
    var = np.einsum("ni,nij,nj->n", grad, block, grad)
    with np.errstate(invalid="ignore"):
        return np.sqrt(np.where(var >= 0, var, np.nan))


def fit_s21(
    f_Hz,
    s21,
    *,
    sigma=None,
    max_steps: int = 200,
    rtol: float | None = TOL,
    atol: float | None = TOL,
) -> S21Fit:
    r"""Fit the notch S21 model to one trace or many, in one batched call.

    Parameters
    ----------
    f_Hz
        Frequencies [Hz], shape (n_f,) (shared) or (n, n_f); each trace strictly
        monotonic (decreasing traces are reversed).
    s21
        Complex linear S21, shape (n_f,) for one trace or (n, n_f).  From |S21| [dB] and
        phase [deg] use :func:`s21_from_db_deg`.
    sigma
        Noise σ per quadrature: ``None`` (estimated per trace by :func:`estimate_noise`),
        a scalar, shape (n,) or (n, n_f).
    max_steps, rtol, atol
        Levenberg–Marquardt settings (:func:`dissipax.fit.least_squares`); the default
        tolerance :data:`TOL` = 1e-6 (``None``: the engine's 1e-10).

    Returns
    -------
    S21Fit
        Per trace fr_Hz, Qi, Qc (= |Qc|) and φ, Ql, ... with ``stderr`` and ``chi2_red``
        (arrays of shape (n,), also for one trace).

    Raises
    ------
    DomainError
        Real ``s21`` (no phase), |S21| in dB passed as linear, frequencies in GHz or MHz,
        NaN/inf in a trace (the rows are named), non-monotonic frequencies, shape
        mismatches, fewer than 20 points, ``sigma <= 0``.

    Valid for
        notch-type (hanger) resonances fully inside the span (several linewidths of
        baseline on each side), |φ| < π/2, one resonance per trace.
    """
    f, s = _as_traces(f_Hz, s21)
    n, n_f = s.shape
    _check_not_db(s)
    st = estimate_starts(f, s)
    bad = ~np.isfinite(np.stack([st.fr, st.Ql, st.Qc, st.Qi, st.a])).all(axis=0)
    if bad.any():
        raise DomainError(
            f"argument 's21': no resonance circle found in trace(s) "
            f"{', '.join(str(i) for i in np.flatnonzero(bad)[:10])} (the automatic starts "
            "failed); check that each trace holds one resonance inside its span"
        )
    if sigma is None:
        sig = estimate_noise(s)
        sig = np.where(sig > 0, sig, np.finfo(float).tiny ** 0.25)
        sig = np.broadcast_to(sig[:, None], s.shape)
    else:
        sig = np.asarray(sigma, float)
        if sig.ndim == 1 and sig.shape[0] == n and n_f != n:
            sig = sig[:, None]
        if not np.all(np.isfinite(sig)) or np.any(sig <= 0):
            raise DomainError("argument 'sigma' must be finite and > 0 (noise of Re and Im S21)")
        try:
            sig = np.broadcast_to(sig, s.shape)
        except ValueError:
            raise DomainError(
                f"argument 'sigma' must broadcast to s21{s.shape}; got {np.shape(sigma)}"
            ) from None
    span = f[:, -1] - f[:, 0]
    x = {
        "df": f - st.fr[:, None],
        "f_ref": st.fr,
        "lw": 1.0 / st.Ql,
        "tau0": st.tau,
        "tau_scale": 1.0 / (2 * np.pi * span),
        "s21": s,
        "w": 1.0 / sig**2,
    }
    # The projection sums over the trace, so the model is not pointwise: the engine pads
    # each trace to a bucket length with copies of its last point.  One trailing point of
    # zero weight (and masked) makes every such copy weightless too.
    xf = {
        k: (np.concatenate([v, v[:, -1:]], axis=1) if np.ndim(v) == 2 else v) for k, v in x.items()
    }
    xf["w"][:, -1] = 0.0
    mask = np.ones(xf["s21"].shape, bool)
    mask[:, -1] = False
    params = {
        "u_fr": Parameter(np.zeros(n)),
        "Ql": Parameter(st.Ql, min=0.0),
        "u_tau": Parameter(np.zeros(n)),
    }
    res = least_squares(
        _projected_model,
        params,
        xf,
        xf["s21"],
        np.concatenate([sig, sig[:, -1:]], axis=1),
        mask=mask,
        batched=True,
        batch_x=True,
        max_steps=max_steps,
        rtol=rtol,
        atol=atol,
    )
    return _collect(
        res, st, f, x, sig, np.asarray(sig[:, 0] if sigma is None else sig.mean(axis=-1))
    )


def _collect(res: FitResult, st: Starts, f, x: dict, sig, sigma) -> S21Fit:
    """Physical parameters, their covariance and the per-trace status from the VarPro fit."""
    u_fr, Ql, u_tau = (np.asarray(res.params[k], float) for k in ("u_fr", "Ql", "u_tau"))
    b1, b2 = _basis(np, x, u_fr, Ql, u_tau)
    c1, c2 = _coefficients(np, b1, b2, x["s21"], x["w"])
    ratio = -c2 / c1  # (Ql/|Qc|) e^{i phi}
    fr = x["f_ref"] * (1.0 + x["lw"] * u_fr)
    tau = x["tau0"] + x["tau_scale"] * u_tau
    a, alpha, phi = np.abs(c1), np.angle(c1), np.angle(ratio)
    with np.errstate(divide="ignore", invalid="ignore"):
        Qc = Ql / np.abs(ratio)
        Qi = 1.0 / (1.0 / Ql - np.cos(phi) / Qc)
        Qc_real = np.asarray(coupling_q_real(Qc, phi))
    # covariance of (fr, Qi, Qc, phi, a, alpha, tau) from the analytic Jacobian at the optimum
    n, n_f = x["s21"].shape
    J = notch_jacobian(
        f, fr=fr, Qi=Qi, Qc=Qc, phi=phi, a=a, alpha=alpha, tau=tau, f_ref_Hz=x["f_ref"]
    )
    J = J / sig[..., None]
    Jr = np.concatenate([J.real, J.imag], axis=1)  # (n, 2 n_f, 7)
    A = np.swapaxes(Jr, -1, -2) @ Jr  # (BLAS: np.einsum here took ~10 ms of a 20-trace fit)
    d = 1.0 / np.sqrt(np.einsum("nii->ni", A))
    chi2 = np.asarray(res.chi2, float)
    redchi = chi2 / (2 * n_f - 7)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = np.linalg.inv(A * d[:, :, None] * d[:, None, :]) * d[:, :, None] * d[:, None, :]
    cov = cov * redchi[:, None, None]
    se = np.sqrt(np.where(np.einsum("nii->ni", cov) >= 0, np.einsum("nii->ni", cov), np.nan))
    idx = [1, 2, 3]  # (Qi, Qc, phi)
    # gradients of Ql = 1/(1/Qi + cos(phi)/Qc) and Qc/cos(phi) in (Qi, Qc, phi)
    g_ql = np.stack([Ql**2 / Qi**2, Ql**2 * np.cos(phi) / Qc**2, Ql**2 * np.sin(phi) / Qc], -1)
    g_qcr = np.stack([np.zeros_like(Qc), 1 / np.cos(phi), Qc * np.tan(phi) / np.cos(phi)], -1)
    stderr = {
        "fr_Hz": se[:, 0],
        "Qi": se[:, 1],
        "Qc": se[:, 2],
        "phi": se[:, 3],
        "Ql": _propagate(g_ql, cov, idx),
        "Qc_real": _propagate(g_qcr, cov, idx),
        "a": se[:, 4],
        "alpha": se[:, 5],
        "tau_s": se[:, 6],
    }
    physical = (Qi > 0) & (np.abs(phi) < np.pi / 2) & np.all(np.isfinite(se), axis=-1)
    success = np.asarray(res.success, bool) & physical
    message = tuple(
        m if ok or not good else f"{m}; but the optimum is unphysical (Qi = {q:.4g}, phi = {p:.3f})"
        for m, ok, good, q, p in zip(res.message, physical, np.asarray(res.success), Qi, phi)
    )
    return S21Fit(
        fr_Hz=fr,
        Qi=Qi,
        Qc=Qc,
        phi=phi,
        Ql=Ql,
        Qc_real=Qc_real,
        a=a,
        alpha=alpha,
        tau_s=tau,
        stderr=stderr,
        f_ref_Hz=np.asarray(x["f_ref"]),
        chi2_red=redchi,
        sigma=np.asarray(sigma, float),
        success=success,
        message=message,
        starts=st,
        fit=res,
    )
