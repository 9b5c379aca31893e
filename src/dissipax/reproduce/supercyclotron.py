"""Config kind ``supercyclotron``: the optical response of Delacrétaz & Hartnoll (2018).

Units ħ = e* = 1.  From the flux-flow closure, Eqs. (2) and (17), two regimes are built:
*free flux flow* (Galilean co-motion, n_v^eff = n_v, Ω_H ~ Ω) and *strong pinning*
(n_v^eff/n_v = 1e-5 as inferred for InOx, Eq. (3), so Ω_H ≪ Ω).  The run plots

* Re/Im σ_xx(ω) and σ_xy(ω) of Eqs. (6)-(7) for both regimes (``conductivity.png``);
* the supercyclotron poles ω⋆ = ±Ω_H − iΩ (``poles.png``);
* the pinned σ(ω) of Eq. (20) across the superconductor → anomalous-metal transition
  ω_o → 0, with the superfluid weight D (``pinned.png``);
* a joint fit of σ_xx and σ_xy to a SYNTHETIC noisy free-flow spectrum (``fit.png``), and
  prints the recovered parameters with standard errors next to the truth.

Everything is written to ``results.json`` as well.  Example::

    kind = "supercyclotron"
    title = "Supercyclotron resonance (Delacretaz & Hartnoll 2018)"
    [flux_flow]
    x = 0.05
"""

from __future__ import annotations

from pathlib import Path

import jax
import numpy as np

from .. import io, plot
from .. import vortex as vx
from ..config import Field, Schema
from . import Summary

CATEGORY = "reproduce"

SCHEMA = Schema(
    {
        "omega_max": Field(float, default=2.0, gt=0, doc="largest plotted angular frequency"),
        "n_omega": Field(int, default=400, ge=10, le=100000, doc="frequencies in the plots"),
        "flux_flow": Schema(
            {
                "x": Field(float, default=0.05, gt=0, lt=1, doc="mobile-core area fraction"),
                "f_s": Field(float, default=1.0, gt=0, doc="superfluid stiffness n_s/m*"),
                "sigma_n": Field(float, default=0.4, gt=0, doc="core conductivity [e*^2/hbar]"),
                "sigma_nH": Field(float, default=0.004, doc="core Hall conductivity [e*^2/hbar]"),
                "m_star": Field(float, default=1.0, gt=0, doc="mass scale, f_s = n_s/m*"),
                "sigma_o": Field(float, default=0.01, ge=0, doc="normal-component conductivity"),
                "sigma_oH": Field(float, default=0.0, doc="normal-component Hall conductivity"),
                "n_v_eff_free": Field(float, default=0.5, doc="co-moving vortices, free flow"),
                "n_v_eff_pinned": Field(
                    float, default=5e-6, doc="co-moving vortices, strong pinning (1e-5 n_v)"
                ),
            },
            doc="flux-flow parameters (Eqs. (2), (17))",
            optional=True,
        ),
        "pinning": Schema(
            {
                "omega_o": Field(
                    float,
                    default=[0.3, 0.1, 0.03, 0.01, 0.0],
                    list=True,
                    min_len=1,
                    ge=0,
                    doc="pinning frequencies, superconductor -> anomalous metal",
                ),
            },
            optional=True,
        ),
        "fit": Schema(
            {
                "seed": Field(int, default=0, ge=0, doc="seed of the synthetic noise"),
                "noise_rel": Field(float, default=0.01, ge=0, lt=0.5, doc="relative noise"),
                "n_omega": Field(int, default=150, ge=12, le=100000, doc="fitted frequencies"),
            },
            optional=True,
        ),
    }
)


def _regime(ff: dict, n_v_eff: float) -> dict:
    hydro = vx.flux_flow(ff["x"], ff["f_s"], ff["sigma_n"], ff["sigma_nH"], n_v_eff, ff["m_star"])
    return {
        "f_s": ff["f_s"],
        **{k: float(v) for k, v in hydro.items()},
        "sigma_o": ff["sigma_o"],
        "sigma_oH": ff["sigma_oH"],
    }


def _split(p: dict) -> tuple[dict, dict]:
    common = {k: p[k] for k in ("f_s", "Omega", "Omega_H", "alpha_v")}
    return {**common, "sigma_o": p["sigma_o"]}, {**common, "sigma_oH": p["sigma_oH"]}


