"""Config kind ``saturation_fit``: fit Eqs. (1)/(2) to a field sweep read from a CSV file.

The example fit of :mod:`dissipax.saturation` (``dissipax fit CONFIG``): read a long-format
CSV (``field, temperature, resistance[, sigma]`` with units in the header; see
:func:`dissipax.saturation.load_csv`), fit every field (``law = "auto"`` picks Eq. (1) or
(2) per field by χ²), then the power laws σ_QF ∝ H^a and ρ_QF⁻¹ ∝ H^b, E_a(H), the
crossover H* and the curvature zeros.  Writes ``rho_vs_T.png``, ``field_dependence.png``,
``report.txt`` and ``results.json``.  Example::

    kind = "saturation_fit"
    title = "Saturation fits of my sweep"
    csv = "../data/my_sweep.csv"     # relative to this config file
    law = "auto"
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from .. import io, plot
from ..config import ConfigError, Field, Schema
from ..saturation import analysis as _analysis
from ..saturation import data as _data
from ..saturation import figures
from . import Summary

CATEGORY = "fit"

SCHEMA = Schema(
    {
        "csv": Field(str, doc="long-format CSV (absolute, or relative to the config file)"),
        "law": Field(
            str,
            default="auto",
            choices=("auto", "insulator", "superconductor"),
            doc="law fitted per field",
        ),
        "use_sigma": Field(
            bool, default=True, doc="weight by the CSV's sigma column (if any) as true errors"
        ),
        "min_points": Field(
            int, default=4, ge=4, doc="fields with fewer temperatures are skipped (with a warning)"
        ),
        "nan": Field(
            str,
            default="error",
            choices=("error", "drop"),
            doc="NaN or empty cells: reject the file, or drop those rows",
        ),
    }
)


def _csv_path(cfg) -> Path:
    p = Path(cfg.data["csv"])
    if not p.is_absolute() and cfg.path is not None:
        p = Path(cfg.path).parent / p
    if not p.is_file():
        raise ConfigError(f"{cfg.path}: key 'csv': no such file {p}")
    return p


def run(cfg, out: Path) -> Summary:
    """Load the CSV, analyse the sweep, write the figures, a text report and JSON."""
    d = cfg.data
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sweep = _data.load_csv(_csv_path(cfg), min_points=d["min_points"], nan=d["nan"])
    notes = [f"warning: {w.message}" for w in caught]
    res = _analysis.analyze(sweep, d["law"], use_sigma=d["use_sigma"])

    fig, ax = plot.subplots(1, 1, figsize=(6.0, 4.5))
    figures.plot_curves(ax, sweep, res)
    ax.set_title(cfg.title or cfg.name, fontsize=9)
    f1 = plot.save_figure(fig, out / "rho_vs_T.png")
    fig, ax = plot.subplots(1, 1, figsize=(6.0, 4.5))
    figures.plot_field_dependence(ax, res)
    f2 = plot.save_figure(fig, out / "field_dependence.png")
    rep = out / "report.txt"
    rep.write_text(res.report() + "\n", encoding="utf-8")
    js = io.write_json(
        out / "results.json", {"config": d, "warnings": notes, "analysis": res.to_dict()}
    )
    first = sweep.source.splitlines()[0] if sweep.source else ""
    lines = [f"data: {first}", *notes, *res.summary_lines()]
    return Summary(
        name=cfg.name, lines=lines, files=[f1, f2, rep, js], ok=bool(np.all(res.success))
    )
