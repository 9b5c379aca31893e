r"""Config kind ``gurevich_fig4a``: :math:`\sigma_1(B_a)` under a strong rf field (Gurevich 2014).

Computes the nonlinear conductivity of Eq. (10) at :math:`T/\Delta_0 = 0.1`,
:math:`\omega/\Delta_0 = 0.0025` against :math:`B_a/B_c` with
:math:`\beta_a = (B_a/2B_c)^2` (printed reading), with

* the nonequilibrium distribution of Eq. (12) (the paper's mechanism),
* the equilibrium :math:`f = e^{-\epsilon/T}` for comparison,
* the surface average of Eq. (15), :math:`\beta_0^{-1}\int_0^{\beta_0}\sigma_1(\beta)d\beta`
  (proportional to :math:`R_s`), without overheating — the :math:`\alpha \to 0` limit of
  Fig. 4a; and Rs/Rs0 with the self-consistent temperature of Eqs. (13)-(14)
  (:func:`dissipax.rf.surface.surface_resistance_ratio`) for each ``alphas`` value.

Output: ``fig4a_sigma1.png`` and ``results.json``.
"""

from __future__ import annotations

from pathlib import Path

import jax.numpy as jnp
import numpy as np

from .. import io, plot
from .. import rf as grf
from ..config import Field, Schema
from ..rf import quadrature as q
from ..rf.surface import surface_resistance_ratio
from . import Summary

CATEGORY = "reproduce"

SCHEMA = Schema(
    {
        "T": Field(float, default=0.1, gt=0, lt=0.5, doc="quasiparticle temperature T/Delta0"),
        "omega": Field(float, default=0.0025, gt=0, lt=0.5, doc="frequency hbar*omega/Delta0"),
        "b_max": Field(float, default=0.84, gt=0, le=1.0, doc="largest Ba/Bc"),
        "n_fields": Field(int, default=43, ge=5, le=1000, doc="fields on the curve"),
        "n_depth": Field(int, default=16, ge=4, le=128, doc="nodes of the Eq. (15) average"),
        "alphas": Field(
            float,
            default=[0.01, 0.5, 1.0],
            list=True,
            ge=0,
            doc="overheating parameters (used when dissipax.rf.surface is available)",
        ),
    }
)


def surface_average(omega, T, beta0, n_depth):
    r"""Eq. (15) without overheating: :math:`\beta_0^{-1}\int_0^{\beta_0}\sigma_1(\beta)d\beta`.

    Gauss-Legendre in :math:`u` with :math:`\beta = \beta_0 u^3` (smooth in :math:`u`
    despite the :math:`\beta^{2/3}` onset); ``beta0`` of shape ``(n,)``.
    """
    rule = q.gauss_legendre(n_depth)
    u = jnp.asarray(rule.x)
    beta = jnp.asarray(beta0)[:, None] * u**3
    sig = grf.sigma1_rf(omega, T, beta)
    return jnp.sum(3.0 * u**2 * jnp.asarray(rule.w) * sig, axis=-1)


def run(cfg, out: Path) -> Summary:
    """Compute sigma1(Ba) of Fig. 4a; write PNG + JSON under ``out``."""
    d = cfg.data
    out = Path(out)
    b = np.linspace(0.0, d["b_max"], d["n_fields"])
    beta = (b / 2.0) ** 2
    w, T = d["omega"], d["T"]
    neq = np.asarray(grf.sigma1_rf(w, T, beta, True))
    eq = np.asarray(grf.sigma1_rf(w, T, beta, False))
    avg = np.asarray(surface_average(w, T, beta, d["n_depth"]))
    avg = np.where(beta > 0, avg, neq[0])
    fig, ax = plot.subplots(figsize=(5.5, 4))
    ax.plot(b, neq / neq[0], label="local, nonequilibrium f, Eq. (12)")
    ax.plot(b, eq / eq[0], "--", label="local, equilibrium f = exp(-ε/T)")
    ax.plot(b, avg / avg[0], label="surface average, Eq. (15), α → 0")
    results = {
        "Ba_over_Bc": b,
        "beta_a": beta,
        "sigma1_noneq": neq,
        "sigma1_eq": eq,
        "sigma1_surface_avg": avg,
        "settings": d,
    }
    lines = [
        f"Fig. 4a: local sigma1(Ba={b[-1]:.2f} Bc)/sigma1(0) = {neq[-1] / neq[0]:.3f} "
        f"(nonequilibrium), {eq[-1] / eq[0]:.3f} (equilibrium)",
        f"surface average (alpha -> 0): min {avg.min() / avg[0]:.3f} "
        f"at Ba/Bc = {b[int(np.argmin(avg))]:.2f}",
    ]
    curves = {}
    for alpha in d["alphas"]:
        ratio, temp = surface_resistance_ratio(b, w, T, alpha)
        ratio = np.asarray(ratio)
        ax.plot(b, ratio, ":", label=f"Rs/Rs0 with overheating, α = {alpha:g}")
        curves[f"{alpha:g}"] = {"Rs_ratio": ratio, "T": np.asarray(temp)}
    results["overheating"] = curves
    ax.set_xlabel("Ba / Bc")
    ax.set_ylabel("σ1(Ba) / σ1(0)")
    ax.set_title(f"Fig. 4a: σ1 under rf field, ω = {w:g} Δ0, T = {T:g} Δ0")
    ax.legend(fontsize=8)
    png = plot.save_figure(fig, out / "fig4a_sigma1.png")
    js = io.write_json(out / "results.json", results)
    return Summary(name=cfg.name, lines=lines, files=[png, js])
