"""Composable surface-resistance models of SRF cavities: loss terms that add.

>>> from dissipax.rf.losses import BCS, QSlope, Residual, TrappedFlux
>>> model = BCS() + QSlope() + Residual()      # R_BCS(0)[1 + γ(B/B_c)²] + R_res
>>> model.specs()                               # names, units, bounds, default vary

Terms (each cites its equation in its module): :class:`BCS` (Mattis–Bardeen, zero field),
:class:`GurevichBCS` (Gurevich 2014 nonlinear σ1 with overheating), :class:`Residual`,
:class:`TrappedFlux` (Gurevich & Ciovati 2013 pinned segments), :class:`QSlope`
(phenomenological medium-field Q-slope) and :class:`TLS` (two-level systems).
"""

from ._base import AbstractLoss, LossSum, ParamSpec, terms_of
from .bcs import BCS, QSlope, bcs_range_nohm, bcs_scale
from .gurevich import NODE_TABLE, GurevichBCS, nodes_for_tolerance
from .residual import Residual
from .tls import TLS
from .trapped_flux import TrappedFlux, flux_sensitivity_ohm_per_T

__all__ = [
    "BCS",
    "NODE_TABLE",
    "TLS",
    "AbstractLoss",
    "GurevichBCS",
    "LossSum",
    "ParamSpec",
    "QSlope",
    "Residual",
    "TrappedFlux",
    "bcs_range_nohm",
    "bcs_scale",
    "flux_sensitivity_ohm_per_T",
    "nodes_for_tolerance",
    "terms_of",
]
