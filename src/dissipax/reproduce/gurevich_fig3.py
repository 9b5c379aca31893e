r"""Config kind ``gurevich_fig3``: Figs. 2 and 3 of Gurevich, PRL 113, 087001 (2014).

* ``fig2_dos.png`` — the density of states under a dc current, Eqs. (6)-(9), for the
  configured pair-breaking parameters (the paper's Fig. 2 is at :math:`s = 0.2`), with the
  BCS curve and the Dynes-broadened comparison of the caption,
  :math:`N = \mathrm{Re}[(\epsilon - i\gamma)/\sqrt{(\epsilon - i\gamma)^2 - \Delta_0^2}]`.
* ``fig3_sigma1.png`` — the linear conductivity :math:`\sigma_1(H_0)/\sigma_1(0)` biased by a
  dc superflow, Eqs. (4)-(5), for :math:`\omega/\Delta_0 = 0.005, 0.02, 0.04, 0.06` at
  :math:`T/\Delta_0 = 0.1`, against :math:`H_0/H_c` with :math:`s = (H_0/2H_c)^2` (the
  Meissner state persists up to the superheating field :math:`0.84H_c`); interior minima
  are marked: deep at :math:`\omega = 0.005`, shallow at 0.02, absent for
  :math:`\omega \gtrsim 0.04` (the window :math:`(\omega/\Delta_0)^{3/4} < H_0/H_c <
  (T/\Delta_0)^{3/4}` closes).

Everything is also written to ``results.json``.  Example::

    kind = "gurevich_fig3"
    title = "Gurevich 2014, Figs. 2-3"
    T = 0.1
    omegas = [0.005, 0.02, 0.04, 0.06]
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import io, plot
from .. import rf as grf
from ..config import Field, Schema
from . import Summary

CATEGORY = "reproduce"

SCHEMA = Schema(
    {
        "T": Field(float, default=0.1, gt=0, lt=0.5, doc="temperature T/Delta0"),
        "omegas": Field(
            float,
            default=[0.005, 0.02, 0.04, 0.06],
            list=True,
            min_len=1,
            gt=0,
            lt=0.9,
            doc="frequencies hbar*omega/Delta0 of the Fig. 3 curves",
        ),
        "h_max": Field(
            float, default=0.6, gt=0, le=1.0, doc="largest H0/Hc (superheating field: 0.84)"
        ),
        "n_fields": Field(int, default=61, ge=5, le=2000, doc="fields per curve"),
        "dos_s": Field(
            float,
            default=[0.0, 0.05, 0.2],
            list=True,
            min_len=1,
            ge=0,
            le=grf.S_MAX,
            doc="pair-breaking parameters s of the Fig. 2 curves (paper: 0.2)",
        ),
        "dynes_gamma": Field(
            float, default=0.02, gt=0, doc="Dynes broadening gamma/Delta0 of the dashed curve"
        ),
    }
)


def _fig2(d: dict, out: Path):
    eps = np.linspace(0.0, 2.0, 2001)
    fig, ax = plot.subplots(figsize=(5.5, 4))
    curves = {}
    for s in d["dos_s"]:
        n = np.asarray(grf.dos(eps, s))
        label = "BCS (s = 0)" if s == 0 else f"s = {s:g}"
        ax.plot(eps, n, label=label)
        curves[f"{s:g}"] = {"N": n, "eps_g": float(grf.spectral_gap(s))}
    g = d["dynes_gamma"]
    z = eps - 1j * g
    dynes = np.real(z / np.sqrt(z * z - 1.0))
    ax.plot(eps, dynes, "k--", lw=1, label=f"Dynes, γ = {g:g} Δ0")
    ax.set_ylim(0, 4)
    ax.set_xlabel("ε / Δ0")
    ax.set_ylabel("N(ε) / N0")
    ax.set_title("Fig. 2: density of states under current, Eqs. (6)-(9)")
    ax.legend()
    return plot.save_figure(fig, out / "fig2_dos.png"), {
        "eps": eps,
        "curves": curves,
        "dynes": dynes,
    }


def _fig3(d: dict, out: Path):
    h = np.linspace(0.0, d["h_max"], d["n_fields"])
    s = (h / 2.0) ** 2
    fig, ax = plot.subplots(figsize=(5.5, 4))
    curves, minima = {}, {}
    for w in d["omegas"]:
        sig = np.asarray(grf.sigma1_dc_biased(w, d["T"], s))
        ratio = sig / sig[0]
        interior = np.flatnonzero((ratio[1:-1] < ratio[:-2]) & (ratio[1:-1] <= ratio[2:])) + 1
        k = int(interior[np.argmin(ratio[interior])]) if interior.size else -1
        (line,) = ax.plot(h, ratio, label=f"ω/Δ0 = {w:g}")
        if k > 0:
            ax.plot(h[k], ratio[k], "o", color=line.get_color(), ms=4)
            minima[f"{w:g}"] = {"H0_over_Hc": float(h[k]), "sigma1_ratio": float(ratio[k])}
        curves[f"{w:g}"] = {"sigma1": sig, "ratio": ratio}
    ax.set_xlabel("H0 / Hc")
    ax.set_ylabel("σ1(H0) / σ1(0)")
    ax.set_title(f"Fig. 3: σ1 under dc bias, Eqs. (4)-(5), T = {d['T']:g} Δ0")
    ax.legend()
    return plot.save_figure(fig, out / "fig3_sigma1.png"), {
        "H0_over_Hc": h,
        "s": s,
        "curves": curves,
        "minima": minima,
    }


def run(cfg, out: Path) -> Summary:
    """Compute Figs. 2 and 3; write PNG + JSON under ``out``."""
    d = cfg.data
    out = Path(out)
    f2, r2 = _fig2(d, out)
    f3, r3 = _fig3(d, out)
    eg = float(grf.spectral_gap(grf.BETA_SUPERHEATING))
    lines = [f"Fig. 2: eps_g(s={s:g}) = {r2['curves'][f'{s:g}']['eps_g']:.4f}" for s in d["dos_s"]]
    lines.append(f"eps_g at the superheating field (s = 0.1764) = {eg:.3f} (text: ~0.3)")
    for w in d["omegas"]:
        m = r3["minima"].get(f"{w:g}")
        if m:
            lines.append(
                f"Fig. 3: omega = {w:g}: local minimum sigma1/sigma1(0) = "
                f"{m['sigma1_ratio']:.3f} at H0/Hc = {m['H0_over_Hc']:.2f}"
            )
        else:
            lines.append(f"Fig. 3: omega = {w:g}: no interior minimum")
    js = io.write_json(out / "results.json", {"fig2": r2, "fig3": r3, "settings": d})
    return Summary(name=cfg.name, lines=lines, files=[f2, f3, js])
