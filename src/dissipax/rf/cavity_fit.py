"""Fitting composed surface-resistance models to cavity ramps Rs(B_p), and comparing models.

* :func:`fit_cavity` — one model (a sum of :mod:`dissipax.rf.losses` terms) fitted to
  ramps: every parameter per ramp (one batched, compiled call over the ramps), or some
  ``shared`` by all ramps (one joint fit);
* :func:`compare_models` — several candidate models on the same ramps: χ², χ²_red,
  AIC/BIC and the leave-one-ramp-out predictive error in one table.

Automatic starts.  Every term is linear in its amplitude (``Rs0_nOhm``, ``R_res_nOhm``,
``B_trap_uT``, ``A_tls_nOhm``) once its other parameters are fixed, so the start of each
ramp is the best non-negative linear least-squares solution (SciPy ``nnls``) over a small
grid of the other varying parameters (``_GRID``): the Levenberg–Marquardt fit then starts
next to the optimum and needs few steps, with no retries or random starts.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import nnls

from .._checks import DomainError, check
from ..fit import FitResult, Parameter, Retry, least_squares
from . import _validate as _v
from .cavity_data import Ramp, check_ramps
from .losses import AbstractLoss, QSlope, Residual
from .materials import NIOBIUM, Superconductor

__all__ = [
    "DEFAULT_MODEL",
    "CavityFit",
    "ModelComparison",
    "RampFit",
    "compare_models",
    "fit_cavity",
    "model_rs_ohm",
]

#: parameters entering each term linearly (solved by NNLS for the automatic start)
AMPLITUDES = ("Rs0_nOhm", "Rq_nOhm", "R_res_nOhm", "B_trap_uT", "A_tls_nOhm")
#: start grids of the nonlinear parameters (the best NNLS fit over the grid is the start)
_GRID = {
    "kappa_per_mT": (1e-3, 1e-2, 3e-2),
    "alpha": (0.02, 0.2, 1.0),
    "B_tls_mT": (1.0, 10.0, 100.0),
}
#: LM termination (rtol = atol): lmfit's leastsq default 1.49e-8; with a few % errors per
#: point a step below 1e-8 relative changes nothing (the engine's 1e-10 default made 4.5 %
#: of TrappedFlux fits end at max_steps ON the minimum, bouncing in the last digits)
TOL = 1e-8

#: default model of :func:`fit_cavity` for plain-Nb ramps: chosen by :func:`compare_models`
#: on the TRIUMF HWR ramps (notebook 03; lowest BIC of five candidates): a residual
#: resistance plus the phenomenological Q-slope (one ramp at one bath temperature cannot
#: identify a field-independent BCS amplitude; it is degenerate with R_res)
DEFAULT_MODEL: AbstractLoss = QSlope() + Residual()


# --- the model as a fit function -----------------------------------------------------------


@functools.cache
def _fit_fn(template: AbstractLoss):
    """``fn(x, **p)`` evaluating ``template`` with parameters ``p`` (cached per structure)."""
    if template.needs_points:

        def fn(x, **p):
            B, T, f, f_ref = x
            return template.replace(**p).rs_ohm(B, T, f, f_ref)

    else:

        def fn(x, **p):
            return template.replace(**p).rs_ohm(*x)

    return fn


@functools.cache
def _eval_jit(template: AbstractLoss):
    """Jitted ``(x, params) -> Rs`` of a model structure (cached: compiled once per shape)."""
    fn = _fit_fn(template)
    return jax.jit(lambda x, p: fn(x, **p))


def _template(model: AbstractLoss) -> AbstractLoss:
    """``model`` with every parameter set to 0.0: a hashable key of its structure."""
    return model.replace(**{k: 0.0 for k in model.specs()})


def _joint_fn(template: AbstractLoss, per_ramp: tuple[str, ...], n_ramps: int):
    """Joint fit function: per-ramp parameters named ``name__r<i>``, gathered by ramp index."""
    return _joint_fn_cached(template, per_ramp, n_ramps)


@functools.cache
def _joint_fn_cached(template, per_ramp, n_ramps):
    def fn(x, **p):
        B, T, f, f_ref, idx = x
        vals = {k: v for k, v in p.items() if "__r" not in k}
        for k in per_ramp:
            vals[k] = jnp.stack([p[f"{k}__r{i}"] for i in range(n_ramps)])[idx]
        return template.replace(**vals).rs_ohm(B, T, f, f_ref)

    return fn


@functools.cache
def _joint_eval(fn):
    """Jitted ``(x, params) -> Rs`` of a joint fit function (compiled once per shape)."""
    return jax.jit(lambda x, p: fn(x, **p))


def model_rs_ohm(model: AbstractLoss, B_mT, T_K, f_Hz, *, f_ref_Hz=None):
    """Evaluate a loss model: Rs [Ω] at fields ``B_mT`` [mT], bath ``T_K`` [K], ``f_Hz`` [Hz].

    ``f_ref_Hz``: where the model's amplitudes are quoted (default: ``f_Hz`` itself).

    Valid for
        0 ≤ B_mT ≤ 200 mT, 0 < T_K < 9.9 K, 1 kHz ≤ f_Hz ≤ 100 GHz (Hz, not MHz), finite,
        broadcasting; ``model`` an :class:`~dissipax.rf.losses.AbstractLoss`.  Outside:
        ``DomainError`` naming the argument and its unit.
    """
    if not isinstance(model, AbstractLoss):
        raise DomainError(f"argument 'model' must be a loss model; got {type(model).__name__}")
    check("B_mT", B_mT, ge=0.0, le=200.0, valid="peak surface field in mT")
    check("T_K", T_K, gt=0.0, lt=_v.T_C * 17.5, valid="bath temperature in K")
    check("f_Hz", f_Hz, ge=_v.F_MIN_HZ, le=1e11, valid=_v.F_HZ_UNITS)
    f_ref = f_Hz if f_ref_Hz is None else f_ref_Hz
    check("f_ref_Hz", f_ref, ge=_v.F_MIN_HZ, le=1e11, valid=_v.F_HZ_UNITS)
    arrs = jnp.broadcast_arrays(*(jnp.asarray(v, float) for v in (B_mT, T_K, f_Hz, f_ref)))
    shape = arrs[0].shape
    flat = [a.reshape(-1) for a in arrs]
    # jitted per model structure: one XLA program, compiled once per shape
    return _eval_jit(_template(model))(tuple(flat), model.values()).reshape(shape)


# --- results -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class RampFit:
    """The fit of one ramp: values, stderr, χ², χ²_red, success, and the fitted model.

    ``model`` has the fitted values; ``predict(B_mT, T_K)`` evaluates it on this ramp's
    frequency and reference.
    """

    ramp: Ramp
    model: AbstractLoss
    params: dict[str, float]
    stderr: dict[str, float]
    chi2: float
    redchi: float
    ndata: int
    success: bool
    message: str
    f_ref_Hz: float

    def predict(self, B_mT, T_K):
        """Rs [Ω] of the fitted model at ``B_mT`` [mT] and bath ``T_K`` [K]."""
        return model_rs_ohm(self.model, B_mT, T_K, self.ramp.f_Hz, f_ref_Hz=self.f_ref_Hz)

    def contributions(self, B_mT, T_K) -> dict[str, np.ndarray]:
        """Each term's Rs [Ω] at the points (keyed by term name)."""
        from .losses import terms_of

        return {
            t.name: np.asarray(model_rs_ohm(t, B_mT, T_K, self.ramp.f_Hz, f_ref_Hz=self.f_ref_Hz))
            for t in terms_of(self.model)
        }


