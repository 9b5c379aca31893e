"""Fit results: values, uncertainties, status messages, and their text / HTML / JSON forms."""

from __future__ import annotations

import dataclasses
import html as _html
from typing import Any

import equinox as eqx
import numpy as np

from .._precision import x64_enabled
from ._status import BOUND_OK as _BOUND_OK
from ._status import DEGENERATE as _DEGENERATE
from ._status import DIVERGED as _DIVERGED
from ._status import MAX_STEPS as _MAX_STEPS
from ._status import NONFINITE as _NONFINITE
from ._status import OK as _OK
from ._status import STALLED as _STALLED
from ._status import Status
from ._tolerances import OFFSET_TOL


class FitError(RuntimeError):
    """Raised by ``least_squares(..., throw=True)`` when a fit fails; ``.result`` holds it."""

    def __init__(self, result: FitResult):
        self.result = result
        if result.batched:
            bad = np.flatnonzero(~np.asarray(result.success))
            lines = [f"fit {i}: {result.message[i]}" for i in bad[:5]]
            more = f"\n... and {len(bad) - 5} more" if len(bad) > 5 else ""
            text = f"{len(bad)} of {len(result)} fits failed:\n" + "\n".join(lines) + more
        else:
            text = result.message
        super().__init__(text)


def build_messages(
    out: dict,
    *,
    ndata,
    layout,
    p0: np.ndarray,
    max_steps: int,
    multistart: int,
    scale_covar: bool,
    notes=None,
) -> list[str]:
    """One message per fit: what happened and, on failure, what to change.

    ``out`` holds per-fit arrays with a leading batch axis; ``ndata`` the real residuals of
    each fit; ``notes`` (optional) a per-fit text put in front (a caller's check that
    rejected the optimum: :class:`~dissipax.fit.Check`).
    """
    vnames = layout.vary_names
    code = np.atleast_1d(out["code"])
    n = code.shape[0]
    ndata = np.asarray(ndata)
    if ndata.shape != (n,):
        ndata = np.broadcast_to(ndata, (n,))

    def row(key):
        return np.asarray(out[key])

    chi2, start_ok = row("chi2"), row("start_ok")
    at_bound, singular, weak = row("at_bound"), row("singular"), row("weak")
    nsteps, nconv = row("nsteps"), row("n_converged")
    p0 = np.atleast_2d(np.asarray(p0))
    # the common case, decided for the whole batch at once: converged, nothing to note
    plain = (
        (code == _OK)
        & np.isfinite(chi2)
        & np.asarray(start_ok, bool)
        & ~np.asarray(singular, bool)
        & ~_any_last(np.asarray(at_bound, bool))
        & ~((ndata == len(vnames)) & scale_covar)
    )
    if notes is not None:
        plain &= np.array([not t for t in notes], bool)
    msgs = np.empty(n, dtype=object)  # every entry is set below
    idx = np.flatnonzero(plain)
    if idx.size:  # one string per distinct (steps, converged starts)
        # one small integer key per (steps, converged starts): the distinct keys from a
        # bincount, their strings looked up through a table (no sort)
        span = multistart + 2
        keys = np.asarray(nsteps, np.int64)[idx] * span + np.asarray(nconv, np.int64)[idx]
        table = np.empty(int(keys.max()) + 1, dtype=object)
        for k in np.flatnonzero(np.bincount(keys)).tolist():
            table[k] = f"converged in {k // span} steps" + (
                f"; {k % span} of {multistart + 1} starts converged" if multistart else ""
            )
        msgs[idx] = table[keys]
    for i in np.flatnonzero(~plain):
        parts = [notes[i]] if notes is not None and notes[i] else []
        c = int(code[i])
        if c == _DEGENERATE:  # the note says why; report what the solver did
            c = _OK
        if not bool(start_ok[i]):
            vals = ", ".join(f"{nm}={p0[i][k]:.6g}" for k, nm in enumerate(layout.names))
            parts.append(
                "failed: the model (or the weighted residual) is not finite at the starting "
                f"values ({vals}): move the start into the model's domain, or add bounds "
                "(Parameter(min=..., max=...)) that keep it there"
            )
        elif c == _OK and np.isfinite(chi2[i]):
            parts.append(f"converged in {int(nsteps[i])} steps")
        elif c == _BOUND_OK:
            parts.append(
                f"converged on a bound in {int(nsteps[i])} steps (a parameter was pushed into "
                "its bound; the free parameters are stationary: one more Gauss-Newton step "
                "would lower chi2 by < atol + rtol*chi2)"
            )
        elif c == _STALLED:
            parts.append(stalled_message(i, row, layout, nsteps))
        elif c == _MAX_STEPS:
            parts.append(
                (
                    f"did not converge within max_steps={max_steps} (chi2 = {chi2[i]:.6g} at the "
                    "last step): give better starting values, raise max_steps, or use multistart="
                    "N (lower rtol/atol only if the steps are still decreasing chi2)"
                ),
            )
        elif c == _NONFINITE or not np.isfinite(chi2[i]):
            parts.append(
                (
                    "failed: the model returned NaN or inf during the fit; bound the parameters to "
                    "the model's domain (Parameter(min=..., max=...)) or fix the model's unsafe "
                    "branches"
                ),
            )
        elif c == _DIVERGED:
            parts.append("failed: the iteration diverged; give better starting values or bounds")
        else:
            parts.append(
                (
                    "failed: the linear solve of a Levenberg-Marquardt step failed (a singular "
                    "Jacobian); check that every varying parameter changes the model, or fix it"
                ),
            )
        if multistart:
            parts.append(f"{int(nconv[i])} of {multistart + 1} starts converged")
        sing = bool(singular[i]) and bool(start_ok[i])
        parts += covariance_notes(vnames, at_bound[i], sing, weak[i])
        if not sing and ndata[i] == len(vnames) and scale_covar:
            parts.append(
                "no degrees of freedom (ndata == nvary): redchi is undefined, so the "
                "covariance scaled by it is NaN; pass the data's sigma and scale_covar=False"
            )
        msgs[i] = "; ".join(parts)
    return msgs.tolist()


