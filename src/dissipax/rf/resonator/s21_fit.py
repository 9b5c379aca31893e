r"""Fitting notch-resonator S21 traces: many traces in one batched least-squares call.

:func:`fit_s21` fits the model of :mod:`.notch` (Probst et al. 2015, Eq. (1); Khalil et al.
2012 diameter correction) to ``n`` traces in ONE call of
:func:`dissipax.fit.least_squares` ``(batched=True, batch_x=True)``, from automatic starts
per trace (:mod:`.starts`).

Parametrisation of the fit (chosen so that Levenberg–Marquardt sees coordinates of order
one, and so that Qi is a fitted parameter with its own stderr, not a derived one):

=============  ========================================================  ==================
fit parameter  physical quantity                                         bounds
=============  ========================================================  ==================
``u_fr``       :math:`f_r = f_\mathrm{ref}(1 + u_{fr}/Q_l^{(0)})` (linewidths)  none
``Qi``         internal quality factor                                   ``> 0``
``Qc``         :math:`|Q_c|`                                             ``> 0``
``phi``        mismatch angle φ [rad]                                    ``(-π/2, π/2)``
``a``          environment amplitude                                     ``> 0``
``u_alpha``    :math:`\alpha = \alpha^{(0)} + u_\alpha` [rad]            none
``u_tau``      :math:`\tau = \tau^{(0)} + u_\tau/(2\pi\,\mathrm{span})`  none
=============  ========================================================  ==================

(superscript (0): the automatic start; ``f_ref`` is the start of fr).  The loaded Q
:math:`1/Q_l = 1/Q_i + \cos\phi/|Q_c|` and the real-part coupling Q
:math:`|Q_c|/\cos\phi` are derived; their stderr comes from the covariance of
(Qi, Qc, φ) by linear propagation (the gradient of the derived quantity).
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np

from ..._checks import DomainError
from ...fit import FitResult, Parameter, least_squares
from .notch import _kernel, coupling_q_real, loaded_q
from .starts import Starts, estimate_starts

__all__ = ["S21Fit", "fit_s21", "s21_from_db_deg", "estimate_noise"]

#: smallest accepted probe frequency [Hz]: below it the values are GHz or MHz passed as Hz
F_MIN_HZ = 1e3
#: fewest points per trace (7 parameters, and a span of several widths)
MIN_POINTS = 20
_PARAM_ORDER = ("u_fr", "Qi", "Qc", "phi", "a", "u_alpha", "u_tau")


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


def _model_df(x, u_fr, Qi, Qc, phi, a, u_alpha, u_tau):
    r"""Evaluate the notch S21 of one trace in the fit coordinates (module docstring).

    ``f`` enters only through ``f - f_ref`` (exact in float64 at GHz) and the detuning
    :math:`f/f_r - 1 = (\xi - x_r)/(1 + x_r)`, :math:`\xi = (f - f_\mathrm{ref})/f_\mathrm{ref}`.
    """
    fr_rel = x["lw"] * u_fr
    Ql = loaded_q(Qi, Qc, phi)
    tau = x["tau0"] + x["tau_scale"] * u_tau
    xi = x["df"] / x["f_ref"]
    detuning = (xi - fr_rel) / (1.0 + fr_rel)
    env = a * jnp.exp(1j * (x["alpha0"] + u_alpha - 2.0 * jnp.pi * x["df"] * tau))
    return env * (1.0 - (Ql / Qc) * jnp.exp(1j * phi) / (1.0 + 2j * Ql * detuning))


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
    rtol: float | None = None,
    atol: float | None = None,
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
        Levenberg–Marquardt settings (:func:`dissipax.fit.least_squares`).

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
        "alpha0": st.alpha,
        "tau0": st.tau,
        "tau_scale": 1.0 / (2 * np.pi * span),
    }
    params = {
        "u_fr": Parameter(np.zeros(n)),
        "Qi": Parameter(st.Qi, min=0.0),
        "Qc": Parameter(st.Qc, min=0.0),
        "phi": Parameter(st.phi, min=-np.pi / 2, max=np.pi / 2),
        "a": Parameter(st.a, min=0.0),
        "u_alpha": Parameter(np.zeros(n)),
        "u_tau": Parameter(np.zeros(n)),
    }
    res = least_squares(
        _model_df,
        params,
        x,
        s,
        sig,
        batched=True,
        batch_x=True,
        max_steps=max_steps,
        rtol=rtol,
        atol=atol,
    )
    return _collect(res, st, x, np.asarray(sig[:, 0] if sigma is None else sig.mean(axis=-1)))


def _collect(res: FitResult, st: Starts, x: dict, sigma) -> S21Fit:
    p = {k: np.asarray(res.params[k], float) for k in _PARAM_ORDER}
    e = {k: np.asarray(res.stderr[k], float) for k in _PARAM_ORDER}
    order = list(getattr(res, "param_names", _PARAM_ORDER))
    idx = [order.index(k) for k in ("Qi", "Qc", "phi")]
    Qi, Qc, phi = p["Qi"], p["Qc"], p["phi"]
    Ql = np.asarray(loaded_q(Qi, Qc, phi))
    Qc_real = np.asarray(coupling_q_real(Qc, phi))
    # gradients of Ql = 1/(1/Qi + cos(phi)/Qc) and Qc/cos(phi) in (Qi, Qc, phi)
    g_ql = np.stack([Ql**2 / Qi**2, Ql**2 * np.cos(phi) / Qc**2, Ql**2 * np.sin(phi) / Qc], -1)
    g_qcr = np.stack([np.zeros_like(Qc), 1 / np.cos(phi), Qc * np.tan(phi) / np.cos(phi)], -1)
    stderr = {
        "fr_Hz": x["f_ref"] * x["lw"] * e["u_fr"],
        "Qi": e["Qi"],
        "Qc": e["Qc"],
        "phi": e["phi"],
        "Ql": _propagate(g_ql, res.covariance, idx),
        "Qc_real": _propagate(g_qcr, res.covariance, idx),
        "a": e["a"],
        "alpha": e["u_alpha"],
        "tau_s": x["tau_scale"] * e["u_tau"],
    }
    return S21Fit(
        fr_Hz=x["f_ref"] * (1.0 + x["lw"] * p["u_fr"]),
        Qi=p["Qi"],
        Qc=p["Qc"],
        phi=p["phi"],
        Ql=Ql,
        Qc_real=Qc_real,
        a=p["a"],
        alpha=x["alpha0"] + p["u_alpha"],
        tau_s=x["tau0"] + x["tau_scale"] * p["u_tau"],
        stderr=stderr,
        f_ref_Hz=np.asarray(x["f_ref"]),
        chi2_red=np.asarray(res.redchi, float),
        sigma=np.asarray(sigma, float),
        success=np.asarray(res.success, bool),
        message=tuple(res.message),
        starts=st,
        fit=res,
    )