@dataclasses.dataclass(frozen=True)
class CavityFit:
    """Result of :func:`fit_cavity`: per-ramp parameters, errors and fit statistics.

    Attributes
    ----------
    model
        The model fitted (start values).
    ramps
        The ramps, in order.
    params, stderr
        ``name -> (n_ramps,) array`` (a shared parameter repeats its one value).
    chi2, redchi, ndata
        Per ramp: Σ r², χ²/(n − k_ramp) and the number of real points, with
        k_ramp = per-ramp varying parameters + shared ones × n/N (a ramp's share).
    success, message
        Per ramp (a joint fit's status repeats for every ramp).
    shared
        Names fitted jointly across the ramps.
    fit
        The engine's :class:`~dissipax.fit.FitResult` (batched over ramps, or one joint fit).
    nvary
        Varying parameters in total (all ramps).
    """

    model: AbstractLoss
    ramps: tuple[Ramp, ...]
    params: dict[str, np.ndarray]
    stderr: dict[str, np.ndarray]
    chi2: np.ndarray
    redchi: np.ndarray
    ndata: np.ndarray
    success: np.ndarray
    message: tuple[str, ...]
    f_ref_Hz: np.ndarray
    shared: tuple[str, ...]
    fit: FitResult
    nvary: int

    def __len__(self) -> int:
        return len(self.ramps)

    def __getitem__(self, i: int) -> RampFit:
        p = {k: float(v[i]) for k, v in self.params.items()}
        return RampFit(
            ramp=self.ramps[i],
            model=self.model.replace(**p),
            params=p,
            stderr={k: float(v[i]) for k, v in self.stderr.items()},
            chi2=float(self.chi2[i]),
            redchi=float(self.redchi[i]),
            ndata=int(self.ndata[i]),
            success=bool(self.success[i]),
            message=self.message[i],
            f_ref_Hz=float(self.f_ref_Hz[i]),
        )

    @property
    def all_converged(self) -> bool:
        """Whether every ramp's fit converged."""
        return bool(np.all(self.success))

    @property
    def chi2_total(self) -> float:
        """χ² summed over the ramps."""
        return float(np.sum(self.chi2))

    @property
    def n_points(self) -> int:
        """Real data points of all ramps."""
        return int(np.sum(self.ndata))

    def information_criteria(self) -> tuple[float, float]:
        """(AIC, BIC) of the whole fit, lmfit's convention N ln(χ²/N) + 2k, + k ln N.

        The Gaussian log-likelihood with the noise scale fitted (lmfit's ``aic``/``bic``),
        so that the assumed ``rel_error`` does not set the differences between models.

        Valid for
            any fit with at least one point (χ² floored at 1e-300 before the log).
        """
        n, k = self.n_points, self.nvary
        base = n * math.log(max(self.chi2_total, 1e-300) / n)
        return base + 2 * k, base + k * math.log(n)

    def sample(self, i: int, *, rel_error: float = 0.02, **kwargs):
        """Posterior of ramp ``i``'s varying parameters with :func:`dissipax.fit.sample` (NUTS).

        Starts at the fitted values; priors from the bounds (flat); ``kwargs`` go to
        :func:`~dissipax.fit.sample` (``num_samples``, ``num_warmup``, ``key``, ...).
        Needs the ``[bayes]`` extra (NumPyro, ArviZ).  Independent per-ramp fits only.

        Valid for
            0 <= i < number of ramps of a per-ramp fit (``shared=()``); raises otherwise.
        """
        from ..fit import sample

        if self.shared:
            raise DomainError("sample() needs per-ramp fits (shared=()); this fit is joint")
        r = self.ramps[i]
        specs = self.model.specs()
        params = {
            k: _parameter(specs[k], float(self.params[k][i]), bool(self.fit.vary[k])) for k in specs
        }
        fr = np.full(len(r), self.f_ref_Hz[i])
        x = tuple(jnp.asarray(v, float) for v in (r.Bp_mT, r.T_K, np.full(len(r), r.f_Hz), fr))
        fn = _fit_fn(_template(self.model))
        return sample(fn, params, x, r.Rs_ohm, sigma=rel_error * r.Rs_ohm, **kwargs)

    def report(self) -> str:
        """One line per ramp: label, success, χ²_red and the varying parameters ± stderr.

        Valid for
            any CavityFit (formatting only).
        """
        names = [k for k in self.params if self.fit.vary.get(k, self.fit.vary.get(f"{k}__r0"))]
        lines = [f"model: {self.model.name}   shared: {', '.join(self.shared) or '-'}"]
        for i, r in enumerate(self.ramps):
            vals = "  ".join(f"{k}={self.params[k][i]:.4g}±{self.stderr[k][i]:.2g}" for k in names)
            ok = "ok " if self.success[i] else "FAILED"
            lines.append(f"{r.label:24s} {ok} chi2_red={self.redchi[i]:7.3g}  {vals}")
        return "\n".join(lines)


