r"""Two-level-system (TLS) losses in the surface oxide.

The TLS loss tangent of a resonator (J. Gao, PhD thesis, Caltech (2008), Eq. (2.56);
Pappas et al., IEEE Trans. Appl. Supercond. 21, 871 (2011), Eq. (1)) is

.. math:: \delta_{TLS} = F\delta_0\,\frac{\tanh(\hbar\omega/2k_BT)}
          {\sqrt{1 + (E/E_c)^2}},

saturating with the field amplitude.  A surface resistance Rs = ωμ0λ·F·δ (the loss of
the stored energy fraction F in the oxide, Rs/Xs = δ) gives

.. math:: R_{TLS} = A\,\frac{f}{f_{ref}}\,
          \frac{\tanh(hf/2k_BT)}{\tanh(hf_{ref}/2k_BT_{ref})}
          \Big/\sqrt{1 + (B/B_{TLS})^2},

with A [nΩ] the low-field TLS resistance at (f_ref, T_ref) and B_TLS the saturation
field (the surface field stands in for the oxide's electric field, E ∝ B in a cavity).
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp

from ... import units
from ._base import AbstractLoss, ParamSpec

__all__ = ["TLS"]


class TLS(AbstractLoss):
    """TLS surface resistance (module docstring: Gao 2008, Eq. (2.56); Pappas 2011, Eq. (1)).

    Attributes
    ----------
    A_tls_nOhm
        Low-field TLS resistance at (f_ref, T_ref) [nΩ].
    B_tls_mT
        Saturation field [mT].
    T_ref_K
        Reference temperature [K] (static).
    """

    PARAMS: ClassVar[dict[str, ParamSpec]] = {
        "A_tls_nOhm": ParamSpec("nOhm", 0.0, None, True, "low-field TLS resistance"),
        "B_tls_mT": ParamSpec("mT", 0.0, None, True, "TLS saturation field"),
    }
    A_tls_nOhm: float = 1.0
    B_tls_mT: float = 1.0
    T_ref_K: float = eqx.field(static=True, default=2.0)

    def rs_ohm(self, B_mT, T_K, f_Hz, f_ref_Hz):
        """Rs [Ω] of this term at the points (see :class:`AbstractLoss`)."""
        x = units.hz_to_kelvin(f_Hz) / (2.0 * T_K)
        x_ref = units.hz_to_kelvin(f_ref_Hz) / (2.0 * self.T_ref_K)
        thermal = jnp.tanh(x) / jnp.tanh(x_ref)
        sat = jnp.sqrt(1.0 + (jnp.asarray(B_mT) / self.B_tls_mT) ** 2)
        return 1e-9 * self.A_tls_nOhm * (f_Hz / f_ref_Hz) * thermal / sat