def run(cfg, out: Path) -> Summary:
    """Compute the figures and the synthetic fit; write PNG + JSON under ``out``."""
    d = cfg.data
    out = Path(out)
    ff = d["flux_flow"]
    w = np.linspace(d["omega_max"] / d["n_omega"], d["omega_max"], d["n_omega"])
    regimes = {
        "free flux flow": _regime(ff, ff["n_v_eff_free"]),
        "strong pinning": _regime(ff, ff["n_v_eff_pinned"]),
    }
    files, lines, results = [], [], {"regimes": regimes}

    # --- Eqs. (6)-(7) ----------------------------------------------------------------
    fig, axes = plot.subplots(2, 2, figsize=(9, 6.5), sharex=True)
    for name, p in regimes.items():
        pxx, pxy = _split(p)
        sxx, sxy = np.asarray(vx.sigma_xx(w, **pxx)), np.asarray(vx.sigma_xy(w, **pxy))
        axes[0, 0].plot(w, sxx.real, label=name)
        axes[0, 1].plot(w, sxx.imag, label=name)
        axes[1, 0].plot(w, sxy.real, label=name)
        axes[1, 1].plot(w, sxy.imag, label=name)
        dc = vx.resistivity(0.0, **pxx, sigma_oH=p["sigma_oH"])
        tan = float(np.real(vx.tan_hall_angle(0.0, **pxx, sigma_oH=p["sigma_oH"])))
        results.setdefault("dc", {})[name] = {
            "sigma_xx": float(np.real(sxx[0])),
            "rho_xx": float(np.real(dc[0])),
            "rho_yx": float(np.real(dc[1])),
            "tan_theta_H": tan,
        }
        lines.append(
            f"{name}: Omega = {p['Omega']:.4g}, Omega_H = {p['Omega_H']:.4g} "
            f"(Omega_H/Omega = {p['Omega_H'] / p['Omega']:.3g}), alpha_v = {p['alpha_v']:.3g}, "
            f"dc tan(theta_H) = {tan:.3g}"
        )
    for ax, lab in zip(axes.flat, ["Re σ_xx", "Im σ_xx", "Re σ_xy", "Im σ_xy"], strict=True):
        ax.set_ylabel(lab + "  [e*²/ħ]")
    for ax in axes[1]:
        ax.set_xlabel("ω")
    axes[0, 0].legend()
    fig.suptitle(
        "Eqs. (6)-(7): free flux flow vs strong pinning (flux-flow closure, Eqs. (2), (17))"
    )
    files.append(plot.save_figure(fig, out / "conductivity.png"))

    # --- poles -------------------------------------------------------------------------
    fig, ax = plot.subplots(figsize=(5, 4))
    results["poles"] = {}
    for name, p in regimes.items():
        poles = np.asarray(vx.supercyclotron_poles(p["Omega"], p["Omega_H"]))
        results["poles"][name] = poles
        ax.plot(poles.real, poles.imag, "x", ms=10, mew=2, label=name)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xlabel("Re ω⋆")
    ax.set_ylabel("Im ω⋆")
    ax.set_title("supercyclotron poles ω⋆ = ±Ω_H − iΩ")
    ax.legend()
    files.append(plot.save_figure(fig, out / "poles.png"))

    # --- Eq. (20) across omega_o -> 0 ----------------------------------------------------
    Omega = regimes["free flux flow"]["Omega"]
    oms = d["pinning"]["omega_o"]
    fig, (a1, a2) = plot.subplots(1, 2, figsize=(10, 4))
    results["pinned"] = []
    for om in oms:
        s = np.asarray(vx.sigma_pinned(w, ff["f_s"], Omega, om))
        D = float(vx.superfluid_weight(ff["f_s"], Omega, om))
        results["pinned"].append({"omega_o": om, "D": D, "width": Omega + om})
        a1.plot(w, s.real, label=f"ω_o = {om:g}, D = {D:.3g}")
        a2.plot(w, s.imag, label=f"ω_o = {om:g}")
    a1.set_xlabel("ω")
    a1.set_ylabel("Re σ_reg  [e*²/ħ]")
    a1.set_title("Eq. (20): Re σ = π D δ(ω) + Drude of width Ω+ω_o")
    a2.set_xlabel("ω")
    a2.set_ylabel("Im σ")
    a2.set_yscale("log")
    a1.legend(fontsize=8)
    files.append(plot.save_figure(fig, out / "pinned.png"))
    lines.append(
        "pinned: D = "
        + ", ".join(f"{r['D']:.3g}" for r in results["pinned"])
        + f" for omega_o = {', '.join(f'{o:g}' for o in oms)} (continuous as omega_o -> 0)"
    )

    # --- fit of a SYNTHETIC spectrum ---------------------------------------------------------
    fc = d["fit"]
    truth = regimes["free flux flow"]
    wf = np.linspace(d["omega_max"] / fc["n_omega"], d["omega_max"], fc["n_omega"])
    spec = vx.synthetic_spectrum(
        jax.random.PRNGKey(fc["seed"]), wf, **truth, noise_rel=fc["noise_rel"]
    )
    res = vx.fit(wf, spec.sigma_xx, spec.sigma_xy, sigma=(spec.sigma_xx_err, spec.sigma_xy_err))
    results["fit"] = {"truth": truth, "result": res.to_dict(), "synthetic": True}
    lines.append(
        f"fit of a synthetic spectrum ({fc['noise_rel']:.1%} noise): success={res.success}, "
        f"redchi={res.redchi:.3f}"
    )
    for k in vx.fitting.PARAMS["joint"]:
        z = abs(res.params[k] - truth[k]) / res.stderr[k] if res.stderr[k] > 0 else np.nan
        lines.append(
            f"  {k:8s} = {res.params[k]: .5g} ± {res.stderr[k]:.2g}   (truth {truth[k]:.5g}, "
            f"{z:.1f} stderr)"
        )
    fig, (a1, a2) = plot.subplots(1, 2, figsize=(10, 4))
    fit_xx, fit_xy = vx.fitting.model_joint(wf, **res.params)
    for ax, data, model, lab in (
        (a1, spec.sigma_xx, fit_xx, "σ_xx"),
        (a2, spec.sigma_xy, fit_xy, "σ_xy"),
    ):
        data, model = np.asarray(data), np.asarray(model)
        ax.plot(wf, data.real, ".", ms=3, label=f"Re {lab} (synthetic)")
        ax.plot(wf, data.imag, ".", ms=3, label=f"Im {lab} (synthetic)")
        ax.plot(wf, model.real, "k-", lw=1)
        ax.plot(wf, model.imag, "k--", lw=1, label="joint fit")
        ax.set_xlabel("ω")
        ax.legend(fontsize=8)
    a1.set_title(f"Ω = {res.params['Omega']:.4g} ± {res.stderr['Omega']:.2g}")
    a2.set_title(f"Ω_H = {res.params['Omega_H']:.4g} ± {res.stderr['Omega_H']:.2g}")
    files.append(plot.save_figure(fig, out / "fit.png"))
    files.append(io.write_json(out / "results.json", results))
    return Summary(name=cfg.name, lines=lines, files=files, ok=bool(res.success))
