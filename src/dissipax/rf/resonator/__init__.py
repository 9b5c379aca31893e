r"""Superconducting microwave resonators: S21 line shape, batched fits, temperature sweeps.

* :mod:`.notch` — the notch-type S21 with environment, cable delay and the diameter
  correction (Khalil et al. 2012; Probst et al. 2015), :func:`notch_s21`;
* :mod:`.starts` — automatic starts: cable delay, algebraic circle fit, phase;
* :mod:`.s21_fit` — :func:`fit_s21`, many traces in one batched least-squares call;
* :mod:`.data` — :func:`load_s21_csv` (raw S21 files), :func:`load_resonator_table`;
"""

from .data import ResonatorTable, S21Sweep, load_resonator_table, load_s21_csv
from .notch import coupling_q_real, internal_q, loaded_q, notch_s21
from .s21_fit import S21Fit, estimate_noise, fit_s21, s21_from_db_deg
from .starts import Starts, circle_fit, estimate_starts

__all__ = [
    "ResonatorTable",
    "S21Fit",
    "S21Sweep",
    "Starts",
    "circle_fit",
    "coupling_q_real",
    "estimate_noise",
    "estimate_starts",
    "fit_s21",
    "internal_q",
    "load_resonator_table",
    "load_s21_csv",
    "loaded_q",
    "notch_s21",
    "s21_from_db_deg",
]
