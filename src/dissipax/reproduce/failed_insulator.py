"""Config kind ``failed_insulator``: Fig. 3 and Fig. 4 of Zhang, Palevski & Kapitulnik (2022).

The paper's data are not public, so the reproduction runs on a *labelled synthetic* R(T, H)
table (:mod:`dissipax.saturation.synthetic`) built with the paper's trends for sample S1:
Eq. (2) below H* ≈ 300 Oe and Eq. (1) above, ρ_QF⁻¹ ∝ H^−0.45, σ_QF ∝ H^−4.7, saturation
resistance R_Q at H*, activation 1.5 → 1.2 K (superconducting side) and 0.6 → 0.3 K
(insulating side).  It then does what the paper does with measured data — fits every field
(``law = "auto"`` picks Eq. (1) or (2) by χ²), fits the power laws, finds H* and the
curvature zeros — and checks that the generating values come back.

Writes ``synthetic_sweep.csv`` (the table, header says synthetic), ``fig3_rho_vs_T.png``,
``fig4_field_dependence.png`` and ``results.json``.  Example::

    kind = "failed_insulator"
    title = "Failed insulator / failed superconductor (synthetic S1)"
    seed = 0
    noise = 0.005
    [sample]
    H_star = 300.0
    a = -4.7
    b = -0.45
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import io, plot, units
from ..config import Field, Schema
from ..saturation import analysis as _analysis
from ..saturation import figures, synthetic
from . import Summary

CATEGORY = "reproduce"

_D = synthetic.SyntheticSample()
SCHEMA = Schema(
    {
        "seed": Field(int, default=0, ge=0, doc="seed of the synthetic noise"),
        "noise": Field(float, default=0.005, ge=0, lt=0.2, doc="relative 1-sigma noise of rho"),
        "T_min": Field(float, default=0.03, gt=0, doc="lowest temperature [K]"),
        "T_max": Field(float, default=1.5, gt=0, doc="highest temperature [K]"),
        "n_T": Field(int, default=40, ge=6, le=2000, doc="temperatures per field (log-spaced)"),
        "fields": Field(
            float,
            default=list(synthetic.DEFAULT_FIELDS),
            list=True,
            min_len=4,
            gt=0,
            doc="magnetic fields [Oe]",
        ),
        "law": Field(
            str,
            default="auto",
            choices=("auto", "insulator", "superconductor"),
            doc="law fitted per field",
        ),
        "sample": Schema(
            {
                "H_star": Field(float, default=_D.H_star, gt=0, doc="crossover field [Oe]"),
                "R_star": Field(
                    float,
                    default=float(_D.R_star),
                    gt=0,
                    doc="saturation resistance at H* [Ohm/sq] (default R_Q)",
                ),
                "a": Field(float, default=_D.a, doc="exponent of sigma_QF ∝ H^a"),
                "b": Field(float, default=_D.b, doc="exponent of rho_QF^-1 ∝ H^b"),
                "E_aS_0": Field(float, default=_D.E_aS_0, gt=0, doc="E_aS at H -> 0 [K]"),
                "E_aS_star": Field(float, default=_D.E_aS_star, gt=0, doc="E_aS at H* [K]"),
                "E_aI_peak": Field(float, default=_D.E_aI_peak, gt=0, doc="E_aI at H* [K]"),
                "E_aI_inf": Field(float, default=_D.E_aI_inf, gt=0, doc="E_aI at high H [K]"),
                "E_aI_scale": Field(
                    float, default=_D.E_aI_scale, gt=0, doc="decay field of E_aI [Oe]"
                ),
                "rho_0": Field(float, default=_D.rho_0, gt=0, doc="prefactor of Eq. (2) [Ohm]"),
                "sigma_0": Field(float, default=_D.sigma_0, gt=0, doc="prefactor of Eq. (1) [S]"),
            },
            optional=True,
            doc="the synthetic sample's field dependence",
        ),
    }
)


def run(cfg, out: Path) -> Summary:
    """Generate the synthetic sweep, fit it like the paper, write Fig. 3/4-like PNGs + JSON."""
    d = cfg.data
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sample = synthetic.SyntheticSample(**d["sample"])
    sweep = synthetic.generate(
        sample,
        fields=d["fields"],
        T_min=d["T_min"],
        T_max=d["T_max"],
        n_T=d["n_T"],
        noise=d["noise"],
        seed=d["seed"],
    )
    csv_path = sweep.to_csv(
        out / "synthetic_sweep.csv",
        comments=(
            "SYNTHETIC DATA (not measured): " + sweep.source,
            f"written by 'dissipax reproduce {cfg.name}'",
        ),
    )
    res = _analysis.analyze(sweep, d["law"])

    fig, ax = plot.subplots(1, 1, figsize=(6.0, 4.5))
    figures.plot_curves(ax, sweep, res)
    ax.set_title(f"{cfg.title or cfg.name}\nSYNTHETIC data shaped like Fig. 3 (S1)", fontsize=9)
    f3 = plot.save_figure(fig, out / "fig3_rho_vs_T.png")

    fig, (ax_a, ax_b) = plot.subplots(1, 2, figsize=(11.0, 4.2))
    figures.plot_curvature_zeros(ax_a, res)
    ax_a.set_title("(a) insulating side: σ_QF, E_a and curvature zeros", fontsize=9)
    figures.plot_field_dependence(ax_b, res)
    ax_b.set_title("(b) ρ_QF⁻¹ and σ_QF with power laws; E_a (right)", fontsize=9)
    f4 = plot.save_figure(fig, out / "fig4_field_dependence.png")

    checks = _checks(res, sample)
    js = io.write_json(
        out / "results.json",
        {
            "synthetic": True,
            "source": sweep.source,
            "truth": {
                "law": sweep.truth.law.tolist(),
                "params": sweep.truth.params,
                "H_star": sample.H_star,
                "R_star": sample.R_star,
                "a": sample.a,
                "b": sample.b,
            },
            "paper": {"a": -4.7, "b": -0.45, "H_star_Oe": 300.0, "R_Q_Ohm": units.R_Q},
            "analysis": res.to_dict(),
            "checks": checks,
        },
    )
    lines = ["SYNTHETIC data (labelled; the paper's trends for S1)", *res.summary_lines()]
    lines += [f"check {k}: {'ok' if v else 'FAILED'}" for k, v in checks.items()]
    ok = bool(np.all(res.success)) and all(checks.values())
    return Summary(name=cfg.name, lines=lines, files=[csv_path, f3, f4, js], ok=ok)


def _checks(res: _analysis.SweepAnalysis, sample: synthetic.SyntheticSample) -> dict[str, bool]:
    """Whether the generating values come back within 3 standard errors."""
    out = {}
    for key, true in (("sigma_QF", sample.a), ("rho_QF_inv", sample.b)):
        if key in res.power_laws:
            r = res.power_laws[key]
            out[f"exponent {key} within 3 stderr of {true}"] = bool(
                abs(r.params["exponent"] - true) < 3 * r.stderr["exponent"]
            )
    truth_law = sample.law(res.H)
    out["law per field as generated"] = bool(np.all(truth_law == res.law))
    if res.crossover is not None:
        c = res.crossover
        out[f"H* within 3 stderr of {sample.H_star:g} Oe"] = bool(
            abs(c.H_star - sample.H_star) < 3 * c.H_star_stderr
        )
    return out