# --- starts --------------------------------------------------------------------------------


def _eval_rows(template: AbstractLoss, x_flat, rows: dict[str, np.ndarray]) -> np.ndarray:
    """Model values for several parameter sets at once: ``rows[name]`` of shape (m,) -> (m, N).

    The parameter batch is padded to a bucket of 8·2^k rows, so the automatic starts and
    the leave-one-ramp-out predictions of one model reuse one compiled executable.
    """
    m = len(next(iter(rows.values())))
    size = 8
    while size < m:
        size *= 2
    batch = {
        k: jnp.asarray(np.concatenate([v, np.full(size - m, v[-1])]), float)[:, None]
        for k, v in rows.items()
    }
    return np.asarray(_eval_jit(template)(x_flat, batch))[:m]


def _auto_starts(model, specs, vary, x_flat, masks, y, sigma):
    """Return starts, one per row of ``masks`` (rows, N), fitted to that row's points.

    NNLS over the amplitudes on a grid of the nonlinear parameters (module docstring).
    """
    base = model.values()
    amps = [k for k in specs if k in AMPLITUDES and vary[k]]
    nonlin = [k for k in specs if k not in AMPLITUDES and vary[k] and k in _GRID]
    grid = list(itertools.product(*(_GRID[k] for k in nonlin))) or [()]
    rows = []  # one model evaluation per (grid point, amplitude): amplitude 1, others 0
    for g in grid:
        for a in amps:
            p = {**base, **dict(zip(nonlin, g))}
            p.update({k: 0.0 for k in amps})
            p[a] = 1.0
            rows.append(p)
    rows.append({**base, **{k: 0.0 for k in amps}})  # the fixed amplitudes' contribution
    cols = _eval_rows(_template(model), x_flat, {k: np.array([r[k] for r in rows]) for k in specs})
    offset = cols[-1]
    cols = cols[:-1].reshape(len(grid), len(amps), -1)
    n_rows = masks.shape[0]
    starts = {k: np.empty(n_rows) for k in specs}
    signed = np.array([specs[k].min is None for k in amps], bool)
    for i in range(n_rows):
        m = masks[i]
        w = 1.0 / sigma[m]
        best = (np.inf, None, None)
        for gi, g in enumerate(grid):
            A = (cols[gi][:, m] * w).T
            A = np.concatenate([A, -A[:, signed]], axis=1)  # signed amplitudes: c+ - c-
            b = (y[m] - offset[m]) * w
            if not np.all(np.isfinite(A)):
                continue
            c, rnorm = nnls(A, b)
            coef = c[: len(amps)].copy()
            coef[signed] -= c[len(amps) :]
            if rnorm < best[0]:
                best = (rnorm, g, coef)
        _, g, coef = best
        if g is None:
            g, coef = grid[0], np.ones(len(amps))
        scale = max(float(np.max(np.abs(coef))), 1e-12) if coef.size else 1.0
        for k, v in zip(nonlin, g):
            starts[k][i] = v
        for k, c, sg in zip(amps, coef, signed):
            # strictly inside the bound 0 (a start of 0 gives an unbounded one unit scale)
            starts[k][i] = (
                (c if abs(c) > 1e-3 * scale else 1e-3 * scale) if sg else max(c, 1e-3 * scale)
            )
        for k in specs:
            if k not in amps and k not in nonlin:
                starts[k][i] = base[k]
    return starts


