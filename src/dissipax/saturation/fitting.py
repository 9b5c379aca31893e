r"""Fits of Eqs. (1) and (2) to ρ(T) curves: one fit per field, all fields in one compiled call.

:func:`fit` fits ``law="insulator"`` (Eq. (1): σ_QF, σ_0, E_a), ``"superconductor"``
(Eq. (2): ρ_QF, ρ_0, E_a) or ``"auto"`` (both, and per field the better one) to every row
of ``rho`` with :func:`dissipax.fit.least_squares` (``batched=True``: one vmapped
Levenberg–Marquardt call for all rows).

What is fitted
--------------
The residual is taken on :math:`\log\rho` (the model is the stable log-space kernel of
:mod:`.laws`), with :math:`\sigma_{\log\rho} = \sigma/\rho` (first-order propagation; equal
relative weights when ``sigma`` is ``None``).  ρ spans decades along a curve (kΩ to MΩ on
the insulating side), and relative errors are what a lock-in measurement has; for small
relative errors this is the same χ² as the linear fit.  All three parameters are positive
and enter with ``transform="log"`` (a fixed step is a fixed factor), so σ_QF ≈ 1e-6 S and
E_a ≈ 0.5 K are equally well conditioned.

Starting values (:func:`initial_guess`) come from the data, so users never guess: writing
either law as :math:`g = P + B e^{-E_a/T}` (g = 1/ρ or ρ, increasing with T), the plateau
P is scanned over fractions of the low-temperature value of g; for each candidate the
Arrhenius line :math:`\log(g - P) = \log B - E_a/T` is fitted by weighted linear
regression (weights :math:`((g-P)/g)^2`, the propagated relative error), and the candidate
whose curve best matches :math:`\log g` wins.  Fits that still fail are retried with
``multistart`` (the fit pipeline's :class:`~dissipax.fit.Retry`), and a flat optimum is
rejected by a :class:`~dissipax.fit.Check` — no result is edited after the fact.
"""

from __future__ import annotations

import dataclasses
import functools
import html as _html
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError, check, check_choice
from .._precision import x64_enabled
from ..fit import Check, FitResult, Parameter, Retry, least_squares
from ..fit._problem import bucket, is_ragged, pack_ragged, pad
from . import field as _field
from .laws import LAWS, PARAM_NAMES, log_plateau_plus_activated

#: extra random starts for fits that fail from the automatic start
RETRY_MULTISTART = 8


def _log_rho(T, plateau, prefactor, E_a, sign):
    """Log ρ = sign·log(P + B e^{−E_a/T}): Eq. (1) with sign = −1, Eq. (2) with sign = +1."""
    return sign * log_plateau_plus_activated(T, jnp.log(plateau), jnp.log(prefactor), E_a)


# Module-level models, one per law with the law's parameter names: the same function
# objects reuse the compiled fit across calls (and processes, via the persistent cache).
def model_insulator(T, sigma_QF, sigma_0, E_a):
    """Log ρ of Eq. (1), the failed insulator: ρ = [σ_QF + σ_0 e^{−E_a/T}]⁻¹."""
    return _log_rho(T, sigma_QF, sigma_0, E_a, -1.0)


def model_superconductor(T, rho_QF, rho_0, E_a):
    """Log ρ of Eq. (2), the failed superconductor: ρ = ρ_QF + ρ_0 e^{−E_a/T}."""
    return _log_rho(T, rho_QF, rho_0, E_a, 1.0)


_MODELS = {"insulator": model_insulator, "superconductor": model_superconductor}
_SIGN = {"insulator": -1.0, "superconductor": 1.0}


# --- starting values ------------------------------------------------------------------------
# plateau candidates, as fractions of g_low (the mean of g over the lowest temperatures)
_FRACTIONS = np.concatenate([1.0 - np.geomspace(1e-4, 0.999, 40), [1.0, 1.01]])
_N_LOW = 3  # points averaged for the low-temperature value of g


#: from this many curves on, :func:`initial_guess` runs compiled (its candidate scan is
#: ``(curves, 42, points)`` arrays: ~120 ms of NumPy for 1000 curves of 40 points)
_GUESS_JIT_ROWS = 64


