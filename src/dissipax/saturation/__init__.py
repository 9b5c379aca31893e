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

Around the field-tuned SIT itself (the "avoided" transition of the paper):

* :func:`load_sit_csv`, :func:`sit_sweep`, :class:`SITSweep`, :class:`Isotherms` — R(T, H)
  tables (ragged R(T) curves and R(H) isotherms in one long format, transposed both ways);
* :func:`crossing_point` — (H_c, R_c) from the crossing of isotherms;
* :func:`scaling_collapse` — R = R_c F_±(|H − H_c| T^{−1/zν}): H_c, zν, R_c with errors;
* :func:`scaling_breakdown`, :func:`link_saturation` — collapse quality against the lowest
  temperature, the onset of saturation, and its link to σ_QF, ρ_QF of Eqs. (1)–(2);
* :func:`duality` — deviation from self-duality R(H_c+δ)/R_c vs R_c/R(H_c−δ);
* :func:`generate_sit`, :class:`SITSample` — a synthetic SIT table with known H_c, zν, T_sat.

Note on the paper's text: its introduction writes "R_Q = h/e² ∼ 6.45 kΩ"; 6.45 kΩ is the
pair quantum h/4e² (= :data:`dissipax.units.R_Q`, as in the Fig. 4 caption), h/e² being
25.8 kΩ.  dissipax compares saturation resistances with h/4e².  The curvature zeros of
Fig. 4a are computed here from the fitted laws (:func:`curvature_zero`), not from
numerical second differences of noisy data.
"""

from .analysis import SweepAnalysis, analyze
from .crossing import Crossing, crossing_point
from .data import DataError, FieldSweep, SkippedFieldsWarning, load_csv, sweep_from_arrays
from .duality import DualityResult, duality
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
from .scaling import (
    Breakdown,
    CollapseResult,
    SaturationLink,
    collapse_objective,
    link_saturation,
    scaling_breakdown,
    scaling_collapse,
)
from .sit_synthetic import SITSample, SITTruth, generate_sit
from .sweeps import DuplicatePointsWarning, Isotherms, SITSweep, load_sit_csv, sit_sweep
from .synthetic import SyntheticSample, SyntheticTruth, generate

__all__ = [
    "AutoFitResult",
    "Breakdown",
    "CollapseResult",
    "Crossing",
    "DualityResult",
    "DuplicatePointsWarning",
    "Isotherms",
    "SITSample",
    "SITSweep",
    "SITTruth",
    "SaturationLink",
    "collapse_objective",
    "crossing_point",
    "duality",
    "generate_sit",
    "link_saturation",
    "load_sit_csv",
    "scaling_breakdown",
    "scaling_collapse",
    "sit_sweep",
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