# --- the fit -------------------------------------------------------------------------------


def _points(ramps, f_ref_Hz):
    """Flat arrays over all real points: B, T, f, f_ref, ramp index, Rs."""
    B = np.concatenate([r.Bp_mT for r in ramps])
    T = np.concatenate([r.T_K for r in ramps])
    f = np.concatenate([np.full(len(r), r.f_Hz) for r in ramps])
    fr = f if f_ref_Hz is None else np.full(B.size, float(f_ref_Hz))
    idx = np.concatenate([np.full(len(r), i) for i, r in enumerate(ramps)])
    y = np.concatenate([r.Rs_ohm for r in ramps])
    return B, T, f, fr, idx, y


def _check_fit_cavity(ramps, model, f_ref_Hz, T_ref_K, rel_error, material, vary, start, shared):
    check_ramps(ramps)
    if not isinstance(model, AbstractLoss):
        raise DomainError(
            f"argument 'model' must be a loss model (e.g. BCS() + Residual()); got "
            f"{type(model).__name__}"
        )
    if not isinstance(material, Superconductor):
        raise DomainError(
            f"argument 'material' must be a Superconductor; got {type(material).__name__}"
        )
    check("rel_error", rel_error, gt=0.0, valid="relative standard error of each Rs point")
    check("T_ref_K", T_ref_K, gt=0.0, lt=_v.T_C * material.Delta0_K, valid="reference T in K")
    if f_ref_Hz is not None:
        check("f_ref_Hz", f_ref_Hz, ge=_v.F_MIN_HZ, le=1e11, valid=_v.F_HZ_UNITS)
    specs = model.specs()
    for what, d in (("vary", vary), ("start", start)):
        for k in d:
            if k not in specs:
                raise DomainError(
                    f"argument '{what}' names an unknown parameter {k!r}; the model "
                    f"{model.name!r} has {', '.join(specs)}"
                )
    for k in shared:
        if k not in specs:
            raise DomainError(
                f"argument 'shared' names an unknown parameter {k!r}; known: {', '.join(specs)}"
            )
    delta_lo = 12.0
    for i, r in enumerate(ramps):
        check(f"ramps[{i}].Bp_mT", r.Bp_mT, ge=0.0, le=200.0, valid="peak field in mT")
        check(
            f"ramps[{i}].T_K",
            r.T_K,
            gt=0.0,
            lt=_v.T_C * delta_lo,
            valid=f"bath temperature in K, below 0.567 Delta0/k_B for Delta0 >= {delta_lo:g} K",
        )
        check(f"ramps[{i}].Rs_ohm", r.Rs_ohm, gt=0.0, valid="surface resistance in ohm")
        check(f"ramps[{i}].f_Hz", r.f_Hz, ge=_v.F_MIN_HZ, le=1e11, valid=_v.F_HZ_UNITS)
        if float(np.max(r.Rs_ohm)) > 1e-3:
            raise DomainError(
                f"argument 'ramps[{i}].Rs_ohm' must be in ohm (SRF values are nOhm to "
                f"uOhm); got max {float(np.max(r.Rs_ohm)):g} (nOhm passed as ohm?)"
            )


def _with_reference(model, T_ref_K, material):
    """Set the reference temperature and B_c of the terms that have them (static fields)."""
    from .losses import LossSum, terms_of

    out = []
    for t in terms_of(model):
        changes = {}
        if hasattr(t, "T_ref_K"):
            changes["T_ref_K"] = float(T_ref_K)
        if hasattr(t, "Bc_mT"):
            changes["Bc_mT"] = float(material.Bc_T * 1e3)
        out.append(dataclasses.replace(t, **changes) if changes else t)
    return out[0] if len(out) == 1 and not isinstance(model, LossSum) else LossSum(tuple(out))


