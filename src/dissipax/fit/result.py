"""Fit results: values, uncertainties, status messages, and their text / HTML / JSON forms."""

from __future__ import annotations

import dataclasses
import html as _html
from typing import Any

import numpy as np

# status codes (kept in sync with lm.py)
_OK, _MAX_STEPS, _NONFINITE, _DIVERGED, _LINEAR_FAIL, _BOUND_OK, _STALLED = 0, 1, 2, 3, 4, 5, 6


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
    ndata: int,
    layout,
    p0: np.ndarray,
    max_steps: int,
    multistart: int,
    batched: bool,
    scale_covar: bool,
) -> list[str]:
    """One message per fit: what happened and, on failure, what to change."""
    vnames = layout.vary_names
    code = np.atleast_1d(out["code"])
    n = code.shape[0]

    def row(key):
        a = np.asarray(out[key])
        return a if batched else a[None]

    chi2, start_ok = row("chi2"), row("start_ok")
    at_bound, singular, weak = row("at_bound"), row("singular"), row("weak")
    nsteps, nconv = row("nsteps"), row("n_converged")
    p0 = np.asarray(p0) if batched else np.asarray(p0)[None]
    msgs = []
    for i in range(n):
        parts = []
        c = int(code[i])
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
                f"converged on a bound in {int(nsteps[i])} steps (the step limit was reached "
                "while a parameter was pushed into its bound; the free parameters are stationary: "
                "one more Gauss-Newton step would lower chi2 by < atol + rtol*chi2)"
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
        if not sing and ndata == len(vnames) and scale_covar:
            parts.append(
                "no degrees of freedom (ndata == nvary): redchi is undefined, so the "
                "covariance scaled by it is NaN; pass the data's sigma and scale_covar=False"
            )
        msgs.append("; ".join(parts))
    return msgs


def stalled_message(i: int, row, layout, nsteps) -> str:
    """Message of a fit whose solver stopped at a point that is not stationary (lm.STALLED)."""
    from .._precision import x64_enabled
    from .lm import OFFSET_TOL

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


