"""Cavity quantities: Q0(E_acc) ↔ Rs(B_p) through the geometry factor and the field ratios.

For a cavity of geometry factor G = ω μ0 ∫|H|²dV / ∫|H|²dS [Ω] and a uniform surface
resistance, Q0 = G/Rs (Padamsee, Knobloch & Hays, *RF Superconductivity for
Accelerators*, 2nd ed. (2008), Eq. (2.13)); the peak surface fields scale with the
accelerating gradient, B_p = (B_p/E_acc)·E_acc and E_p = (E_p/E_acc)·E_acc (their
Sec. 2.3; B_p/E_acc in mT/(MV/m), e.g. 4.26 for the TESLA cell).  Units of the front
ends: MV/m, mT, Ω (nΩ in names that say so), K, Hz.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .._checks import DomainError, check
from ..io import read_utf8
from . import _validate as _v
from .cavity_data import Ramp

__all__ = [
    "CavityGeometry",
    "bp_from_eacc",
    "eacc_from_bp",
    "load_q0_vs_eacc",
    "q0_from_rs",
    "ramp_from_q0",
    "rs_from_q0",
]

_EACC_MAX = 100.0  # MV/m: above this a gradient is taken for V/m


@dataclasses.dataclass(frozen=True)
class CavityGeometry:
    """Geometry of a cavity mode: G, B_p/E_acc, E_p/E_acc and its frequency.

    Attributes
    ----------
    G_ohm
        Geometry factor G [Ω] (Q0 = G/Rs).
    Bp_per_Eacc
        Peak surface magnetic field per gradient [mT/(MV/m)].
    f_Hz
        Mode frequency [Hz].
    Ep_per_Eacc
        Peak surface electric field per gradient (dimensionless), or ``None``.
    name
        Label.
    """

    G_ohm: float
    Bp_per_Eacc: float
    f_Hz: float
    Ep_per_Eacc: float | None = None
    name: str = "cavity"

    def __post_init__(self):
        check("CavityGeometry.G_ohm", self.G_ohm, gt=0.0, valid="geometry factor in ohm")
        check(
            "CavityGeometry.Bp_per_Eacc",
            self.Bp_per_Eacc,
            gt=0.0,
            lt=100.0,
            valid="peak field per gradient in mT/(MV/m) (about 4 to 10)",
        )
        check("CavityGeometry.f_Hz", self.f_Hz, ge=_v.F_MIN_HZ, le=1e11, valid=_v.F_HZ_UNITS)
        if self.Ep_per_Eacc is not None:
            check("CavityGeometry.Ep_per_Eacc", self.Ep_per_Eacc, gt=0.0, valid="E_p/E_acc")


def _geometry(geometry) -> CavityGeometry:
    if not isinstance(geometry, CavityGeometry):
        raise DomainError(
            "argument 'geometry' must be a CavityGeometry(G_ohm=..., Bp_per_Eacc=..., f_Hz=...) "
            f"(the geometry factor G is needed to turn Q0 into Rs); got {type(geometry).__name__}"
        )
    return geometry


def rs_from_q0(Q0, G_ohm):
    """Surface resistance Rs = G/Q0 [Ω] (Padamsee et al. 2008, Eq. (2.13)).

    Valid for
        finite Q0 > 0 and G_ohm > 0 [Ω], broadcasting; else ``DomainError`` naming it.
    """
    check("Q0", Q0, gt=0.0, valid="intrinsic quality factor (> 0)")
    check("G_ohm", G_ohm, gt=0.0, valid="geometry factor in ohm")
    return np.asarray(G_ohm, float) / np.asarray(Q0, float)


def q0_from_rs(Rs_ohm, G_ohm):
    """Quality factor Q0 = G/Rs (Padamsee et al. 2008, Eq. (2.13)).

    Valid for
        finite Rs_ohm > 0 [Ω] and G_ohm > 0 [Ω], broadcasting; else ``DomainError``.
    """
    check("Rs_ohm", Rs_ohm, gt=0.0, valid="surface resistance in ohm")
    check("G_ohm", G_ohm, gt=0.0, valid="geometry factor in ohm")
    return np.asarray(G_ohm, float) / np.asarray(Rs_ohm, float)


def _check_eacc(Eacc_MV_m, name="Eacc_MV_m"):
    check(name, Eacc_MV_m, ge=0.0, valid="accelerating gradient in MV/m")
    top = float(np.max(Eacc_MV_m)) if np.size(Eacc_MV_m) else 0.0
    if top > _EACC_MAX:
        raise DomainError(
            f"argument '{name}' must be in MV/m; got max {top:g}, which looks like V/m "
            "(divide by 1e6)"
        )


def bp_from_eacc(Eacc_MV_m, geometry: CavityGeometry):
    """Peak surface field B_p = (B_p/E_acc)·E_acc [mT] of gradients ``Eacc_MV_m`` [MV/m].

    Valid for
        finite 0 ≤ Eacc_MV_m ≤ 100 MV/m (larger values are taken for V/m: ``DomainError``)
        and a :class:`CavityGeometry`.
    """
    _check_eacc(Eacc_MV_m)
    return _geometry(geometry).Bp_per_Eacc * np.asarray(Eacc_MV_m, float)


def eacc_from_bp(Bp_mT, geometry: CavityGeometry):
    """Gradient E_acc = B_p/(B_p/E_acc) [MV/m] of peak fields ``Bp_mT`` [mT].

    Valid for
        finite Bp_mT ≥ 0 [mT] and a :class:`CavityGeometry`.
    """
    check("Bp_mT", Bp_mT, ge=0.0, valid="peak surface field in mT")
    return np.asarray(Bp_mT, float) / _geometry(geometry).Bp_per_Eacc


def ramp_from_q0(Eacc_MV_m, Q0, T_K, geometry: CavityGeometry, *, label: str = "") -> Ramp:
    """Build a :class:`~dissipax.rf.cavity_data.Ramp` (B_p, Rs, T) from measured Q0(E_acc).

    Parameters
    ----------
    Eacc_MV_m, Q0, T_K
        Gradient [MV/m], intrinsic Q0, bath temperature [K] (scalar or per point).
    geometry
        The mode's :class:`CavityGeometry` (G, B_p/E_acc, f).
    label
        Stored as the ramp's ``source`` and ``condition``.

    Valid for
        1-D finite arrays of equal length (T_K may be a scalar) with 0 ≤ E_acc ≤ 100 MV/m,
        Q0 > 0, T_K > 0; NaN rows raise ``DomainError`` naming the argument and row.
    """
    geometry = _geometry(geometry)
    E = np.atleast_1d(np.asarray(Eacc_MV_m, float))
    q = np.atleast_1d(np.asarray(Q0, float))
    T = np.broadcast_to(np.asarray(T_K, float), E.shape).copy()
    for name, v in (("Eacc_MV_m", E), ("Q0", q), ("T_K", T)):
        bad = ~np.isfinite(v)
        if bad.any():
            raise DomainError(
                f"argument '{name}' has non-finite values at rows {np.flatnonzero(bad).tolist()} "
                "(drop NaN rows first)"
            )
    if E.shape != q.shape or E.ndim != 1:
        raise DomainError(
            f"arguments 'Eacc_MV_m' and 'Q0' must be 1-D of equal length; got {E.shape}, {q.shape}"
        )
    check("T_K", T, gt=0.0, valid="bath temperature in K")
    return Ramp(
        source=label or geometry.name,
        f_Hz=float(geometry.f_Hz),
        condition=label,
        date="",
        cavity=geometry.name,
        block=0,
        ramp=0,
        Bp_mT=bp_from_eacc(E, geometry),
        Rs_ohm=rs_from_q0(q, geometry.G_ohm),
        T_K=T,
    )


def load_q0_vs_eacc(path, geometry: CavityGeometry, *, T_K: float | None = None) -> list[Ramp]:
    """Read a Q0 versus E_acc table (CSV) into ramps of Rs(B_p).

    The file: optional ``#`` comments, an optional header line, then rows
    ``Eacc [MV/m], Q0`` or ``Eacc [MV/m], Q0, T [K]``; a new ramp starts where E_acc drops.

    Parameters
    ----------
    path
        The CSV file.
    geometry
        The mode's :class:`CavityGeometry` (G is required: Rs = G/Q0).
    T_K
        Bath temperature [K] when the file has no T column.

    Returns
    -------
    list of Ramp

    Valid for
        a UTF-8 file of finite numbers (E_acc in MV/m ≤ 100, Q0 > 0, T > 0); a NaN or
        non-numeric cell, Q0 ≤ 0, gradients in V/m or a missing T raise ``DomainError``
        with file and line.
    """
    geometry = _geometry(geometry)
    p = Path(path)
    if not p.is_file():
        raise DomainError(f"{p}: no such file (expected a Q0 vs Eacc CSV)")
    rows, lines = [], []
    for lineno, raw in enumerate(read_utf8(p, DomainError).splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        try:
            vals = [float(c) for c in cells]
        except ValueError:
            if not rows:
                continue  # a header line
            raise DomainError(f"{p}:{lineno}: not a row of numbers: {line!r}") from None
        if len(vals) not in (2, 3):
            raise DomainError(f"{p}:{lineno}: expected 'Eacc, Q0[, T]'; got {len(vals)} cells")
        if not np.all(np.isfinite(vals)):
            raise DomainError(f"{p}:{lineno}: non-finite value in {line!r} (NaN row)")
        if vals[1] <= 0:
            raise DomainError(f"{p}:{lineno}: Q0 must be > 0; got {vals[1]:g}")
        if vals[0] > _EACC_MAX:
            raise DomainError(
                f"{p}:{lineno}: Eacc = {vals[0]:g} looks like V/m; the column must be MV/m"
            )
        if len(vals) == 2:
            if T_K is None:
                raise DomainError(f"{p}:{lineno}: no T column: pass T_K=<bath temperature in K>")
            vals.append(float(T_K))
        rows.append(vals)
        lines.append(lineno)
    if not rows:
        raise DomainError(f"{p}: no data rows")
    arr = np.asarray(rows)
    starts = np.flatnonzero(np.diff(arr[:, 0]) < 0) + 1
    out = []
    for j, part in enumerate(np.split(arr, starts)):
        r = ramp_from_q0(part[:, 0], part[:, 1], part[:, 2], geometry, label=p.name)
        out.append(dataclasses.replace(r, ramp=j))
    return out