def _any_last(a: np.ndarray) -> np.ndarray:
    """``np.any(a, axis=-1)`` of a boolean ``(n, k)`` array with few columns.

    ``k`` ORs of columns: NumPy's reduction machinery costs more than the work for small
    ``k``.
    """
    if a.ndim != 2 or a.shape[1] > 8:
        return np.any(a, axis=-1)
    out = np.zeros(a.shape[0], bool)
    for k in range(a.shape[1]):
        out |= a[:, k]
    return out


def stalled_message(i: int, row, layout, nsteps) -> str:
    """Message of a fit whose solver stopped at a point that is not stationary (lm.STALLED)."""
    vnames = layout.vary_names
    d, ro = float(row("gn_decrease")[i]), float(row("relative_offset")[i])
    stuck = [vnames[k] for k in np.flatnonzero(np.asarray(row("stuck")[i]))]
    ro_txt = f"relative offset {ro:.3g} > {OFFSET_TOL:g}" if np.isfinite(ro) else "no dof"
    text = (
        f"failed: stopped after {int(nsteps[i])} steps where the steps no longer change chi2, "
        f"but the point is not stationary: a Gauss-Newton step would still lower chi2 by "
        f"{d:.3g} ({ro_txt}, Bates-Watts)"
    )
    if stuck:
        text += (
            f"; parameter(s) {', '.join(stuck)} stuck at a bound although chi2 decreases "
            "towards the inside of the range (the bound-enforcing map hides that gradient): "
            "start them away from the bound or use multistart=N"
        )
    elif not x64_enabled():
        text += (
            "; in float32 (DISSIPAX_X64=0) chi2 and its gradient are too coarse for this fit: "
            "fit in float64 (unset DISSIPAX_X64), or rescale the data and parameters to O(1)"
        )
    else:
        text += (
            "; rescale the parameters (starting values of the right magnitude), give better "
            "starting values, or use multistart=N"
        )
    return text