def _guess(xp, T2, g, m):
    """Scan the candidate plateaus of :func:`initial_guess` in ``xp`` (NumPy or jax.numpy).

    ``T2``, ``g`` (1/ρ or ρ) and the mask ``m``: ``(rows, n_T)``.  Returns the per-row
    plateau, prefactor and activation energy of the best candidate.
    """
    x = 1.0 / T2
    # low-temperature value of g: mean over the _N_LOW coldest real points (noise-robust)
    order = xp.argsort(xp.where(m, T2, xp.inf), axis=1)[:, :_N_LOW]
    g_cold = xp.take_along_axis(g, order, axis=1)
    m_cold = xp.take_along_axis(m, order, axis=1)
    g_low = xp.sum(xp.where(m_cold, g_cold, 0.0), axis=1) / xp.sum(m_cold, axis=1)
    P = g_low[:, None] * xp.asarray(_FRACTIONS)[None, :]  # (rows, cand)
    e = g[:, None, :] - P[:, :, None]  # (rows, cand, T)
    ok = m[:, None, :] & (e > 0)
    w = xp.where(ok, (xp.where(ok, e, 1.0) / g[:, None, :]) ** 2, 0.0)
    ly = xp.where(ok, xp.log(xp.where(ok, e, 1.0)), 0.0)
    xb = x[:, None, :]
    sw = xp.sum(w, axis=2)
    sw_safe = xp.where(sw > 0, sw, 1.0)
    mx = xp.sum(w * xb, axis=2) / sw_safe
    my = xp.sum(w * ly, axis=2) / sw_safe
    sxx = xp.sum(w * (xb - mx[..., None]) ** 2, axis=2)
    sxy = xp.sum(w * (xb - mx[..., None]) * (ly - my[..., None]), axis=2)
    slope = xp.where(sxx > 0, sxy / xp.where(sxx > 0, sxx, 1.0), 0.0)
    # E_a from the Arrhenius slope; a non-negative slope (no activation seen) gets a small
    # activation of the order of the lowest temperature
    T_lo = xp.min(xp.where(m, T2, xp.inf), axis=1)[:, None]
    E = xp.where(slope < 0, -slope, 0.0)
    E = xp.maximum(E, 0.05 * T_lo)
    logB = my + E * mx
    # score: squared misfit of log g over the real points
    lg_model = xp.logaddexp(xp.log(P)[..., None], logB[..., None] - E[..., None] * xb)
    sse = xp.sum(xp.where(m[:, None, :], (lg_model - xp.log(g)[:, None, :]) ** 2, 0.0), axis=2)
    sse = xp.where(xp.isfinite(sse) & (sw > 0), sse, xp.inf)
    k = xp.argmin(sse, axis=1)
    pick = lambda a: xp.take_along_axis(a, k[:, None], axis=1)[:, 0]  # noqa: E731
    return pick(P), xp.exp(xp.clip(pick(logB), -700, 700)), pick(E)


_guess_jit = jax.jit(functools.partial(_guess, jnp))


def _guess_compiled(T2, g, m):
    """Run :func:`_guess` compiled, on shapes padded to their buckets.

    One executable serves similar tables; padded points are masked, padded rows are copies
    of row 0.
    """
    rows, n = g.shape
    R, L = bucket(rows), bucket(n, smallest=8)
    padded = (pad(a, rows, R, n, L, value=v) for a, v in ((T2, 1.0), (g, 1.0), (m, False)))
    out = _guess_jit(*padded)
    return tuple(np.asarray(v)[:rows] for v in out)


def initial_guess(T, rho, law: str, mask=None) -> dict[str, np.ndarray]:
    """Estimate starting values of ``law``'s parameters from the data, per row (module notes).

    Parameters
    ----------
    T, rho
        Shape ``(n_T,)`` or ``(n_rows, n_T)`` (T may be 1-D and shared); T [K], ρ [Ω/□].
    law
        ``"insulator"`` or ``"superconductor"``.
    mask
        Optional boolean array like ``rho``: ``False`` marks padding.

    Returns
    -------
    dict
        ``name -> (n_rows,)`` (or scalars for 1-D input), all > 0.

    Valid for
        curves with at least 3 real (unmasked) points, ρ > 0; the estimate is exact for
        noise-free data whose plateau is among the scanned candidates and rough otherwise
        (it only has to land in the right basin).
    """
    check_choice("law", law, LAWS)
    rho = np.asarray(rho, dtype=float)
    one = rho.ndim == 1
    rho2 = np.atleast_2d(rho)
    T2 = np.broadcast_to(np.asarray(T, dtype=float), rho2.shape)
    m = np.ones(rho2.shape, bool) if mask is None else np.broadcast_to(mask, rho2.shape)
    g = 1.0 / rho2 if law == "insulator" else rho2
    if rho2.shape[0] >= _GUESS_JIT_ROWS and x64_enabled():
        P, B, E = _guess_compiled(T2, g, m)
    else:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            P, B, E = _guess(np, T2, g, m)
    out = dict(zip(PARAM_NAMES[law], (P, B, E)))
    return {n: float(v[0]) for n, v in out.items()} if one else out


