"""Rs(T) at fixed field: R_BCS(T, f; Δ/k_BTc) + R_res fitted per field level, batched.

The workflow of TRIUMF's Cooldown-Data-Analysis ``cda.py`` (lmfit there; its reports are
``fit_params.txt`` of the data set ``triumf_nb_hwr_rs_vs_bp``): at each field level B_p the
cool-down gives Rs(T); each level is fitted with

    Rs(T) = A·ω²σ1(ω, T; Δ)/[ω²σ1(ω, T_ref; Δ)] + R_res,

σ1 the Mattis–Bardeen conductivity (Gurevich 2014, Eq. (35)) with the gap Δ = (Δ/k_BTc)·Tc
(the :class:`~dissipax.rf.losses.BCS` term with ``Delta0_K`` free) and the residual
resistance R_res (:class:`~dissipax.rf.losses.Residual`).  The mean free path ℓ (or σ_n)
enters R_BCS in the local dirty limit only through the prefactor μ0²ω²λ³σ_n/2 ∝ ℓ^{-1/2}
(λ = λ_L(1 + ξ0/ℓ)^{1/2}, σ_n ∝ ℓ), so the free amplitude A absorbs it; the temperature
dependence fixes Δ/k_BTc.  The gap is taken T-independent (T ≤ 0.5 Tc: Δ(T)/Δ0 ≥ 0.95).
All field levels are fitted in one batched, compiled call (:func:`fit_cavity`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._checks import DomainError, check
from .cavity_data import Ramp
from .cavity_fit import CavityFit, fit_cavity
from .losses import BCS, Residual

__all__ = ["RsTemperatureFit", "fit_rs_vs_temperature"]


@dataclasses.dataclass(frozen=True)
class RsTemperatureFit:
    """Per-field-level results of :func:`fit_rs_vs_temperature`.

    Attributes
    ----------
    Bp_mT
        The field levels [mT], shape (n_fields,).
    gap_ratio, gap_ratio_stderr
        Δ/k_BTc and its standard error per level.
    A_nOhm, A_stderr
        BCS resistance at T_ref [nΩ] per level.
    R_res_nOhm, R_res_stderr
        Residual resistance [nΩ] per level.
    fit
        The underlying :class:`~dissipax.rf.cavity_fit.CavityFit` (χ², success per level).
    """

    Bp_mT: np.ndarray
    gap_ratio: np.ndarray
    gap_ratio_stderr: np.ndarray
    A_nOhm: np.ndarray
    A_stderr: np.ndarray
    R_res_nOhm: np.ndarray
    R_res_stderr: np.ndarray
    fit: CavityFit


def fit_rs_vs_temperature(
    T_K,
    Rs_ohm,
    *,
    f_Hz: float,
    Bp_mT,
    Tc_K: float = 9.25,
    T_ref_K: float = 2.0,
    rel_error: float = 0.02,
    gap_ratio: float = 1.85,
) -> RsTemperatureFit:
    """Fit R_BCS(T; Δ/k_BTc) + R_res to Rs(T) at each field level (module docstring).

    Parameters
    ----------
    T_K, Rs_ohm
        One array per field level (lists of 1-D arrays; lengths may differ) [K], [Ω].
    f_Hz
        Mode frequency [Hz].
    Bp_mT
        The field level of each array [mT] (recorded; the model has no field dependence).
    Tc_K
        Critical temperature [K] (fixed, as ``Tc`` in ``cda.py``).
    T_ref_K
        Where A is quoted [K].
    rel_error
        Relative standard error of each Rs point.
    gap_ratio
        Start value of Δ/k_BTc (bounded to the fit range 12/Tc … 22/Tc of Δ0).

    Returns
    -------
    RsTemperatureFit

    Valid for
        equal numbers of T, Rs arrays and field levels; each array 1-D finite with
        T > 0 (below 0.567 Δ), Rs > 0; ≥ 3 points per level; Tc_K > 0; f_Hz in Hz.
        Outside: ``DomainError`` naming the argument.
    """
    if not isinstance(T_K, (list, tuple)) or not isinstance(Rs_ohm, (list, tuple)):
        raise DomainError("arguments 'T_K' and 'Rs_ohm' must be lists of arrays, one per field")
    B = np.atleast_1d(np.asarray(Bp_mT, float))
    if not (len(T_K) == len(Rs_ohm) == B.size) or B.size == 0:
        raise DomainError(
            f"arguments 'T_K', 'Rs_ohm', 'Bp_mT' must have one entry per field level; got "
            f"{len(T_K)}, {len(Rs_ohm)}, {B.size}"
        )
    check("Tc_K", Tc_K, gt=0.0, valid="critical temperature in K")
    check("gap_ratio", gap_ratio, gt=12.0 / Tc_K, lt=22.0 / Tc_K, valid="start of Delta/kTc")
    ramps = []
    for i, (t, r) in enumerate(zip(T_K, Rs_ohm)):
        t, r = np.asarray(t, float), np.asarray(r, float)
        if t.ndim != 1 or t.shape != r.shape or t.size < 3:
            raise DomainError(
                f"arguments 'T_K[{i}]', 'Rs_ohm[{i}]' must be 1-D of equal length >= 3; got "
                f"{t.shape}, {r.shape}"
            )
        ramps.append(
            Ramp("Rs(T)", float(f_Hz), f"{B[i]:g} mT", "", "", 0, i, np.full(t.size, B[i]), r, t)
        )
    model = BCS(T_ref_K=float(T_ref_K)) + Residual()
    res = fit_cavity(
        ramps,
        model=model,
        vary={"Delta0_K": True},
        start={"Delta0_K": gap_ratio * Tc_K},
        T_ref_K=T_ref_K,
        rel_error=rel_error,
    )
    return RsTemperatureFit(
        Bp_mT=B,
        gap_ratio=res.params["Delta0_K"] / Tc_K,
        gap_ratio_stderr=res.stderr["Delta0_K"] / Tc_K,
        A_nOhm=res.params["Rs0_nOhm"],
        A_stderr=res.stderr["Rs0_nOhm"],
        R_res_nOhm=res.params["R_res_nOhm"],
        R_res_stderr=res.stderr["R_res_nOhm"],
        fit=res,
    )