def covariance_notes(vnames, at_bound, singular: bool, weak) -> list[str]:
    """Message parts on the covariance of one fit: parameters pinned at a bound, singularity.

    Shared by every solver; ``at_bound`` and ``weak`` are ``(nvary,)`` (see
    ``least_squares.inverse_information``).
    """
    parts = []
    pinned = [vnames[k] for k in range(len(vnames)) if bool(at_bound[k])]
    if pinned:
        parts.append(
            f"parameter(s) {', '.join(pinned)} ended at a bound: their stderr is undefined "
            "(reported as NaN) and the other parameters' errors treat them as fixed; "
            "widen the bound if it is not physical, or fix them with vary=False"
        )
    if singular:
        w = np.asarray(weak)
        order = np.argsort(-w)
        names = [vnames[k] for k in order if w[k] > 0.1][:4] or [vnames[order[0]]]
        parts.append(
            "covariance is singular (set to NaN): the data cannot separate "
            f"{' and '.join(names)}; fix one of them (vary=False), reparametrise, or add "
            "data where they act differently"
        )
    return parts


class Messages(tuple):
    """The per-fit messages of a :class:`FitResult`: a tuple of ``str``, one pytree leaf.

    A subclass of ``tuple`` is not a JAX container, so equinox's check of static fields
    looks at one leaf instead of every message of a large batch (1000 checks per result).
    """

    __slots__ = ()


def from_arrays(
    p: np.ndarray,
    cov: np.ndarray,
    p0: np.ndarray,
    *,
    layout,
    bounds: dict[str, tuple[float, float]],
    batched: bool,
    chi2,
    redchi,
    ndata,
    success,
    message,
    status=None,
    scale_covar: bool = True,
    n_starts: int = 1,
    max_steps: int = 256,
    extra: dict[str, Any] | None = None,
    method: str = "Levenberg-Marquardt",
) -> FitResult:
    """Assemble a :class:`FitResult` from a solver's arrays (shared by every solver).

    ``p`` and ``p0`` are ``(n_param,)`` (or ``(n_batch, n_param)``) final and starting
    values of all parameters, ``cov`` the ``(..., nvary, nvary)`` covariance in physical
    space; the per-fit fields (``chi2``, ``success``, ``message``, ...) are scalars for one
    fit or have the batch axis.  Everything is stored with a leading batch axis.
    """
    # np.asarray(..., dtype) copies only when it must (astype always copies)
    lead = (
        (lambda a, dt=None: np.asarray(a, dt))
        if batched
        else (lambda a, dt=None: np.asarray(a, dt)[None])
    )
    p, cov, p0 = lead(p, float), lead(cov, float), lead(p0, float)
    n = p.shape[0]
    var = np.diagonal(cov, axis1=-2, axis2=-1)
    # (NaN compares False without a warning, and no negative value reaches the square root)
    std_v = np.sqrt(np.where(var >= 0, var, np.nan))
    std = np.zeros_like(p)
    std[:, list(layout.vary_index)] = std_v
    succ = lead(success, bool)
    stat = np.where(succ, Status.OK, Status.MAX_STEPS) if status is None else lead(status, int)
    msgs = Messages(message) if batched else Messages((message,))
    return FitResult._of(
        arrays=dict(
            values=p,
            stderr=std,
            init=p0,
            covariance=cov,
            chi2=lead(chi2, float),
            redchi=lead(redchi, float),
            ndata=np.array(np.broadcast_to(lead(ndata, int), (n,))),
            status=stat,
            success=succ,
        ),
        extra_arrays={k: lead(v) for k, v in (extra or {}).items()},
        names=tuple(layout.names),
        vary_flags=tuple(bool(v) for v in layout.vary),
        bound_pairs=tuple(tuple(float(b) for b in bounds[k]) for k in layout.names),
        messages=msgs,
        single=not batched,
        scale_covar=bool(scale_covar),
        n_starts=int(n_starts),
        max_steps=int(max_steps),
        method=method,
    )