# --- the fit ----------------------------------------------------------------------------------
def _validate(T, rho, sigma, mask):
    """Check the inputs; ragged lists (one array per field) are packed with a mask."""
    if is_ragged(rho) or is_ragged(T):
        if mask is not None:
            raise DomainError("argument 'mask' is for padded 2-D input; ragged lists need no mask")
        T_list = T if is_ragged(T) else [T] * len(rho)
        if sigma is not None and not is_ragged(sigma):
            raise DomainError(
                "with ragged rho (a list of arrays), 'sigma' must be a list of arrays too"
            )
        T, rho, sigma, mask = pack_ragged(
            list(T_list),
            list(rho),
            None if sigma is None else list(sigma),
            names=("T", "rho", "sigma"),
        )
    rho = np.asarray(rho, dtype=float) if not hasattr(rho, "dtype") else np.asarray(rho)
    T = np.asarray(T)
    check("T", T, gt=0, valid="temperatures in K")
    check("rho", rho, gt=0, valid="resistivities in Ohm/sq")
    if rho.ndim not in (1, 2):
        raise DomainError(
            f"argument 'rho' must have shape (n_T,) or (n_fields, n_T), or be a list of "
            f"1-D arrays (ragged); got {rho.shape}"
        )
    if T.shape not in (rho.shape, rho.shape[-1:]):
        raise DomainError(
            f"argument 'T' must have shape {rho.shape} or {rho.shape[-1:]} to "
            f"match rho; got {T.shape}"
        )
    if sigma is not None:
        sigma = np.asarray(sigma, dtype=float)
        check("sigma", sigma, gt=0, valid="1-sigma errors of rho in Ohm/sq")
        if sigma.shape != rho.shape:
            raise DomainError(
                f"argument 'sigma' must have the shape of rho {rho.shape}; got {sigma.shape}"
            )
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != rho.shape:
            raise DomainError(
                f"argument 'mask' must have the shape of rho {rho.shape}; got {mask.shape}"
            )
    n_real = np.full(rho.shape[:-1], rho.shape[-1]) if mask is None else mask.sum(axis=-1)
    if np.any(n_real < 4):
        bad = np.flatnonzero(np.atleast_1d(n_real) < 4)
        raise DomainError(
            f"each curve needs at least 4 points to fit 3 parameters; row(s) "
            f"{bad.tolist()} have {np.atleast_1d(n_real)[bad].tolist()}"
        )
    return np.asarray(T, dtype=float), np.asarray(rho, dtype=float), sigma, mask


