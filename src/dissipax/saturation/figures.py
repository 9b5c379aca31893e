"""Figures like Fig. 3 and Fig. 4 of Zhang et al. (2022) from a :class:`.analysis.SweepAnalysis`.

* :func:`plot_curves` — ρ(T) per field, data and fitted law (Fig. 3, insets of Fig. 4), with
  R_Q = h/4e² as the separatrix;
* :func:`plot_field_dependence` — ρ_QF⁻¹ and σ_QF against H on log axes with the fitted
  power laws and H*, and E_a(H) on a second axis (Fig. 4b);
* :func:`plot_curvature_zeros` — σ_QF, E_a and the curvature zeros T*(H) (Fig. 4a).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .. import units
from .analysis import SweepAnalysis
from .data import FieldSweep
from .laws import PARAM_NAMES, resistivity


def _colors(n: int):
    return mpl.colormaps["viridis"](np.linspace(0.0, 0.9, n))


def plot_curves(ax, sweep: FieldSweep, analysis: SweepAnalysis, *, n_fine: int = 200) -> None:
    """ρ(T) per field on log axes: points (data) and lines (fitted Eq. (1) or (2)).

    Valid for
        a sweep and its analysis from analyze() (plotting only).
    """
    colors = _colors(sweep.n_fields)
    for i, (h, T, rho, _sig) in enumerate(sweep):
        ax.plot(T, rho, "o", ms=2.5, color=colors[i], alpha=0.7)
        law = str(analysis.law[i])
        if not analysis.success[i]:
            continue
        p = {n: float(analysis.params[n][i]) for n in PARAM_NAMES[law]}
        Tf = np.geomspace(T.min(), T.max(), n_fine)
        ax.plot(
            Tf,
            np.asarray(resistivity(Tf, law, **p)),
            "-",
            lw=1.2,
            color=colors[i],
            label=f"{h:g} Oe ({'Eq. 1' if law == 'insulator' else 'Eq. 2'})",
        )
    ax.axhline(units.R_Q, color="tab:red", lw=1.0, ls="--", label=r"$R_Q = h/4e^2$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("T [K]")
    ax.set_ylabel("ρ [Ω/□]")
    ax.legend(fontsize=6, ncol=2, loc="best")


def plot_field_dependence(ax, analysis: SweepAnalysis) -> None:
    """ρ_QF⁻¹ (■) and σ_QF (◆) against H with power laws and H*; E_a on a twin axis.

    Valid for
        analyses from analyze() (plotting only).
    """
    H = analysis.H
    sc = (analysis.law == "superconductor") & analysis.success
    ins = (analysis.law == "insulator") & analysis.success
    p, s = analysis.params, analysis.stderr
    if sc.any():
        y = 1.0 / p["rho_QF"][sc]
        ax.errorbar(
            H[sc],
            y,
            yerr=s["rho_QF"][sc] * y**2,
            fmt="s",
            color="tab:blue",
            ms=4,
            label=r"$\rho_{QF}^{-1}$ (Eq. 2)",
        )
    if ins.any():
        ax.errorbar(
            H[ins],
            p["sigma_QF"][ins],
            yerr=s["sigma_QF"][ins],
            fmt="D",
            color="tab:green",
            ms=4,
            label=r"$\sigma_{QF}$ (Eq. 1)",
        )
    for key, color, sym in (("rho_QF_inv", "tab:blue", "b"), ("sigma_QF", "tab:green", "a")):
        res = analysis.power_laws.get(key)
        if res is None:
            continue
        sel = sc if key == "rho_QF_inv" else ins
        Hf = np.geomspace(H[sel].min() * 0.8, H[sel].max() * 1.25, 50)
        A, e, Hr = res.params["amplitude"], res.params["exponent"], res.extra["H_ref"]
        ax.plot(
            Hf,
            A * (Hf / Hr) ** e,
            "-",
            color=color,
            lw=1,
            label=f"${sym} = {e:.3g} \\pm {res.stderr['exponent']:.2g}$",
        )
    if analysis.crossover is not None:
        c = analysis.crossover
        ax.axvline(
            c.H_star,
            color="tab:red",
            lw=1,
            ls=":",
            label=f"$H^* = {c.H_star:.4g}$ Oe, $\\rho = {c.R_star_over_R_Q:.3f} R_Q$",
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("H [Oe]")
    ax.set_ylabel(r"$\rho_{QF}^{-1}$, $\sigma_{QF}$ [S]")
    ax.legend(fontsize=7, loc="lower left")
    tw = ax.twinx()
    ok = analysis.success
    tw.errorbar(
        H[ok],
        p["E_a"][ok],
        yerr=s["E_a"][ok],
        fmt="o-",
        color="tab:orange",
        ms=3,
        lw=0.8,
        mfc="none",
    )
    tw.set_ylabel(r"$E_a/k_B$ [K]", color="tab:orange")
    tw.grid(False)


def plot_curvature_zeros(ax, analysis: SweepAnalysis) -> None:
    """σ_QF (left, log) and E_a, T* (right) against H on the insulating side (Fig. 4a).

    Valid for
        analyses from analyze() (plotting only).
    """
    H = analysis.H
    ins = (analysis.law == "insulator") & analysis.success
    p, s = analysis.params, analysis.stderr
    ax.errorbar(
        H[ins],
        p["sigma_QF"][ins],
        yerr=s["sigma_QF"][ins],
        fmt="o",
        color="k",
        ms=4,
        label=r"$\sigma_{QF}$",
    )
    ax.set_yscale("log")
    ax.set_xlabel("H [Oe]")
    ax.set_ylabel(r"$\sigma_{QF}$ [S]")
    tw = ax.twinx()
    tw.errorbar(
        H[ins],
        p["E_a"][ins],
        yerr=s["E_a"][ins],
        fmt="s-",
        color="tab:orange",
        ms=3,
        lw=0.8,
        label=r"$E_a/k_B$",
    )
    tw.plot(
        H[ins],
        analysis.T_curvature_zero[ins],
        "^",
        color="lightcoral",
        ms=5,
        label=r"$T^*$: $d^2\rho/dT^2 = 0$",
    )
    tw.set_ylabel(r"$E_a/k_B$, $T^*$ [K]")
    tw.grid(False)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = tw.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper right")