class FitResult(eqx.Module):
    """Outcome of a fit of :mod:`dissipax.fit`: one fit, or a batch of fits.

    An equinox pytree whose array fields always carry a leading batch axis (a single fit
    is a batch of one); it passes through ``jax.jit`` and ``jax.vmap`` like any pytree.
    The properties show a single fit as scalars (``res.params["E_a"]`` is a float) and a
    batch as arrays over the batch (``(n_batch,)``); ``res[i]`` is the ``i``-th fit of a
    batch as a single fit, ``res.take(idx)`` a sub-batch.

    Attributes (properties)
    -----------------------
    params, stderr, init_params
        ``name -> float`` (one fit) or ``name -> (n_batch,) array``, for every parameter;
        ``stderr`` is 0 for fixed parameters and NaN (explained in ``message``) for one
        pinned at a bound or when the covariance is singular.
    param_names
        The varying parameters, in the order of the covariance rows.
    names
        Every parameter, in the order given.
    covariance, correlation
        ``(nvary, nvary)`` (or ``(n_batch, nvary, nvary)``) in physical units.
    chi2, redchi
        ``Σ r²`` and ``chi2/(ndata - nvary)`` at the optimum.
    ndata, nvary
        Number of real residuals of each fit (complex points count twice, masked points
        not at all) and of varying parameters.
    status, success, message
        The :class:`~dissipax.fit.Status` of each fit, whether it converged (bool or
        bool array), and what happened / what to change.
    bounds, vary
        The parameters' bounds and vary flags (dicts), for the report.
    scale_covar
        Whether the covariance was scaled by ``redchi``.
    n_starts, max_steps
        Number of starts per fit (``multistart + 1``) and the step limit.
    extra
        Diagnostics: ``nsteps``, ``best_start``, ``n_converged``, ``at_bound``, ``singular``,
        ``relative_offset``, ``retried`` (and, from :func:`~dissipax.fit.minimize`,
        ``objective`` and ``grad_norm``), plus what the caller's ``extras`` hook adds.
    method
        The solver, as the report names it.
    """

    arrays: dict[str, Any]
    extra_arrays: dict[str, Any]
    names: tuple[str, ...] = eqx.field(static=True)
    vary_flags: tuple[bool, ...] = eqx.field(static=True)
    bound_pairs: tuple[tuple[float, float], ...] = eqx.field(static=True)
    messages: tuple[str, ...] = eqx.field(static=True)
    single: bool = eqx.field(static=True)
    scale_covar: bool = eqx.field(static=True, default=True)
    n_starts: int = eqx.field(static=True, default=1)
    max_steps: int = eqx.field(static=True, default=256)
    method: str = eqx.field(static=True, default="Levenberg-Marquardt")

    @classmethod
    def _of(cls, **fields) -> FitResult:
        """Build a result from :func:`from_arrays`'s fields, as equinox's unflattening does.

        Equinox's constructor walks every leaf of the fields for its warnings (a JAX array
        in a static field, a transformed function as a field): ~0.1-0.3 ms for the arrays
        of a large batch, a visible part of the Python around a batched fit.  The fields
        built by :func:`from_arrays` are NumPy arrays and plain Python values, where
        neither warning can fire, so they are set directly (defaults as declared).
        """
        self = object.__new__(cls)
        declared = dataclasses.fields(cls)
        unknown = fields.keys() - {f.name for f in declared}
        if unknown:
            raise TypeError(f"unknown FitResult fields: {sorted(unknown)}")
        for f in declared:
            value = fields.get(f.name, f.default)
            if value is dataclasses.MISSING:
                raise TypeError(f"FitResult field {f.name!r} was not given")
            object.__setattr__(self, f.name, value)
        return self

    # -- views --------------------------------------------------------------------------
    def _show(self, a, kind=float):
        a = np.asarray(a)
        return kind(a[0]) if self.single else a

    def _named(self, key: str) -> dict[str, Any]:
        a = np.asarray(self.arrays[key])
        return {n: self._show(a[:, i]) for i, n in enumerate(self.names)}

    @property
    def params(self) -> dict[str, Any]:
        """Best-fit values, ``name -> float`` (one fit) or ``(n_batch,)`` arrays."""
        return self._named("values")

    @property
    def stderr(self) -> dict[str, Any]:
        """Standard errors like :attr:`params`."""
        return self._named("stderr")

    @property
    def init_params(self) -> dict[str, Any]:
        """Starting values like :attr:`params`."""
        return self._named("init")

    @property
    def vary(self) -> dict[str, bool]:
        """``name -> whether it varied``."""
        return dict(zip(self.names, self.vary_flags))

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        """``name -> (min, max)`` (±inf where none)."""
        return dict(zip(self.names, self.bound_pairs))

    @property
    def param_names(self) -> tuple[str, ...]:
        """The varying parameters, in the order of the covariance rows."""
        return tuple(n for n, v in zip(self.names, self.vary_flags) if v)

    @property
    def nvary(self) -> int:
        """Number of varying parameters."""
        return sum(self.vary_flags)

    @property
    def covariance(self):
        """Covariance of the varying parameters in physical units."""
        c = np.asarray(self.arrays["covariance"])
        return c[0] if self.single else c

    @property
    def correlation(self):
        """Correlation matrix of the varying parameters."""
        c = np.asarray(self.arrays["covariance"])
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.sqrt(
                np.where(
                    np.diagonal(c, axis1=-2, axis2=-1) >= 0,
                    np.diagonal(c, axis1=-2, axis2=-1),
                    np.nan,
                )
            )
            corr = c / (s[..., :, None] * s[..., None, :])
        return corr[0] if self.single else corr

    @property
    def chi2(self):
        """``Σ r²`` at the optimum (float or ``(n_batch,)``)."""
        return self._show(self.arrays["chi2"])

    @property
    def redchi(self):
        """``chi2/(ndata - nvary)`` (float or ``(n_batch,)``)."""
        return self._show(self.arrays["redchi"])

    @property
    def ndata(self):
        """Real residuals per fit (int, or ``(n_batch,)`` ints; masked points excluded)."""
        return self._show(self.arrays["ndata"], int)

    @property
    def status(self):
        """:class:`~dissipax.fit.Status` of the fit (or an int array over the batch)."""
        a = np.asarray(self.arrays["status"])
        return Status(int(a[0])) if self.single else a

    @property
    def success(self):
        """Whether the fit converged (bool or bool array)."""
        return self._show(self.arrays["success"], bool)

    @property
    def message(self):
        """What happened and, on failure, what to change (str, or a list over the batch)."""
        return self.messages[0] if self.single else list(self.messages)

    @property
    def extra(self) -> dict[str, Any]:
        """Diagnostics (see the class notes), scalars for one fit."""

        def show(a):
            a = np.asarray(a)
            if not self.single:
                return a
            v = a[0]
            return v.item() if isinstance(v, np.generic) else v

        return {k: show(v) for k, v in self.extra_arrays.items()}

    # -- batches --------------------------------------------------------------------------
    @property
    def batched(self) -> bool:
        """Whether this holds a batch of fits."""
        return not self.single

    def __len__(self) -> int:
        if self.single:
            raise TypeError("a single FitResult has no len(); only batched results do")
        return int(np.shape(self.arrays["chi2"])[0])

    def _as_batch(self) -> FitResult:
        """View this result as a batch (a single fit: a batch of one)."""
        return dataclasses.replace(self, single=False) if self.single else self

    def _single_if(self, single: bool) -> FitResult:
        """View this batch of one as a single fit when ``single``."""
        return dataclasses.replace(self, single=True) if single and not self.single else self

    def _subset(self, idx, single: bool) -> FitResult:
        idx = np.atleast_1d(np.asarray(idx, dtype=int))

        def t(a):
            return np.asarray(a)[idx]

        return dataclasses.replace(
            self,
            arrays={k: t(v) for k, v in self.arrays.items()},
            extra_arrays={k: t(v) for k, v in self.extra_arrays.items()},
            messages=Messages(self.messages[i] for i in idx),
            single=single,
        )

    def __getitem__(self, i: int) -> FitResult:
        """Return the ``i``-th fit of a batch as a single-fit :class:`FitResult`."""
        if self.single:
            raise TypeError("indexing needs a batched FitResult (least_squares(batched=True))")
        n = len(self)
        if not isinstance(i, (int, np.integer)):
            raise TypeError(f"FitResult indices must be integers; got {type(i).__name__}")
        if not -n <= i < n:
            raise IndexError(f"fit index {i} out of range for a batch of {n}")
        return self._subset([int(i) % n], single=True)

    def take(self, idx) -> FitResult:
        """Return the fits ``idx`` (an index array) of a batch as a smaller batch."""
        if self.single:
            raise TypeError("take needs a batched FitResult (least_squares(batched=True))")
        return self._subset(idx, single=False)

    def with_rows(self, idx, sub: FitResult, label: str, keep_extra=()) -> FitResult:
        """Return a new batch: this one with its fits ``idx`` replaced by the fits of ``sub``.

        ``sub`` is a batch of ``len(idx)`` fits of the same model (a re-fit of those rows);
        their messages get ``label`` in front.  Per-fit diagnostics in ``extra`` are
        replaced too, except the keys in ``keep_extra``.  (The fit pipeline's
        :class:`~dissipax.fit.Retry` uses this before it returns a result.)
        """
        if self.single:
            raise TypeError("with_rows needs a batched FitResult (least_squares(batched=True))")
        idx = np.asarray(idx, dtype=int)
        if sub.single:
            sub = dataclasses.replace(sub, single=False)

        def put(a, b):
            a = np.array(a, copy=True)
            a[idx] = np.asarray(b)
            return a

        messages = list(self.messages)
        for j, i in enumerate(idx):
            messages[i] = f"{label} {sub.messages[j]}"
        return dataclasses.replace(
            self,
            arrays={k: put(v, sub.arrays[k]) for k, v in self.arrays.items()},
            extra_arrays={
                k: put(v, sub.extra_arrays[k])
                if k in sub.extra_arrays and k not in keep_extra
                else v
                for k, v in self.extra_arrays.items()
            },
            messages=Messages(messages),
        )

    # -- output -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain dict of arrays/numbers/strings (``dissipax.io.write_json`` writes it)."""
        return {
            "params": dict(self.params),
            "stderr": dict(self.stderr),
            "init_params": dict(self.init_params),
            "param_names": list(self.param_names),
            "names": list(self.names),
            "covariance": np.asarray(self.covariance),
            "correlation": np.asarray(self.correlation),
            "chi2": self.chi2,
            "redchi": self.redchi,
            "ndata": self.ndata,
            "nvary": self.nvary,
            "success": self.success,
            "status": np.asarray(self.arrays["status"]) if self.batched else int(self.status),
            "message": list(self.message) if self.batched else self.message,
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "vary": dict(self.vary),
            "scale_covar": self.scale_covar,
            "n_starts": self.n_starts,
            "nsteps": np.asarray(self.extra.get("nsteps", -1)),
        }

    def report(self, min_correl: float = 0.1) -> str:
        """lmfit-style fit report (for a batch: a summary and the failed fits)."""
        if self.batched:
            return self._batch_report()
        lines = [
            "[[Fit Statistics]]",
            f"    # fitting method   = {self.method}",
            f"    # steps            = {int(self.extra.get('nsteps', -1))}",
            f"    # data points      = {self.ndata}",
            f"    # variables        = {self.nvary}",
            f"    chi-square         = {self.chi2:.8g}",
            f"    reduced chi-square = {self.redchi:.8g}",
            *(
                [f"    objective          = {float(self.extra['objective']):.10g}"]
                if "objective" in self.extra
                else []
            ),
            f"    success            = {self.success}",
            f"    message            = {self.message}",
            "[[Variables]]",
        ]
        w = max(len(n) for n in self.names)
        for n in self.names:
            v, s = self.params[n], self.stderr[n]
            lo, hi = self.bounds[n]
            if not self.vary[n]:
                lines.append(f"    {n + ':':<{w + 1}} {v: .8g} (fixed)")
                continue
            if np.isfinite(s):
                rel = f" ({abs(s / v):.2%})" if v != 0 else ""
                err = f" +/- {s:.4g}{rel}"
            else:
                err = " +/- nan (see message)"
            bnd = f" [{lo:g}, {hi:g}]" if np.isfinite(lo) or np.isfinite(hi) else ""
            lines.append(
                f"    {n + ':':<{w + 1}} {v: .8g}{err} (init = {self.init_params[n]:.6g}){bnd}"
            )
        corr = self._correlations(min_correl)
        if corr:
            lines.append(f"[[Correlations]] (unreported correlations are < {min_correl:.3f})")
            lines += [
                f"    C({a}, {b}){'':<{max(0, 2 * w - len(a) - len(b))}} = {c:+.4f}"
                for a, b, c in corr
            ]
        return "\n".join(lines)

    def _correlations(self, min_correl: float) -> list[tuple[str, str, float]]:
        out = []
        names = self.param_names
        c = np.asarray(self.correlation)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                if np.isfinite(c[i, j]) and abs(c[i, j]) >= min_correl:
                    out.append((names[i], names[j], float(c[i, j])))
        return sorted(out, key=lambda t: -abs(t[2]))

    def _batch_report(self) -> str:
        ok = np.asarray(self.success)
        n = len(self)
        chi2 = np.asarray(self.redchi)
        lines = [
            "[[Batch Fit Statistics]]",
            f"    # fitting method   = {self.method}, one vmapped call",
            f"    # fits             = {n}",
            f"    # converged        = {int(ok.sum())} ({ok.mean():.1%})",
            "    # data points      = {} per fit".format(
                int(np.min(self.ndata))
                if np.min(self.ndata) == np.max(self.ndata)
                else f"{int(np.min(self.ndata))}-{int(np.max(self.ndata))}"
            ),
            f"    # variables        = {self.nvary}",
            "    reduced chi-square = median {:.6g}, range [{:.6g}, {:.6g}]".format(
                *_nanstats(chi2)
            ),
            "[[Variables]] (median and 16-84% range over converged fits; median stderr)",
        ]
        w = max(len(k) for k in self.names)
        for k in self.names:
            v = np.asarray(self.params[k])[ok] if ok.any() else np.asarray(self.params[k])
            if not self.vary[k]:
                lines.append(f"    {k + ':':<{w + 1}} (fixed) median {np.median(v):.8g}")
                continue
            s = np.asarray(self.stderr[k])[ok] if ok.any() else np.asarray(self.stderr[k])
            q16, q50, q84 = np.nanpercentile(v, [16, 50, 84]) if v.size else (np.nan,) * 3
            lines.append(
                f"    {k + ':':<{w + 1}} {q50: .6g} [{q16:.6g}, {q84:.6g}]  "
                f"stderr ~ {np.nanmedian(s) if np.isfinite(s).any() else np.nan:.3g}"
            )
        bad = np.flatnonzero(~ok)
        if bad.size:
            lines.append(f"[[Failed fits]] ({bad.size})")
            lines += [f"    fit {i}: {self.message[i]}" for i in bad[:10]]
            if bad.size > 10:
                lines.append(f"    ... and {bad.size - 10} more")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if self.batched:
            return "<pre>" + _html.escape(self.report()) + "</pre>"
        ok = "#1a7f37" if self.success else "#cf222e"
        rows = []
        for n in self.names:
            v, s = self.params[n], self.stderr[n]
            lo, hi = self.bounds[n]
            se = "fixed" if not self.vary[n] else (f"{s:.4g}" if np.isfinite(s) else "nan")
            rel = f"{abs(s / v):.2%}" if self.vary[n] and np.isfinite(s) and v != 0 else ""
            rows.append(
                f"<tr><td>{_html.escape(n)}</td><td>{v:.8g}</td><td>{se}</td><td>{rel}</td>"
                f"<td>{self.init_params[n]:.6g}</td><td>{lo:g}</td><td>{hi:g}</td></tr>"
            )
        corr = "".join(
            f"<tr><td>C({a}, {b})</td><td>{c:+.4f}</td></tr>" for a, b, c in self._correlations(0.1)
        )
        return (
            "<div><h4>Fit result</h4>"
            f"<p style='color:{ok}'><b>success = {self.success}</b>: "
            f"{_html.escape(str(self.message))}</p>"
            "<table><tr><th>chi-square</th><th>reduced chi-square</th><th>data points</th>"
            f"<th>variables</th></tr><tr><td>{self.chi2:.6g}</td><td>{self.redchi:.6g}</td>"
            f"<td>{self.ndata}</td><td>{self.nvary}</td></tr></table>"
            "<table><tr><th>name</th><th>value</th><th>stderr</th><th>relative</th>"
            "<th>init</th><th>min</th><th>max</th></tr>"
            + "".join(rows)
            + "</table>"
            + (f"<table><tr><th>correlation</th><th></th></tr>{corr}</table>" if corr else "")
            + "</div>"
        )

    def __repr__(self) -> str:
        if self.batched:
            return (
                f"FitResult(batch of {len(self)}, converged "
                f"{int(np.sum(self.success))}/{len(self)}, params={list(self.names)})"
            )
        vals = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
        return f"FitResult({vals}, redchi={self.redchi:.4g}, success={self.success})"


def _nanstats(a: np.ndarray) -> tuple[float, float, float]:
    a = np.asarray(a, float)
    if not np.isfinite(a).any():
        return (np.nan, np.nan, np.nan)
    return (float(np.nanmedian(a)), float(np.nanmin(a)), float(np.nanmax(a)))