def fit(
    T,
    rho,
    law: str = "insulator",
    *,
    sigma=None,
    H=None,
    mask=None,
    start=None,
    max_steps: int = 256,
    scale_covar: bool | None = None,
    retry: bool = True,
    devices=None,
):
    r"""Fit Eq. (1), Eq. (2) or the better of both to ρ(T) curves, one fit per row.

    Parameters
    ----------
    T
        Temperatures [K], > 0: shape ``(n_T,)`` (shared by all rows) or that of ``rho``;
        or, for ragged data, a list of 1-D arrays (one per field, any lengths).
    rho
        Resistivities [Ω/□], > 0: ``(n_T,)`` for one curve, ``(n_fields, n_T)``, or a
        list of 1-D arrays of different lengths (one per field; ``T`` and ``sigma`` then
        lists of the same lengths): ragged tables need no padding by hand.
    law
        ``"insulator"`` (Eq. (1): ``sigma_QF`` [S], ``sigma_0`` [S], ``E_a`` [K]),
        ``"superconductor"`` (Eq. (2): ``rho_QF``, ``rho_0`` [Ω/□], ``E_a`` [K]) or
        ``"auto"``: both laws, and per row the one with the lower χ² (both have three
        parameters).
    sigma
        1-σ errors of ``rho`` [Ω/□], shape of ``rho``; ``None``: equal relative weights and
        error bars from the scatter.
    H
        Fields [Oe] of the rows (``law="auto"`` only): then the result also reports the
        crossover field H* and the saturation resistance there (:func:`.field.crossover`).
    mask
        Boolean, shape of 2-D ``rho``: ``False`` marks padding (:meth:`FieldSweep.padded`);
        such points change nothing (χ², ``ndata``, redchi, errors).
    start
        Optional starting values overriding :func:`initial_guess` (one law only):
        ``name -> float or (n_rows,) array`` of the law's parameters (all > 0; names not
        given keep their automatic start).  For studies of convergence from bad starts.
    max_steps
        Levenberg–Marquardt step limit.
    scale_covar
        Scale the covariance by redchi; default ``True`` without ``sigma``, ``False`` with
        it (then ``sigma`` are taken as the true standard deviations).
    retry
        Re-fit the rows that fail (or are degenerate) from the automatic start with
        ``multistart=RETRY_MULTISTART`` random starts (:class:`dissipax.fit.Retry`).
    devices
        Devices to shard the rows over (:func:`dissipax.fit.least_squares`; default: all
        local devices for large batches).

    Returns
    -------
    FitResult or AutoFitResult
        For one law a :class:`dissipax.fit.FitResult` (batched for 2-D or ragged input)
        with the law's parameters, stderr, χ²; ``extra["law"]`` names the law.  For
        ``"auto"`` an :class:`AutoFitResult` (both fits, the choice per row, and the
        crossover when ``H`` is given).

    Notes
    -----
    All rows are fitted in one compiled, vmapped call per law; curves of similar length
    share one executable (the fit pipeline buckets lengths and batch sizes).

    Valid for
        T > 0 [K], ρ > 0 [Ω/□], finite, ≥ 4 points per row, sigma > 0. Rows whose fitted
        curve is flat over the data (activated term underflowed, or E_a → 0) are flagged
        success=False (status DEGENERATE) with a message and retried from the automatic
        start with multistart; a row not described by the law ends with success=False or
        a poor redchi, never an exception.
    """
    check_choice("law", law, (*LAWS, "auto"))
    T, rho, sigma, mask = _validate(T, rho, sigma, mask)
    if law != "auto" and H is not None:
        raise DomainError("argument 'H' is used with law='auto' only (to report H*)")
    start = _validate_start(start, law, rho.shape[:-1])
    kw = dict(
        max_steps=max_steps,
        scale_covar=sigma is None if scale_covar is None else scale_covar,
        retry=retry,
        devices=devices,
    )
    if law != "auto":
        return _fit_law(T, rho, law, sigma, mask, start=start, **kw)
    ins, sc = (_fit_law(T, rho, lw, sigma, mask, start=None, **kw) for lw in LAWS)
    return AutoFitResult.from_fits(ins, sc, H=H)


def _validate_start(start, law: str, batch: tuple[int, ...]) -> dict[str, np.ndarray] | None:
    """Check user starting values: the law's names, > 0, scalar or one per row."""
    if start is None:
        return None
    if law == "auto":
        raise DomainError("argument 'start' needs one law ('insulator' or 'superconductor')")
    names = PARAM_NAMES[law]
    unknown = [k for k in start if k not in names]
    if unknown:
        raise DomainError(
            f"argument 'start': unknown parameter(s) {unknown} for law {law!r}; "
            f"parameters: {', '.join(names)}"
        )
    out = {}
    for k, v in start.items():
        check(f"start[{k!r}]", v, gt=0, valid="starting values are positive")
        a = np.asarray(v, dtype=float)
        if a.shape not in ((), batch):
            raise DomainError(
                f"argument 'start[{k!r}]' must be a scalar or one value per row {batch}; "
                f"got shape {a.shape}"
            )
        out[k] = np.broadcast_to(a, batch) if batch else a
    return out


def _params(values: dict) -> dict[str, Parameter]:
    return {k: Parameter(v, min=0.0, transform="log") for k, v in values.items()}