def fit_cavity(
    ramps,
    *,
    model: AbstractLoss | None = None,
    f_ref_Hz: float | None = None,
    T_ref_K: float = 2.0,
    shared: tuple[str, ...] = (),
    vary: dict | None = None,
    start: dict | None = None,
    material: Superconductor = NIOBIUM,
    rel_error: float = 0.02,
    max_steps: int = 100,
    alpha=None,
    Rs0_nOhm=None,
    R_res_nOhm=None,
    vary_Delta0: bool = False,
    devices=None,
) -> CavityFit:
    r"""Fit a composed surface-resistance model to measured cavity ramps Rs(B_p).

    Each ramp's points are evaluated at their measured bath temperature (the bath drifts
    by ~0.05 K along a ramp, which changes R_BCS by ~10 %).

    Parameters
    ----------
    ramps
        :class:`~dissipax.rf.cavity_data.Ramp` s (e.g. from
        :func:`~dissipax.rf.cavity_data.load_rs_vs_bp` or :func:`~dissipax.rf.cavity.ramp_from_q0`).
    model
        A sum of :mod:`dissipax.rf.losses` terms; default :data:`DEFAULT_MODEL`
        (QSlope + Residual, chosen for plain-Nb ramps by :func:`compare_models`
        in notebook 03).
    f_ref_Hz, T_ref_K
        Where BCS-like amplitudes are quoted (default: each ramp's own frequency, 2 K).
    shared
        Parameter names fitted as ONE value for all ramps (one joint fit); the others are
        per ramp.  ``()``: independent fits, one batched call.
    vary
        ``name -> bool`` overriding the terms' default (e.g. ``{"Delta0_K": True}``).
    start
        ``name -> value`` (scalar or one per ramp) overriding the automatic starts.  With
        per-ramp fits, each ramp is then also fitted from the automatic start and the lower
        χ² is kept (a replaced fit's message starts with "(retried from the automatic
        start").
    material
        Supplies B_c (of the terms' b = B/B_c) and Δ0 (start of ``Delta0_K``).
    rel_error
        Relative standard error of each Rs point (Q0 measurements: a few %).
    max_steps
        Levenberg–Marquardt step limit.
    alpha, Rs0_nOhm, R_res_nOhm, vary_Delta0
        Shortcuts: start values of those parameters (``alpha`` in [0, 20]) and
        ``vary={"Delta0_K": True}``.
    devices
        Shard the per-ramp fits (``shared=()``) over devices, as
        :func:`dissipax.fit.least_squares` (``None``: all local devices once there are at
        least 8 ramps per device; a number of local devices; a list of devices).  A joint
        fit (``shared`` non-empty) is one fit and runs on one device.

    Returns
    -------
    CavityFit
        ``result[i]`` is ramp i's :class:`RampFit`; ``result.report()`` a table.

    Valid for
        a non-empty list of Ramps with 0 ≤ B_p ≤ 200 mT, 0 < T < 0.567·12 K, Rs > 0 in Ω
        (≤ 1 mΩ), 1 kHz ≤ f ≤ 100 GHz, all finite; rel_error > 0; 0 < T_ref_K < T_c;
        names in ``vary``/``start``/``shared`` of the model.  Outside: ``DomainError``
        naming the argument (``ramps[i].Bp_mT`` etc. for data).
    """
    model = DEFAULT_MODEL if model is None else model
    if not isinstance(material, Superconductor):
        raise DomainError(
            f"argument 'material' must be a Superconductor; got {type(material).__name__}"
        )
    check("rel_error", rel_error, gt=0.0, valid="relative standard error of each Rs point")
    check("T_ref_K", T_ref_K, gt=0.0, lt=_v.T_C * material.Delta0_K, valid="reference T in K")
    for name, d in (("vary", vary), ("start", start)):
        if d is not None and not isinstance(d, dict):
            raise DomainError(f"argument '{name}' must be a dict name -> value; got {d!r}")
    if not isinstance(shared, (tuple, list)):
        raise DomainError(f"argument 'shared' must be a tuple of parameter names; got {shared!r}")
    vary = dict(vary or {})
    start = dict(start or {})
    shared = tuple(shared)
    if alpha is not None:
        check("alpha", alpha, ge=0.0, le=20.0, valid="start value of alpha (fit bounds [0, 20])")
    for name, val in (("alpha", alpha), ("Rs0_nOhm", Rs0_nOhm), ("R_res_nOhm", R_res_nOhm)):
        if val is not None:
            check(name, val, ge=0.0, valid="start value")
            start[name] = val
    if _v.flag("vary_Delta0", vary_Delta0):
        check(
            "material.Delta0_K",
            material.Delta0_K,
            ge=12.0,
            le=22.0,
            valid="start value of the fitted Delta0 in K (fit bounds [12, 22])",
        )
        vary["Delta0_K"] = True
    if isinstance(model, AbstractLoss):
        model = _with_reference(model, T_ref_K, material)
        if "Delta0_K" in model.specs():
            model = model.replace(Delta0_K=float(material.Delta0_K))
    _check_fit_cavity(ramps, model, f_ref_Hz, T_ref_K, rel_error, material, vary, start, shared)
    pb = _Problem.build(ramps, model, f_ref_Hz, rel_error, vary, max_steps)
    n = len(pb.ramps)
    auto = _auto_starts(model, pb.specs, pb.vary, pb.x, pb.own, pb.y, pb.sigma)
    starts = dict(auto)
    for k, v in start.items():
        starts[k] = np.broadcast_to(np.asarray(v, float), (n,)).copy()
    ndata = np.array([len(r) for r in pb.ramps])
    args = (model, pb.specs, pb.vary, starts)
    if not shared:
        # a user's start is also fitted from the automatic start; the lower chi2 is kept
        # (a start far off can end at a false, stationary local minimum: success=True)
        retry = (
            Retry(
                multistart=0,
                params={k: _parameter(pb.specs[k], auto[k], pb.vary[k]) for k in pb.specs},
                when="always",
            )
            if start
            else None
        )
        return _fit_batched(
            *args,
            pb.ramps,
            pb.fr,
            pb.idx,
            pb.y,
            pb.sigma,
            pb.max_steps,
            retry=retry,
            devices=devices,
        )
    return _fit_joint(
        *args, shared, pb.x, pb.idx, pb.y, pb.sigma, pb.ramps, pb.fr, ndata, pb.max_steps
    )


