r"""Superconducting microwave resonators: S21 line shape, batched fits, temperature sweeps.

* :mod:`.notch` — the notch-type S21 with environment, cable delay and the diameter
  correction (Khalil et al. 2012; Probst et al. 2015), :func:`notch_s21`;
* :mod:`.starts` — automatic starts: cable delay, algebraic circle fit, phase;
* :mod:`.s21_fit` — :func:`fit_s21`, many traces in one batched least-squares call;
* :mod:`.data` — :func:`load_s21_csv` (raw S21 files), :func:`load_resonator_table`;
* :mod:`.tls` — two-level-system loss and frequency shift (Gao 2008; Pappas 2011);
* :mod:`.temperature` — :func:`fit_temperature_sweep`: fr(T) and Qi(T) jointly with the
  Mattis–Bardeen surface impedance (or each alone), :func:`compare_sweep_fits`;
* :mod:`.tc_spread` — an inhomogeneous film: the surface impedance averaged over a
  Gaussian distribution of Tc (``tc_spread=True``);
* :mod:`.chebyshev` — the tabulated impedance ratios those fits evaluate.
"""

from .data import ResonatorTable, S21Sweep, load_resonator_table, load_s21_csv
from .notch import coupling_q_real, internal_q, loaded_q, notch_s21
from .s21_fit import S21Fit, estimate_noise, fit_s21, notch_jacobian, s21_from_db_deg
from .starts import Starts, circle_fit, estimate_starts
from .temperature import (
    SweepComparison,
    TemperatureSweepFit,
    compare_sweep_fits,
    fit_temperature_sweep,
    impedance_ratios,
    sweep_model,
)
from .tls import tls_loss, tls_shift

__all__ = [
    "ResonatorTable",
    "S21Fit",
    "S21Sweep",
    "Starts",
    "SweepComparison",
    "TemperatureSweepFit",
    "circle_fit",
    "compare_sweep_fits",
    "coupling_q_real",
    "estimate_noise",
    "estimate_starts",
    "fit_s21",
    "fit_temperature_sweep",
    "impedance_ratios",
    "internal_q",
    "load_resonator_table",
    "load_s21_csv",
    "loaded_q",
    "notch_jacobian",
    "notch_s21",
    "s21_from_db_deg",
    "sweep_model",
    "tls_loss",
    "tls_shift",
]