def from_arrays(
    p: np.ndarray,
    cov: np.ndarray,
    p0: np.ndarray,
    *,
    layout,
    bounds: dict[str, tuple[float, float]],
    batched: bool,
    **fields: Any,
) -> FitResult:
    """Assemble a :class:`FitResult` from a solver's arrays (shared by every solver).

    ``p`` and ``p0`` are ``(n_param,)`` (or ``(n_batch, n_param)``) final and starting
    values of all parameters, ``cov`` the ``(..., nvary, nvary)`` covariance in physical
    space; ``fields`` are the remaining :class:`FitResult` fields (chi2, success, ...).
    """
    names, vnames = layout.names, layout.vary_names
    var = np.diagonal(cov, axis1=-2, axis2=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        std_v = np.sqrt(np.where(var >= 0, var, np.nan))
        corr = cov / (std_v[..., :, None] * std_v[..., None, :])
    params, stderr, init = {}, {}, {}
    j = 0
    for i, n in enumerate(names):
        params[n] = p[..., i] if batched else float(p[i])
        init[n] = p0[..., i] if batched else float(p0[i])
        if layout.vary[i]:
            se = std_v[..., j]
            j += 1
        else:
            se = np.zeros_like(p[..., i])
        stderr[n] = se if batched else float(se)
    return FitResult(
        params=params,
        stderr=stderr,
        init_params=init,
        param_names=vnames,
        names=names,
        covariance=cov,
        correlation=corr,
        nvary=len(vnames),
        bounds=bounds,
        vary=dict(zip(names, layout.vary)),
        **fields,
    )


@dataclasses.dataclass(frozen=True, eq=False)
class FitResult:
    """Outcome of :func:`~dissipax.fit.least_squares` (one fit, or a batch of fits).

    Attributes
    ----------
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
        Number of real residuals (complex points count twice) and of varying parameters.
    success, message
        Whether the fit converged (bool or bool array), and what happened / what to change.
    bounds, vary
        The parameters' bounds and vary flags, for the report.
    scale_covar
        Whether the covariance was scaled by ``redchi``.
    n_starts, max_steps
        Number of starts per fit (``multistart + 1``) and the step limit.
    extra
        Diagnostics: ``nsteps``, ``best_start``, ``n_converged``, ``at_bound``, ``singular``
        (and, from :func:`~dissipax.fit.minimize`, ``objective`` and ``grad_norm``).
    method
        The solver, as the report names it.
    """

    params: dict[str, Any]
    stderr: dict[str, Any]
    init_params: dict[str, Any]
    param_names: tuple[str, ...]
    names: tuple[str, ...]
    covariance: np.ndarray
    correlation: np.ndarray
    chi2: Any
    redchi: Any
    ndata: int
    nvary: int
    success: Any
    message: Any
    bounds: dict[str, tuple[float, float]]
    vary: dict[str, bool]
    scale_covar: bool = True
    n_starts: int = 1
    max_steps: int = 256
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    method: str = "Levenberg-Marquardt (optimistix)"

    # -- batches --------------------------------------------------------------------------
    @property
    def batched(self) -> bool:
        """Whether this holds a batch of fits."""
        return np.ndim(self.chi2) == 1

    def __len__(self) -> int:
        if not self.batched:
            raise TypeError("a single FitResult has no len(); only batched results do")
        return int(np.shape(self.chi2)[0])

    def __getitem__(self, i: int) -> FitResult:
        """Return the ``i``-th fit of a batch as a single-fit :class:`FitResult`."""
        if not self.batched:
            raise TypeError("indexing needs a batched FitResult (least_squares(batched=True))")
        n = len(self)
        if not isinstance(i, (int, np.integer)):
            raise TypeError(f"FitResult indices must be integers; got {type(i).__name__}")
        if not -n <= i < n:
            raise IndexError(f"fit index {i} out of range for a batch of {n}")
        i = int(i) % n
        pick = lambda d: {k: float(np.asarray(v)[i]) for k, v in d.items()}  # noqa: E731
        return dataclasses.replace(
            self,
            params=pick(self.params),
            stderr=pick(self.stderr),
            init_params=pick(self.init_params),
            covariance=self.covariance[i],
            correlation=self.correlation[i],
            chi2=float(self.chi2[i]),
            redchi=float(self.redchi[i]),
            success=bool(self.success[i]),
            message=self.message[i],
            extra={k: np.asarray(v)[i] for k, v in self.extra.items()},
        )

    def take(self, idx) -> FitResult:
        """Return the fits ``idx`` (an index array) of a batch as a smaller batch."""
        if not self.batched:
            raise TypeError("take needs a batched FitResult (least_squares(batched=True))")
        idx = np.asarray(idx, dtype=int)
        n = len(self)

        def t(a):
            return np.asarray(a)[idx]

        return dataclasses.replace(
            self,
            params={k: t(v) for k, v in self.params.items()},
            stderr={k: t(v) for k, v in self.stderr.items()},
            init_params={k: t(v) for k, v in self.init_params.items()},
            covariance=t(self.covariance),
            correlation=t(self.correlation),
            chi2=t(self.chi2),
            redchi=t(self.redchi),
            success=t(self.success),
            message=[self.message[i] for i in idx],
            extra={
                k: t(v) if np.ndim(v) >= 1 and np.shape(v)[0] == n else v
                for k, v in self.extra.items()
            },
        )

    def with_rows(self, idx, sub: FitResult, label: str, keep_extra=()) -> FitResult:
        """Return this batch with its fits ``idx`` replaced by the fits of ``sub``.

        ``sub`` is a batch of ``len(idx)`` fits of the same model (a re-fit of those rows);
        their messages get ``label`` in front.  Per-fit diagnostics in ``extra`` are
        replaced too, except the keys in ``keep_extra``.
        """
        if not self.batched:
            raise TypeError("with_rows needs a batched FitResult (least_squares(batched=True))")
        idx = np.asarray(idx, dtype=int)
        n = len(self)

        def put(a, b):
            a = np.array(a, copy=True)
            a[idx] = np.asarray(b)
            return a

        message = list(self.message)
        for j, i in enumerate(idx):
            message[i] = f"{label} {sub.message[j]}"
        return dataclasses.replace(
            self,
            params={k: put(v, sub.params[k]) for k, v in self.params.items()},
            stderr={k: put(v, sub.stderr[k]) for k, v in self.stderr.items()},
            init_params={k: put(v, sub.init_params[k]) for k, v in self.init_params.items()},
            covariance=put(self.covariance, sub.covariance),
            correlation=put(self.correlation, sub.correlation),
            chi2=put(self.chi2, sub.chi2),
            redchi=put(self.redchi, sub.redchi),
            success=put(self.success, sub.success),
            message=message,
            extra={
                k: put(v, sub.extra[k])
                if k in sub.extra
                and k not in keep_extra
                and np.ndim(v) >= 1
                and np.shape(v)[0] == n
                else v
                for k, v in self.extra.items()
            },
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
            f"    # data points      = {self.ndata} per fit",
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