@dataclasses.dataclass(frozen=True)
class _Problem:
    """The checked model and the flat arrays over all real points of the ramps."""

    ramps: tuple[Ramp, ...]
    specs: dict
    vary: dict[str, bool]
    x: tuple  # (B, T, f, f_ref) as jnp arrays, shape (N,)
    idx: np.ndarray  # ramp index of each point
    fr: np.ndarray
    y: np.ndarray
    sigma: np.ndarray
    max_steps: int

    @classmethod
    def build(cls, ramps, model, f_ref_Hz, rel_error, vary, max_steps):
        specs = model.specs()
        B, T, f, fr, idx, y = _points(tuple(ramps), f_ref_Hz)
        return cls(
            ramps=tuple(ramps),
            specs=specs,
            vary={k: bool(vary.get(k, s.vary)) for k, s in specs.items()},
            x=tuple(jnp.asarray(v, float) for v in (B, T, f, fr)),
            idx=idx,
            fr=fr,
            y=y,
            sigma=rel_error * y,
            max_steps=_v.nodes("max_steps", max_steps, minimum=1),
        )

    @property
    def own(self) -> np.ndarray:
        """(n_ramps, N) masks: row i selects ramp i's points."""
        return self.idx[None, :] == np.arange(len(self.ramps))[:, None]


def _parameter(spec, value, vary):
    lo = -np.inf if spec.min is None else spec.min
    hi = np.inf if spec.max is None else spec.max
    if vary:  # strictly inside the bounds
        value = np.clip(value, lo + 1e-9 * (1 + abs(lo)) if np.isfinite(lo) else value, hi)
        if np.isfinite(hi):
            value = np.minimum(value, hi - 1e-9 * (1 + abs(hi)))
    return Parameter(value, min=spec.min, max=spec.max, vary=vary)


def _fit_batched(
    model, specs, vary, starts, ramps, fr, idx, y, sigma, max_steps, retry=None, devices=None
):
    n = len(ramps)
    n_max = max(len(r) for r in ramps)
    cols = []
    for arr in (
        np.concatenate([r.Bp_mT for r in ramps]),
        np.concatenate([r.T_K for r in ramps]),
        np.concatenate([np.full(len(r), r.f_Hz) for r in ramps]),
        fr,
        y,
        sigma,
    ):
        out = np.empty((n, n_max))
        for i in range(n):
            v = arr[idx == i]
            out[i, : v.size] = v
            out[i, v.size :] = v[-1]
        cols.append(out)
    Bp, Tp, fp, frp, yp, sp = cols
    mask = np.arange(n_max)[None, :] < np.array([len(r) for r in ramps])[:, None]
    params = {k: _parameter(specs[k], starts[k], vary[k]) for k in specs}
    fn = _fit_fn(_template(model))
    res = least_squares(
        fn,
        params,
        (Bp, Tp, fp, frp),
        yp,
        sigma=sp,
        mask=mask,
        batched=True,
        batch_x=True,
        max_steps=max_steps,
        rtol=TOL,
        atol=TOL,
        retry=retry,
        devices=devices,
    )
    return _per_ramp_fit(model, ramps, res, frp[:, 0].copy())


def _per_ramp_fit(model, ramps, res: FitResult, f_ref_Hz: np.ndarray) -> CavityFit:
    """Return the :class:`CavityFit` of a batch of independent per-ramp fits (row i: ramp i)."""
    return CavityFit(
        model=model,
        ramps=tuple(ramps),
        params={p: np.asarray(v, float) for p, v in res.params.items()},
        stderr={p: np.asarray(v, float) for p, v in res.stderr.items()},
        chi2=np.asarray(res.chi2, float),
        redchi=np.asarray(res.redchi, float),
        ndata=np.asarray(res.ndata),
        success=np.asarray(res.success, bool),
        message=tuple(res.message),
        f_ref_Hz=f_ref_Hz,
        shared=(),
        fit=res,
        nvary=int(res.nvary * len(ramps)),
    )


