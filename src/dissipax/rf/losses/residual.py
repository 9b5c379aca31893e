"""Residual resistance: a temperature- and field-independent R_res.

The part of Rs that stays as T → 0 (Padamsee, Knobloch & Hays, *RF Superconductivity
for Accelerators*, 2nd ed. (2008), Eq. (5.24): Rs = R_BCS(T) + R_res).
"""

from __future__ import annotations

from typing import ClassVar

import jax.numpy as jnp

from ._base import AbstractLoss, ParamSpec

__all__ = ["Residual"]


class Residual(AbstractLoss):
    """Constant residual resistance.

    Attributes
    ----------
    R_res_nOhm
        Residual resistance [nΩ] (≥ 0).
    """

    PARAMS: ClassVar[dict[str, ParamSpec]] = {
        "R_res_nOhm": ParamSpec("nOhm", 0.0, None, True, "residual resistance")
    }
    R_res_nOhm: float = 5.0

    def rs_ohm(self, B_mT, T_K, f_Hz, f_ref_Hz):
        """Rs [Ω] of this term at the points (see :class:`AbstractLoss`)."""
        shape = jnp.broadcast_shapes(*(jnp.shape(v) for v in (B_mT, T_K, f_Hz)))
        return jnp.full(shape, 1e-9) * self.R_res_nOhm
