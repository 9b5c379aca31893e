r"""Nonlinear microwave conductivity of dirty superconductors (Gurevich, PRL 113, 087001 (2014)).

Natural units: energies, frequency :math:`\hbar\omega`, temperature :math:`k_BT` and the
pair-breaking parameter :math:`s = \beta\Delta_0` in units of :math:`\Delta_0`;
:math:`\sigma_1` in units of the normal conductivity :math:`\sigma_n`.

Supported pair breaking: :math:`0 \le s, \beta_a \le 0.25` (:data:`S_MAX`).  The printed
branch of Eq. (8) is physical only below :math:`s^* \approx 0.277`, which lies above the
superheating field (:math:`\beta_{sh} \approx 0.176`); see :mod:`dissipax.rf.usadel`.
"""

from . import losses, resonator
from .alpha_fit import cavity_rs_ohm, fit_alpha
from .cavity import (
    CavityGeometry,
    bp_from_eacc,
    eacc_from_bp,
    load_q0_vs_eacc,
    q0_from_rs,
    ramp_from_q0,
    rs_from_q0,
)
from .cavity_data import Ramp, load_rs_vs_bp, pad_ramps
from .cavity_fit import CavityFit, ModelComparison, compare_models, fit_cavity, model_rs_ohm
from .complex_conductivity import sigma_mattis_bardeen
from .conductivity import (
    T_C,
    coherence_factor,
    sigma1_closed_form,
    sigma1_dc_biased,
    sigma1_low_frequency,
    sigma1_mattis_bardeen,
    sigma1_rf,
)
from .gap import bcs_gap
from .impedance import (
    kinetic_inductance_per_square_H,
    penetration_depth_m,
    surface_impedance_ohm,
)
from .materials import NIOBIUM, Superconductor, niobium
from .overheating import (
    STATUS_FAILED,
    STATUS_OK,
    STATUS_RUNAWAY,
    overheating_alpha,
    runaway_threshold,
    solve_temperature,
)
from .surface import (
    READINGS,
    OverheatingResult,
    rs_ratio,
    solve_overheating,
    surface_resistance_ohm,
    surface_resistance_ratio,
)
from .thin_film import thin_film_transmission
from .usadel import (
    BETA_SUPERHEATING,
    S_MAX,
    S_STAR,
    dos,
    pairbreaking_gap,
    spectral_gap,
    usadel_uv,
)

__all__ = [
    "surface_impedance_ohm",
    "sigma_mattis_bardeen",
    "penetration_depth_m",
    "kinetic_inductance_per_square_H",
    "bcs_gap",
    "CavityFit",
    "CavityGeometry",
    "ModelComparison",
    "bp_from_eacc",
    "compare_models",
    "eacc_from_bp",
    "load_q0_vs_eacc",
    "losses",
    "model_rs_ohm",
    "q0_from_rs",
    "ramp_from_q0",
    "rs_from_q0",
    "BETA_SUPERHEATING",
    "NIOBIUM",
    "OverheatingResult",
    "READINGS",
    "Ramp",
    "STATUS_FAILED",
    "STATUS_OK",
    "STATUS_RUNAWAY",
    "S_MAX",
    "S_STAR",
    "Superconductor",
    "T_C",
    "cavity_rs_ohm",
    "coherence_factor",
    "dos",
    "fit_alpha",
    "fit_cavity",
    "load_rs_vs_bp",
    "niobium",
    "overheating_alpha",
    "pad_ramps",
    "pairbreaking_gap",
    "rs_ratio",
    "runaway_threshold",
    "sigma1_closed_form",
    "sigma1_dc_biased",
    "sigma1_low_frequency",
    "sigma1_mattis_bardeen",
    "sigma1_rf",
    "solve_overheating",
    "solve_temperature",
    "spectral_gap",
    "surface_resistance_ohm",
    "surface_resistance_ratio",
    "resonator",
    "thin_film_transmission",
    "usadel_uv",
]