def _fit_joint(
    model, specs, vary, starts, shared, x_flat, idx, y, sigma, ramps, fr, ndata, max_steps
):
    n = len(ramps)
    per_ramp = tuple(k for k in specs if k not in shared)
    params = {}
    for k in specs:
        if k in shared:
            params[k] = _parameter(specs[k], float(np.median(starts[k])), vary[k])
        else:
            for i in range(n):
                params[f"{k}__r{i}"] = _parameter(specs[k], float(starts[k][i]), vary[k])
    fn = _joint_fn(_template(model), per_ramp, n)
    x = (*x_flat, jnp.asarray(idx))
    res = least_squares(fn, params, x, y, sigma=sigma, max_steps=max_steps, rtol=TOL, atol=TOL)
    pred = np.asarray(_joint_eval(fn)(x, dict(res.params)))
    r2 = ((pred - y) / sigma) ** 2
    chi2 = np.array([r2[idx == i].sum() for i in range(n)])
    n_sh = sum(vary[k] for k in shared)
    n_pr = sum(vary[k] for k in per_ramp)
    dof = np.maximum(ndata - n_pr - n_sh * ndata / ndata.sum(), 1.0)
    out_p, out_e = {}, {}
    for k in specs:
        if k in shared:
            out_p[k] = np.full(n, float(res.params[k]))
            out_e[k] = np.full(n, float(res.stderr[k]))
        else:
            out_p[k] = np.array([float(res.params[f"{k}__r{i}"]) for i in range(n)])
            out_e[k] = np.array([float(res.stderr[f"{k}__r{i}"]) for i in range(n)])
    return CavityFit(
        model=model,
        ramps=tuple(ramps),
        params=out_p,
        stderr=out_e,
        chi2=chi2,
        redchi=chi2 / dof,
        ndata=ndata,
        success=np.full(n, bool(res.success)),
        message=tuple([str(res.message)] * n),
        f_ref_Hz=np.array([fr[idx == i][0] for i in range(n)]),
        shared=shared,
        fit=res,
        nvary=int(res.nvary),
    )


# --- model comparison ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ModelComparison:
    """Table of :func:`compare_models`: one row per candidate model.

    Attributes
    ----------
    names
        Candidate names, in the order given.
    fits
        Each candidate's :class:`CavityFit`.
    k
        Varying parameters in total (all ramps).
    chi2, redchi
        Total χ² and pooled χ²/(N − k).
    aic, bic
        lmfit's N ln(χ²/N) + 2k and + k ln N (:meth:`CavityFit.information_criteria`).
    loro
        Leave-one-ramp-out predictive error: RMS of (prediction − data)/σ on each
        held-out ramp, every parameter shared by the other ramps (NaN: not computed).
    converged
        Whether every ramp's fit converged.
    """

    names: tuple[str, ...]
    fits: tuple[CavityFit, ...]
    k: np.ndarray
    chi2: np.ndarray
    redchi: np.ndarray
    aic: np.ndarray
    bic: np.ndarray
    loro: np.ndarray
    converged: np.ndarray

    @property
    def best(self) -> str:
        """The converged candidate with the lowest BIC."""
        bic = np.where(self.converged, self.bic, np.inf)
        return self.names[int(np.argmin(bic))]

    def __getitem__(self, name: str) -> CavityFit:
        return self.fits[self.names.index(name)]

    def supported_terms(self) -> str:
        """Which terms the data support: the best model's, with the BIC cost of each rival.

        Valid for
            a comparison with at least one converged model (formatting only).
        """
        from .losses import terms_of

        best = self.best
        i = self.names.index(best)
        terms = [t.name for t in terms_of(self.fits[i].model)]
        others = ", ".join(
            f"{n} (ΔBIC = {self.bic[j] - self.bic[i]:+.1f})"
            for j, n in enumerate(self.names)
            if j != i
        )
        return (
            f"lowest BIC among converged candidates: {best!r}, i.e. the terms "
            f"{', '.join(terms)}; the others: {others}.  ΔBIC > 10 is strong evidence "
            "against a candidate (Kass & Raftery 1995)."
        )

    def table(self) -> str:
        """Return the comparison as a text table.

        Valid for
            any ModelComparison (formatting only).
        """
        head = (
            f"{'model':34s} {'k':>4s} {'chi2':>10s} {'chi2_red':>9s} {'AIC':>9s} "
            f"{'BIC':>9s} {'dBIC':>7s} {'LORO':>8s} conv"
        )
        b0 = float(np.min(np.where(self.converged, self.bic, np.inf)))
        rows = [head]
        for j, n in enumerate(self.names):
            rows.append(
                f"{n:34s} {int(self.k[j]):4d} {self.chi2[j]:10.4g} {self.redchi[j]:9.4g} "
                f"{self.aic[j]:9.2f} {self.bic[j]:9.2f} {self.bic[j] - b0:7.1f} "
                f"{self.loro[j]:8.3g} {'yes' if self.converged[j] else 'NO'}"
            )
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        return "<pre>" + self.table() + "</pre>"

    def __add__(self, other: ModelComparison) -> ModelComparison:
        """Join two comparisons of the same ramps (candidates run in separate calls)."""
        if not isinstance(other, ModelComparison):
            return NotImplemented
        return ModelComparison(
            names=self.names + other.names,
            fits=self.fits + other.fits,
            **{
                k: np.concatenate([getattr(self, k), getattr(other, k)])
                for k in ("k", "chi2", "redchi", "aic", "bic", "loro", "converged")
            },
        )

    def __str__(self) -> str:
        return self.table()