def _fit_law(T, rho, law, sigma, mask, *, start, max_steps, scale_covar, retry, devices):
    """Fit one law to every row in one batched call of the fit pipeline."""
    batched = rho.ndim == 2
    auto = initial_guess(T, rho, law, mask)
    values = dict(auto)
    if start is not None:
        values.update({k: np.asarray(v, dtype=float) for k, v in start.items()})
    y = np.log(rho)
    s = np.ones_like(rho) if sigma is None else sigma / rho
    degenerate = Check(_flat(law), FLAT_NOTE)
    n = rho.shape[0] if batched else 1
    return least_squares(
        _MODELS[law],
        _params(values),
        T,
        y,
        s,
        mask=mask,
        batched=batched,
        batch_x=batched and T.ndim == 2,
        max_steps=max_steps,
        scale_covar=scale_covar,
        checks=(degenerate,),
        retry=Retry(RETRY_MULTISTART, params=_params(auto)) if retry else None,
        extras={"law": np.full(n, law)},
        devices=devices,
    )


#: a fitted log-rho curve varying by less than this over the data is flat (degenerate)
FLAT_TOL = 1e-10

FLAT_NOTE = (
    "degenerate: the fitted curve is flat over the data (the activated term "
    "prefactor*exp(-E_a/T) underflowed below the plateau's rounding, or E_a or the "
    "prefactor went to 0); a stationary point, not a minimum"
)


def _flat(law: str):
    r"""Return the check of fits whose curve is flat over the data (a :class:`Check`).

    :math:`\log g = \log(P + B e^{-E_a/T})` constant to ``FLAT_TOL`` over all data points
    means the activated term either underflowed (:math:`B e^{-E_a/T} \ll \epsilon P`
    everywhere) or froze (:math:`E_a \to 0`, or :math:`B \to 0`): the gradient with respect
    to B and E_a vanishes there, so Levenberg–Marquardt can stop at this flat stationary
    point.  Such rows get status DEGENERATE and are retried from the automatic start.
    """
    names = PARAM_NAMES[law]

    def fn(params, T, mask):
        P, B, E = (np.asarray(params[k], dtype=float) for k in names)
        Tm = np.asarray(T, dtype=float)
        if Tm.ndim == 1:
            Tm = Tm[None, :]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lg = np.logaddexp(np.log(P)[:, None], np.log(B)[:, None] - E[:, None] / Tm)
        m = None if mask is None else np.asarray(mask, bool)
        lo = np.min(lg if m is None else np.where(m, lg, np.inf), axis=-1)
        hi = np.max(lg if m is None else np.where(m, lg, -np.inf), axis=-1)
        return ~(hi - lo > FLAT_TOL)  # also catches NaN

    return fn


