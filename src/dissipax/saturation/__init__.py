"""Saturating resistance on both sides of an avoided SIT (Zhang, Palevski & Kapitulnik 2022).

Units: T in K, activation energies as E_a/k_B in K, ρ in Ω/□, σ in S, fields in Oe.

* :func:`failed_insulator` — Eq. (1), ρ = [σ_QF + σ_0 e^{−E_a/T}]⁻¹;
* :func:`failed_superconductor` — Eq. (2), ρ = ρ_QF + ρ_0 e^{−E_a/T};
* :func:`curvature`, :func:`curvature_zero` — d²ρ/dT² and its sign change (Fig. 4a);
* :func:`fit` — one fit per field, all fields in one compiled call; ``law="auto"`` picks
  the law per field and reports the crossover H*;
* :func:`analyze` — a whole sweep: fits, power laws σ_QF ∝ H^a and ρ_QF⁻¹ ∝ H^b, E_a(H), H*;
* :func:`fit_power_law`, :func:`crossover`, :func:`magnetoresistance`,
  :func:`fit_magnetoresistance` — field dependence and the low-field MR (Fig. S2);
* :func:`load_csv`, :class:`FieldSweep` — long-format R(T, H) tables;
* :func:`generate`, :class:`SyntheticSample` — a labelled synthetic sweep with the paper's trends.

Note on the paper's text: its introduction writes "R_Q = h/e² ∼ 6.45 kΩ"; 6.45 kΩ is the
pair quantum h/4e² (= :data:`dissipax.units.R_Q`, as in the Fig. 4 caption), h/e² being
25.8 kΩ.  dissipax compares saturation resistances with h/4e².  The curvature zeros of
Fig. 4a are computed here from the fitted laws (:func:`curvature_zero`), not from
numerical second differences of noisy data.
"""

from .analysis import SweepAnalysis, analyze
from .data import DataError, FieldSweep, SkippedFieldsWarning, load_csv, sweep_from_arrays
from .field import (
    Crossover,
    crossover,
    fit_magnetoresistance,
    fit_power_law,
    magnetoresistance,
    power_law,
)
from .fitting import AutoFitResult, fit, initial_guess, saturation_power_laws
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
    "AutoFitResult",
    "Crossover",
    "DataError",
    "FieldSweep",
    "SkippedFieldsWarning",
    "SweepAnalysis",
    "SyntheticSample",
    "SyntheticTruth",
    "analyze",
    "crossover",
    "curvature",
    "curvature_zero",
    "failed_insulator",
    "failed_superconductor",
    "fit",
    "fit_magnetoresistance",
    "fit_power_law",
    "generate",
    "initial_guess",
    "load_csv",
    "log_failed_insulator",
    "log_failed_superconductor",
    "magnetoresistance",
    "power_law",
    "resistivity",
    "saturation_power_laws",
    "sweep_from_arrays",
]
