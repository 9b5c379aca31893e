"""Composable surface-resistance models: a loss term is an equinox module, a model a sum.

Every term maps a cavity's operating point to a surface resistance,

    Rs [Ω] = term.rs_ohm(B_mT, T_K, f_Hz, f_ref_Hz),

with B_mT the peak surface field [mT], T_K the bath temperature [K], f_Hz the mode
frequency [Hz] and f_ref_Hz the frequency at which amplitudes are quoted (per point;
the fit front end passes each ramp's own frequency unless told otherwise).  A term's fit
parameters are its (non-static) fields; their units, bounds and whether they vary by
default are in the class attribute ``PARAMS`` (name -> :class:`ParamSpec`).  Terms add:
``BCS() + Residual()`` is a :class:`LossSum`, whose parameters are the union of its
terms'.  Two terms with a parameter of the same name SHARE it (e.g. :class:`QSlope`
uses the ``Rs0_nOhm`` of the :class:`BCS` term it multiplies); their specs must agree.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, NamedTuple

import equinox as eqx
import jax.numpy as jnp

from ..._checks import DomainError

__all__ = ["AbstractLoss", "LossSum", "ParamSpec", "terms_of"]


class ParamSpec(NamedTuple):
    """Unit, bounds and default ``vary`` of one parameter of a loss term."""

    unit: str
    min: float | None
    max: float | None
    vary: bool
    doc: str


class AbstractLoss(eqx.Module):
    """Base of the loss terms: Rs(B, T, f) [Ω] with named parameters (see module doc)."""

    PARAMS: ClassVar[dict[str, ParamSpec]] = {}

    def rs_ohm(self, B_mT, T_K, f_Hz, f_ref_Hz):
        """Surface resistance [Ω] at the points (arrays broadcasting together)."""
        raise NotImplementedError

    def specs(self) -> dict[str, ParamSpec]:
        """``name -> ParamSpec`` of the model's parameters (shared names appear once)."""
        return dict(self.PARAMS)

    def values(self) -> dict[str, float]:
        """``name -> current value`` of the model's parameters (start values for a fit)."""
        return {k: getattr(self, k) for k in self.PARAMS}

    def replace(self, **values) -> AbstractLoss:
        """Return a copy with some parameter values replaced (names of :meth:`specs` only)."""
        own = {k: v for k, v in values.items() if k in self.PARAMS}
        return dataclasses.replace(self, **own) if own else self

    @property
    def name(self) -> str:
        """Short name of the model (``"BCS + Residual"`` for a sum)."""
        return type(self).__name__

    @property
    def needs_points(self) -> bool:
        """True for terms that solve per point (evaluated under ``vmap``, not broadcast)."""
        return False

    def __add__(self, other) -> LossSum:
        if not isinstance(other, AbstractLoss):
            return NotImplemented
        return LossSum((*terms_of(self), *terms_of(other)))


def terms_of(model: AbstractLoss) -> tuple[AbstractLoss, ...]:
    """Return the terms of a model (a single term is a sum of one)."""
    return model.terms if isinstance(model, LossSum) else (model,)


class LossSum(AbstractLoss):
    """A sum of loss terms, Rs = Σ_k Rs_k; parameters of equal names are shared.

    Attributes
    ----------
    terms
        The terms, in the order they were added.
    """

    terms: tuple[AbstractLoss, ...]

    def __check_init__(self):
        seen: dict[str, ParamSpec] = {}
        for t in self.terms:
            if not isinstance(t, AbstractLoss) or isinstance(t, LossSum):
                raise DomainError(
                    f"argument 'terms' must hold loss terms (not sums); got {type(t).__name__}"
                )
            for k, spec in t.PARAMS.items():
                if k in seen and seen[k] != spec:
                    raise DomainError(
                        f"parameter '{k}' is shared by two terms with different specs "
                        f"({seen[k]} vs {spec}): rename one"
                    )
                seen[k] = spec

    def specs(self) -> dict[str, ParamSpec]:
        out: dict[str, ParamSpec] = {}
        for t in self.terms:
            out.update(t.PARAMS)
        return out

    def values(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for t in self.terms:
            for k, v in t.values().items():
                out.setdefault(k, v)  # a shared parameter: the first term's value
        return out

    def replace(self, **values) -> LossSum:
        return LossSum(tuple(t.replace(**values) for t in self.terms))

    @property
    def name(self) -> str:
        return " + ".join(t.name for t in self.terms)

    @property
    def needs_points(self) -> bool:
        """True: solved per point."""
        return any(t.needs_points for t in self.terms)

    def rs_ohm(self, B_mT, T_K, f_Hz, f_ref_Hz):
        """Rs [Ω] of this term at the points (see :class:`AbstractLoss`)."""
        return sum(
            (t.rs_ohm(B_mT, T_K, f_Hz, f_ref_Hz) for t in self.terms[1:]),
            start=self.terms[0].rs_ohm(B_mT, T_K, f_Hz, f_ref_Hz),
        )

    def contributions(self, B_mT, T_K, f_Hz, f_ref_Hz) -> dict[str, jnp.ndarray]:
        """Each term's Rs [Ω] at the points, keyed by the term's name."""
        return {t.name: t.rs_ohm(B_mT, T_K, f_Hz, f_ref_Hz) for t in self.terms}