# --- law="auto" -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class AutoFitResult:
    """Both laws fitted to every row, and per row the better one (``law="auto"``).

    Attributes
    ----------
    law
        Per row ``"insulator"`` or ``"superconductor"`` (str for a single curve).
    insulator, superconductor
        The full :class:`~dissipax.fit.FitResult` of each law for every row.
    H
        The rows' fields [Oe] if given.
    crossover
        A :class:`.field.Crossover` (H*, saturation resistance there vs R_Q) when ``H`` was
        given and both laws were chosen for some rows; else ``None``.
    power_laws
        ``{"rho_QF_inv": FitResult, "sigma_QF": FitResult}`` power laws in H of the chosen
        rows (each needs ≥ 2 fields), used for the crossover.
    """

    law: Any
    insulator: FitResult
    superconductor: FitResult
    H: np.ndarray | None = None
    crossover: _field.Crossover | None = None
    power_laws: dict[str, FitResult] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_fits(cls, ins: FitResult, sc: FitResult, H=None) -> AutoFitResult:
        """Choose per row by χ² (a failed fit loses to a converged one)."""
        chi_i = np.where(np.asarray(ins.success), np.asarray(ins.chi2, float), np.inf)
        chi_s = np.where(np.asarray(sc.success), np.asarray(sc.chi2, float), np.inf)
        both_failed = ~np.isfinite(chi_i) & ~np.isfinite(chi_s)
        chi_i = np.where(both_failed, np.nan_to_num(np.asarray(ins.chi2, float), nan=np.inf), chi_i)
        chi_s = np.where(both_failed, np.nan_to_num(np.asarray(sc.chi2, float), nan=np.inf), chi_s)
        law = np.where(chi_i <= chi_s, "insulator", "superconductor")
        if not ins.batched:
            return cls(law=str(law), insulator=ins, superconductor=sc)
        out = cls(
            law=law,
            insulator=ins,
            superconductor=sc,
            H=None if H is None else np.asarray(H, dtype=float),
        )
        if H is None:
            return out
        H = np.asarray(H, dtype=float)
        if H.shape != law.shape:
            raise DomainError(
                f"argument 'H' must have one field per row {law.shape}; got {H.shape}"
            )
        check("H", H, gt=0, valid="fields in Oe")
        return dataclasses.replace(out, **_crossover(out, H))

    # -- the chosen law, row by row ------------------------------------------------------
    @property
    def batched(self) -> bool:
        """Whether this holds a batch of rows."""
        return self.insulator.batched

    def __len__(self) -> int:
        return len(self.insulator)

    def __getitem__(self, i: int) -> FitResult:
        """Return the chosen law's single-fit :class:`FitResult` of row ``i``."""
        law = self.law[i] if self.batched else self.law
        return (self.insulator if law == "insulator" else self.superconductor)[i]

    def _pick(self, attr: str):
        a_i, a_s = (
            np.asarray(getattr(self.insulator, attr)),
            np.asarray(getattr(self.superconductor, attr)),
        )
        return np.where(np.asarray(self.law) == "insulator", a_i, a_s)

    @property
    def chi2(self):
        """χ² of the chosen law per row."""
        return self._pick("chi2")

    @property
    def redchi(self):
        """Reduced χ² of the chosen law per row."""
        return self._pick("redchi")

    @property
    def success(self):
        """Whether the chosen fit converged, per row."""
        return self._pick("success")

    @property
    def message(self):
        """The chosen fit's message per row."""
        if not self.batched:
            return (self.insulator if self.law == "insulator" else self.superconductor).message
        return [self[i].message for i in range(len(self))]

    @property
    def params(self) -> dict[str, np.ndarray]:
        """All five parameters per row; NaN for the law that was not chosen."""
        return self._merged("params")

    @property
    def stderr(self) -> dict[str, np.ndarray]:
        """Standard errors like :attr:`params`."""
        return self._merged("stderr")

    def _merged(self, attr: str) -> dict[str, np.ndarray]:
        law = np.asarray(self.law)
        out = {}
        for lw, res in (("superconductor", self.superconductor), ("insulator", self.insulator)):
            for n in PARAM_NAMES[lw]:
                if n == "E_a":
                    continue
                out[n] = np.where(law == lw, np.asarray(getattr(res, attr)[n]), np.nan)
        out["E_a"] = np.where(
            law == "insulator",
            np.asarray(getattr(self.insulator, attr)["E_a"]),
            np.asarray(getattr(self.superconductor, attr)["E_a"]),
        )
        return out

    @property
    def saturation_resistance(self) -> np.ndarray:
        """ρ(T → 0) [Ω/□] per row: ρ_QF (Eq. (2)) or 1/σ_QF (Eq. (1))."""
        p = self.params
        return np.where(np.asarray(self.law) == "insulator", 1.0 / p["sigma_QF"], p["rho_QF"])

    # -- output --------------------------------------------------------------------------
    def report(self) -> str:
        """Per-row table of the chosen law, and the crossover.

        Valid for
            any AutoFitResult (formatting only).
        """
        law = np.atleast_1d(self.law)
        p, s = self.params, self.stderr
        ok = np.atleast_1d(self.success)
        chi_i, chi_s = (
            np.atleast_1d(self.insulator.redchi),
            np.atleast_1d(self.superconductor.redchi),
        )
        Hs = self.H if self.H is not None else np.arange(len(law))
        lines = [
            "[[Saturation fits, law='auto']]",
            f"    {'H [Oe]' if self.H is not None else 'row':>8} {'law':>14} "
            f"{'R(T->0) [Ohm/sq]':>20} {'E_a [K]':>16} {'redchi I/S':>20} ok",
        ]
        R = np.atleast_1d(self.saturation_resistance)
        for i in range(len(law)):
            pl = "sigma_QF" if law[i] == "insulator" else "rho_QF"
            pv, ps = np.atleast_1d(p[pl])[i], np.atleast_1d(s[pl])[i]
            rel = ps / pv if pv else np.nan
            lines.append(
                f"    {Hs[i]:>8.4g} {law[i]:>14} {R[i]:>11.5g} ±{rel:6.2%} "
                f"{np.atleast_1d(p['E_a'])[i]:>8.4g} ±{np.atleast_1d(s['E_a'])[i]:<6.2g} "
                f"{chi_i[i]:>9.3g}/{chi_s[i]:<9.3g} {'yes' if ok[i] else 'NO'}"
            )
        if self.crossover is not None:
            lines.append("[[Crossover]]")
            lines.append("    " + self.crossover.summary())
        for k, res in self.power_laws.items():
            lines.append(
                f"    power law {k} ∝ H^e: e = {res.params['exponent']:.4g} ± "
                f"{res.stderr['exponent']:.2g}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<pre>" + _html.escape(self.report()) + "</pre>"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (``dissipax.io.write_json`` writes it).

        Valid for
            any AutoFitResult (formatting only; NaN for the law not chosen).
        """
        return {
            "law": np.asarray(self.law).tolist(),
            "H": self.H,
            "params": self.params,
            "stderr": self.stderr,
            "chi2": self.chi2,
            "redchi": self.redchi,
            "success": self.success,
            "saturation_resistance": self.saturation_resistance,
            "insulator": self.insulator.to_dict(),
            "superconductor": self.superconductor.to_dict(),
            "crossover": None if self.crossover is None else dataclasses.asdict(self.crossover),
            "power_laws": {k: v.to_dict() for k, v in self.power_laws.items()},
        }


def saturation_power_laws(H, law, params, stderr, success=None) -> dict[str, FitResult]:
    """Power laws ρ_QF⁻¹ ∝ H^b and σ_QF ∝ H^a over the rows fitted by each law.

    Parameters
    ----------
    H
        Fields [Oe], one per row.
    law
        Per-row law (``"superconductor"`` or ``"insulator"``).
    params, stderr
        Per-row ``rho_QF`` and ``sigma_QF`` with errors (NaN where not applicable), e.g.
        :attr:`AutoFitResult.params`.
    success
        Optional per-row convergence flags; failed rows are left out.

    Returns
    -------
    dict
        ``"rho_QF_inv"`` and/or ``"sigma_QF"`` -> :func:`.field.fit_power_law` result (a
        branch needs ≥ 2 usable fields).  With per-field stderr as weights
        (``scale_covar=False``).

    Valid for
        H > 0 and per-row parameters with positive finite stderr; a branch with fewer than
        2 usable rows is omitted.
    """
    H = np.asarray(H, dtype=float)
    law = np.asarray(law)
    ok = np.ones(H.shape, bool) if success is None else np.asarray(success, bool)
    out = {}
    for lw, name in (("superconductor", "rho_QF"), ("insulator", "sigma_QF")):
        v, e = np.asarray(params[name], float), np.asarray(stderr[name], float)
        sel = (law == lw) & ok & np.isfinite(v) & np.isfinite(e) & (e > 0)
        if sel.sum() < 2:
            continue
        if lw == "superconductor":
            y, ye = 1.0 / v[sel], e[sel] / v[sel] ** 2
            key = "rho_QF_inv"
        else:
            y, ye = v[sel], e[sel]
            key = "sigma_QF"
        out[key] = _field.fit_power_law(H[sel], y, ye)
    return out


def _crossover(res: AutoFitResult, H: np.ndarray) -> dict[str, Any]:
    law = np.asarray(res.law)
    sc, ins = law == "superconductor", law == "insulator"
    if not sc.any() or not ins.any():
        return {}
    laws = saturation_power_laws(H, law, res.params, res.stderr, res.success)
    H_below = float(H[sc].max())
    H_above = float(H[ins].min())
    R = res.saturation_resistance
    cross = _field.crossover(
        H_below,
        H_above,
        laws.get("rho_QF_inv"),
        laws.get("sigma_QF"),
        R_below=float(R[sc][np.argmax(H[sc])]),
        R_above=float(R[ins][np.argmin(H[ins])]),
    )
    return {"crossover": cross, "power_laws": laws}


__all__ = ["AutoFitResult", "fit", "initial_guess", "saturation_power_laws"]