def _fit_with_loro(ramps, model, f_ref_Hz, rel_error, max_steps) -> tuple[CavityFit, float]:
    """Per-ramp fits AND leave-one-ramp-out fits of ``model`` as ONE batched, masked fit.

    Rows 0..n-1 fit ramp i alone (as :func:`fit_cavity`); rows n..2n-1 fit every parameter
    shared by all ramps but i; both kinds are a parameter set fitted to a masked subset of
    all points, so one compiled solve serves both.  Returns the per-ramp
    :class:`CavityFit` and the RMS z of the held-out ramps' predictions (NaN for n < 2).
    """
    model = _with_reference(model, 2.0, NIOBIUM)
    if "Delta0_K" in model.specs():
        model = model.replace(Delta0_K=float(NIOBIUM.Delta0_K))
    _check_fit_cavity(ramps, model, f_ref_Hz, 2.0, rel_error, NIOBIUM, {}, {}, ())
    pb = _Problem.build(ramps, model, f_ref_Hz, rel_error, {}, max_steps)
    n = len(pb.ramps)
    masks = np.concatenate([pb.own, ~pb.own]) if n > 1 else pb.own
    starts = _auto_starts(model, pb.specs, pb.vary, pb.x, masks, pb.y, pb.sigma)
    params = {k: _parameter(pb.specs[k], starts[k], pb.vary[k]) for k in pb.specs}
    res = least_squares(
        _fit_fn(_template(model)),
        params,
        tuple(np.broadcast_to(np.asarray(v), masks.shape) for v in pb.x),
        np.broadcast_to(pb.y, masks.shape),
        sigma=np.broadcast_to(pb.sigma, masks.shape),
        mask=masks,
        batched=True,
        batch_x=True,
        max_steps=pb.max_steps,
        rtol=TOL,
        atol=TOL,
    )
    f_ref = np.array([pb.fr[pb.idx == i][0] for i in range(n)])
    fit = _per_ramp_fit(model, pb.ramps, res.take(np.arange(n)), f_ref)
    if n < 2:
        return fit, float("nan")
    loro = {k: np.asarray(v, float)[n:] for k, v in res.params.items()}
    pred = _eval_rows(_template(model), pb.x, loro)  # (n held out, N points)
    z = (pred - pb.y) / pb.sigma
    z2 = [np.mean(z[i][pb.own[i]] ** 2) for i in range(n)]
    return fit, float(np.sqrt(np.mean(z2)))


def compare_models(
    ramps,
    models: dict[str, AbstractLoss],
    *,
    f_ref_Hz: float | None = None,
    rel_error: float = 0.02,
    max_steps: int = 100,
    loro: bool | str = True,
) -> ModelComparison:
    """Fit each candidate model to the ramps and tabulate χ², χ²_red, AIC, BIC and LORO.

    Parameters
    ----------
    ramps
        The ramps (as :func:`fit_cavity`).
    models
        ``name -> model``; each is fitted per ramp (one batched call per model).
    f_ref_Hz, rel_error, max_steps
        As in :func:`fit_cavity`.
    loro
        Also compute the leave-one-ramp-out predictive error: for each held-out ramp the
        model is fitted with ALL parameters shared by the other ramps (its frequency,
        temperature and field dependences must carry over); computed in the same batched,
        masked call as the per-ramp fits (one compiled solve per model).
        With ramps of different cavities or cool-downs (different R_res) the LORO error
        is large for every candidate: compare it between candidates.  ``True`` skips it
        (NaN) for models solved per point (:class:`~dissipax.rf.losses.GurevichBCS`: a
        joint fit of every point costs minutes on 2 cores); ``"all"`` computes it for all.

    Returns
    -------
    ModelComparison
        ``.table()``, ``.best`` (lowest BIC among the converged), ``.supported_terms()``.

    Valid for
        as :func:`fit_cavity`; ``models`` a non-empty dict of loss models.
    """
    if not isinstance(models, dict) or not models:
        raise DomainError("argument 'models' must be a non-empty dict name -> loss model")
    names, fits, k, chi2, redchi, aic, bic, lo, conv = [], [], [], [], [], [], [], [], []
    for name, m in models.items():
        cheap = isinstance(m, AbstractLoss) and not m.needs_points
        if loro == "all" or (loro is True and cheap):
            fit, lo_m = _fit_with_loro(ramps, m, f_ref_Hz, rel_error, max_steps)
        else:
            fit = fit_cavity(
                ramps, model=m, f_ref_Hz=f_ref_Hz, rel_error=rel_error, max_steps=max_steps
            )
            lo_m = float("nan")
        a, b = fit.information_criteria()
        names.append(name)
        fits.append(fit)
        k.append(fit.nvary)
        chi2.append(fit.chi2_total)
        redchi.append(fit.chi2_total / max(fit.n_points - fit.nvary, 1))
        aic.append(a)
        bic.append(b)
        conv.append(fit.all_converged)
        lo.append(lo_m)
    return ModelComparison(
        names=tuple(names),
        fits=tuple(fits),
        k=np.array(k),
        chi2=np.array(chi2),
        redchi=np.array(redchi),
        aic=np.array(aic),
        bic=np.array(bic),
        loro=np.array(lo),
        converged=np.array(conv),
    )
