"""A whole field sweep at once: per-field fits, power laws in H, H*, curvature zeros (Fig. 4).

:func:`analyze` runs :func:`.fitting.fit` on every field of a :class:`.data.FieldSweep` (one
batched call per law; ragged sweeps go to the fit as they are, one array per field), then
the field dependence:
ρ_QF⁻¹ ∝ H^b and σ_QF ∝ H^a with exponent errors, E_a(H), the crossover H* with the
saturation resistance there compared with R_Q = h/4e², and the temperature T* where
d²ρ/dT² of each fitted curve changes sign (Fig. 4a).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .. import units
from .._checks import check_choice
from ..fit import FitResult
from .data import FieldSweep
from .field import Crossover
from .fitting import AutoFitResult, fit, saturation_power_laws
from .laws import LAWS, PARAM_NAMES, curvature_zero


@dataclasses.dataclass(frozen=True, eq=False)
class SweepAnalysis:
    """Everything :func:`analyze` finds for one sweep (fields in Oe, T in K, ρ in Ω/□).

    Attributes
    ----------
    H
        Fields [Oe].
    law
        Law per field (``"insulator"`` = Eq. (1), ``"superconductor"`` = Eq. (2)).
    fits
        The per-field fits (:class:`FitResult` for one law, :class:`AutoFitResult`).
    params, stderr
        ``sigma_QF, sigma_0, rho_QF, rho_0, E_a`` per field (NaN where not applicable).
    success
        Per-field convergence.
    saturation_resistance
        ρ(T → 0) per field: ρ_QF or 1/σ_QF.
    T_curvature_zero
        Per field, T* [K] where d²ρ/dT² of the fitted law changes sign (Fig. 4a).
    power_laws
        ``"rho_QF_inv"`` / ``"sigma_QF"`` -> power-law :class:`FitResult` (``exponent`` with
        stderr, ``amplitude`` at ``extra["H_ref"]``).
    crossover
        H* and the saturation resistance there, when both laws occur.
    source
        The sweep's source (synthetic tables say so).
    """

    H: np.ndarray
    law: np.ndarray
    fits: FitResult | AutoFitResult
    params: dict[str, np.ndarray]
    stderr: dict[str, np.ndarray]
    success: np.ndarray
    saturation_resistance: np.ndarray
    T_curvature_zero: np.ndarray
    power_laws: dict[str, FitResult]
    crossover: Crossover | None
    source: str = ""

    def summary_lines(self) -> list[str]:
        """Short result lines (for the command line).

        Valid for
            any SweepAnalysis (formatting only).
        """
        n_ok = int(np.sum(self.success))
        lines = [
            f"{n_ok}/{len(self.H)} fields fitted ("
            + ", ".join(
                f"{int(np.sum(self.law == lw))} by Eq. ({'1' if lw == 'insulator' else '2'})"
                for lw in LAWS
            )
            + ")"
        ]
        names = {"sigma_QF": "sigma_QF ∝ H^a: a", "rho_QF_inv": "rho_QF^-1 ∝ H^b: b"}
        for k, res in self.power_laws.items():
            lines.append(
                f"{names[k]} = {res.params['exponent']:.4g} ± {res.stderr['exponent']:.2g}"
            )
        if self.crossover is not None:
            lines.append(self.crossover.summary())
        return lines

    def report(self) -> str:
        """Per-field table and the field-dependence results.

        Valid for
            any SweepAnalysis (formatting only).
        """
        head = (
            f"{'H [Oe]':>8} {'law':>14} {'R(T->0) [Ohm/sq]':>17} {'E_a [K]':>9} "
            f"{'+/-':>8} {'T* [K]':>8} ok"
        )
        rows = [head]
        for i, h in enumerate(self.H):
            rows.append(
                f"{h:>8.4g} {self.law[i]:>14} {self.saturation_resistance[i]:>17.5g} "
                f"{self.params['E_a'][i]:>9.4g} {self.stderr['E_a'][i]:>8.2g} "
                f"{self.T_curvature_zero[i]:>8.3g} {'yes' if self.success[i] else 'NO'}"
            )
        return "\n".join([f"# {self.source}", *rows, *self.summary_lines()])

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (``dissipax.io.write_json`` writes it).

        Valid for
            any SweepAnalysis.
        """
        return {
            "source": self.source,
            "H_Oe": self.H,
            "law": self.law.tolist(),
            "params": self.params,
            "stderr": self.stderr,
            "success": self.success,
            "saturation_resistance_Ohm": self.saturation_resistance,
            "T_curvature_zero_K": self.T_curvature_zero,
            "power_laws": {k: v.to_dict() for k, v in self.power_laws.items()},
            "crossover": None if self.crossover is None else dataclasses.asdict(self.crossover),
            "R_Q_Ohm": units.R_Q,
        }


def analyze(
    sweep: FieldSweep, law: str = "auto", *, use_sigma: bool = True, max_steps: int = 256
) -> SweepAnalysis:
    """Fit every field of ``sweep`` and derive the field dependence (Fig. 4).

    Parameters
    ----------
    sweep
        The data (:func:`.data.load_csv` or :func:`.synthetic.generate`).
    law
        ``"auto"`` (per field the better of Eqs. (1), (2)), ``"insulator"`` or
        ``"superconductor"``.
    use_sigma
        Weight by the sweep's ``sigma`` column when it has one (and take the errors as true
        standard deviations); ``False``: equal relative weights, errors from the scatter.
    max_steps
        Levenberg–Marquardt step limit per fit.

    Returns
    -------
    SweepAnalysis

    Valid for
        sweeps whose ρ(T) curves follow Eq. (1) or (2) (T > 0, ρ > 0); fields that fail are
        reported (success=False), not raised, and left out of the power laws, which need
        ≥ 2 fields per branch.
    """
    check_choice("law", law, (*LAWS, "auto"))
    sigma = list(sweep.sigma) if use_sigma and sweep.sigma is not None else None
    res = fit(
        list(sweep.T),
        list(sweep.rho),
        law,
        sigma=sigma,
        H=sweep.H if law == "auto" else None,
        max_steps=max_steps,
    )
    H = np.asarray(sweep.H, dtype=float)
    if isinstance(res, AutoFitResult):
        laws = np.asarray(res.law)
        params, stderr = res.params, res.stderr
        success = np.asarray(res.success)
        power_laws, cross = res.power_laws, res.crossover
    else:
        laws = np.full(H.shape, law)
        params, stderr = _all_names(res.params, law), _all_names(res.stderr, law)
        success = np.asarray(res.success)
        power_laws = saturation_power_laws(H, laws, params, stderr, success)
        cross = None
    ins = laws == "insulator"
    R = np.where(ins, 1.0 / params["sigma_QF"], params["rho_QF"])
    T_star = np.full(H.shape, np.nan)
    for lw in LAWS:
        sel = laws == lw
        if sel.any():
            kw = {n: np.asarray(params[n])[sel] for n in PARAM_NAMES[lw]}
            T_star[sel] = np.asarray(curvature_zero(lw, **kw))
    return SweepAnalysis(
        H=H,
        law=laws,
        fits=res,
        params=params,
        stderr=stderr,
        success=success,
        saturation_resistance=R,
        T_curvature_zero=T_star,
        power_laws=power_laws,
        crossover=cross,
        source=sweep.source,
    )


def _all_names(d: dict, law: str) -> dict[str, np.ndarray]:
    n = np.shape(d["E_a"])
    out = {k: np.full(n, np.nan) for k in ("sigma_QF", "sigma_0", "rho_QF", "rho_0")}
    out.update({k: np.asarray(v) for k, v in d.items()})
    return out
