r"""Microwave conductivity :math:`\sigma_1/\sigma_n` of Gurevich 2014: one import for all variants.

* :func:`sigma1_mattis_bardeen` — Eq. (35), Fermi functions (:mod:`.mattis_bardeen`);
* :func:`sigma1_closed_form` — Eq. (37); :func:`sigma1_low_frequency` — Eq. (1);
* :func:`sigma1_dc_biased` — Eqs. (4)-(5), weak rf on a dc superflow (:mod:`.dc_biased`);
* :func:`sigma1_rf` — Eqs. (10), (12), strong rf field, nonequilibrium distribution
  (:mod:`.rf_field`).

All take :math:`\omega`, :math:`T`, :math:`s`, :math:`\beta_a` in units of :math:`\Delta_0`,
broadcast like NumPy and work under ``jit``, ``grad`` and ``vmap``.
"""

from .dc_biased import coherence_factor, sigma1_dc_biased
from .mattis_bardeen import (
    T_C,
    sigma1_closed_form,
    sigma1_low_frequency,
    sigma1_mattis_bardeen,
)
from .rf_field import sigma1_rf

__all__ = [
    "T_C",
    "coherence_factor",
    "sigma1_closed_form",
    "sigma1_dc_biased",
    "sigma1_low_frequency",
    "sigma1_mattis_bardeen",
    "sigma1_rf",
]
