"""Saturating resistance on both sides of an avoided SIT (Zhang, Palevski & Kapitulnik 2022).

Units: T in K, activation energies as E_a/k_B in K, ρ in Ω/□, σ in S, fields in Oe.

* :func:`failed_insulator` — Eq. (1), ρ = [σ_QF + σ_0 e^{−E_a/T}]⁻¹;
* :func:`failed_superconductor` — Eq. (2), ρ = ρ_QF + ρ_0 e^{−E_a/T};
* :func:`curvature`, :func:`curvature_zero` — d²ρ/dT² and its sign change (Fig. 4a);
* :func:`load_csv`, :class:`FieldSweep` — long-format R(T, H) tables;
* :func:`generate`, :class:`SyntheticSample` — a labelled synthetic sweep with the paper's trends.
"""

from .data import DataError, FieldSweep, SkippedFieldsWarning, load_csv, sweep_from_arrays
from .laws import (
    curvature,
    curvature_zero,
    failed_insulator,
    failed_superconductor,
    log_failed_insulator,
    log_failed_superconductor,
    resistivity,
)
from .synthetic import SyntheticSample, SyntheticTruth, generate

__all__ = [
    "DataError",
    "FieldSweep",
    "SkippedFieldsWarning",
    "SyntheticSample",
    "SyntheticTruth",
    "curvature",
    "curvature_zero",
    "failed_insulator",
    "failed_superconductor",
    "generate",
    "load_csv",
    "log_failed_insulator",
    "log_failed_superconductor",
    "resistivity",
    "sweep_from_arrays",
]
