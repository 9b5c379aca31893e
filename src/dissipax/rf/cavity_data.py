"""Loader of measured cavity surface resistance Rs(B_p): the TRIUMF half-wave-resonator format.

The file ``triumf_nb_hwr_rs_vs_bp/sf_data.csv`` (public repository RRGregory/Cooldown-Data-
Analysis) holds blocks, each headed by one line naming the original measurement file, e.g.
``.../2021_05_26_08h21_QoData_HWR_389MHz_cooldown_2K_ZFC_pruned.txt``, followed by rows

    Bp [mT], Rs [Ω], T [K]

(peak surface magnetic field, surface resistance from G/Q0, bath temperature).  A block
can hold several field ramps (B_p restarts at a lower value), and blocks (or single ramps)
can repeat.
:func:`load_rs_vs_bp` returns one :class:`Ramp` per ramp, with the frequency, date and
cool-down condition parsed from the header; :func:`pad_ramps` stacks ramps of different
lengths for one batched fit.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np

from .._checks import DomainError
from ..io import parse_number, read_utf8
from . import _validate as _v

__all__ = ["Ramp", "load_rs_vs_bp", "pad_ramps"]

_FREQ = re.compile(r"_(\d+(?:\.\d+)?)MHz")
_DATE = re.compile(r"(\d{4})_(\d{2})_(\d{2})_(\d{2})h(\d{2})")
_COND = re.compile(r"cooldown_?(.*?)(?:_pruned)?\.txt$")
_CAVITY = re.compile(r"_(HWR|QWR)_")


@dataclasses.dataclass(frozen=True)
class Ramp:
    """One field ramp of a cavity test.

    Attributes
    ----------
    source
        The block header: the original measurement file name (path as written).
    f_Hz
        Mode frequency [Hz] parsed from the header (``389MHz`` → 3.89e8).
    condition
        Cool-down condition parsed from the header (``"2K_ZFC"``, ``"10uTVert"``, ...;
        ``""`` when absent).
    date
        Measurement date and time ``"YYYY-MM-DD HH:MM"`` from the header (``""`` if absent).
    cavity
        Cavity type from the header (``"HWR"``, ``"QWR"`` or ``""``).
    block
        Index of the block in the file (0-based, counting repeated blocks).
    ramp
        Index of the ramp within its block (0-based).
    Bp_mT, Rs_ohm, T_K
        Peak surface field [mT], surface resistance [Ω] and bath temperature [K], shape (n,).
    """

    source: str
    f_Hz: float
    condition: str
    date: str
    cavity: str
    block: int
    ramp: int
    Bp_mT: np.ndarray
    Rs_ohm: np.ndarray
    T_K: np.ndarray

    @property
    def label(self) -> str:
        """Short label, e.g. ``"389 MHz 2K_ZFC #0.1"`` (block.ramp)."""
        return f"{self.f_Hz / 1e6:.0f} MHz {self.condition} #{self.block}.{self.ramp}"

    @property
    def T0_K(self) -> float:
        """Mean bath temperature of the ramp [K]."""
        return float(np.mean(self.T_K))

    def __len__(self) -> int:
        return int(self.Bp_mT.size)


def _parse_header(line: str, path: Path, lineno: int) -> dict:
    name = line.strip().replace("\\", "/").rsplit("/", 1)[-1]
    m = _FREQ.search(name)
    if m is None:
        raise DomainError(
            f"{path}:{lineno}: block header {line.strip()!r} names no frequency "
            "(expected e.g. '_389MHz_')"
        )
    date = ""
    d = _DATE.search(name)
    if d is not None:
        y, mo, da, hh, mi = d.groups()
        date = f"{y}-{mo}-{da} {hh}:{mi}"
    c = _COND.search(name)
    k = _CAVITY.search(name)
    return {
        "source": line.strip(),
        "f_Hz": float(m.group(1)) * 1e6,
        "condition": c.group(1) if c is not None else "",
        "date": date,
        "cavity": k.group(1) if k is not None else "",
    }


_COLUMNS = ("Bp [mT]", "Rs [Ω]", "T [K]")
#: recognised column names (case-insensitive) and units (factor to mT, Ω, K) of an optional
#: column-header line ``Bp [mT], Rs [nOhm], T [K]``
_NAMES = (
    {"bp", "b_p", "bpk", "b_pk", "b", "field"},
    {"rs", "r_s", "r", "surface resistance"},
    {"t", "t_bath", "temperature"},
)
_UNITS = (
    {"mt": 1.0, "t": 1e3, "g": 0.1, "gauss": 0.1},
    {
        "ohm": 1.0,
        "ω": 1.0,
        "mohm": 1e-3,
        "mω": 1e-3,
        "uohm": 1e-6,
        "µohm": 1e-6,
        "μohm": 1e-6,
        "µω": 1e-6,
        "μω": 1e-6,
        "nohm": 1e-9,
        "nω": 1e-9,
    },
    {"k": 1.0, "mk": 1e-3},
)
_HEADER_CELL = re.compile(r"^\s*(.*?)\s*(?:[\[(]\s*([^\])]*?)\s*[\])])?\s*$")
#: smallest accepted value per column (B_p >= 0; Rs, T > 0)
_STRICT = (False, True, True)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _column_header(fields: list[str], path: Path, lineno: int) -> tuple[float, ...] | None:
    """Return the unit factors of a column-header line (``None`` if the line is not one)."""
    if _number(fields[0]) or fields[0].strip().lower() in ("", "nan", "inf"):
        return None
    first = _HEADER_CELL.match(fields[0])
    if first is None or first.group(1).lower() not in _NAMES[0]:
        return None
    if len(fields) != 3:
        raise DomainError(
            f"{path}:{lineno}: column header with {len(fields)} cells; expected 3 "
            f"({', '.join(_COLUMNS)})"
        )
    out = []
    for j, cell in enumerate(fields):
        m = _HEADER_CELL.match(cell)
        name, unit = m.group(1), m.group(2)
        where = f"{path}:{lineno}: column {j + 1} '{cell.strip()}'"
        if name.lower() not in _NAMES[j]:
            raise DomainError(
                f"{where}: expected the {_COLUMNS[j].split()[0]} column here "
                f"(columns are {', '.join(_COLUMNS)})"
            )
        if unit is None:
            out.append(1.0)
            continue
        factor = _UNITS[j].get(unit.replace(" ", "").lower())
        if factor is None:
            raise DomainError(
                f"{where}: unknown unit {unit!r} (known: {', '.join(sorted(_UNITS[j]))})"
            )
        out.append(factor)
    return tuple(out)


def _cell(text: str, j: int, path: Path, lineno: int) -> float:
    """One data cell as a float; an error names the file, line and column."""
    where = f"{path}:{lineno}: column {j + 1} '{_COLUMNS[j]}'"
    v = parse_number(text, where, DomainError)
    if v < 0 or (v == 0 and _STRICT[j]):
        need = "> 0" if _STRICT[j] else ">= 0"
        raise DomainError(f"{where}: {v:g} is not {need}")
    return v


def _split_ramps(rows: np.ndarray) -> list[np.ndarray]:
    """Split rows where B_p drops (a new ramp starts)."""
    if rows.shape[0] == 0:
        return []
    starts = np.flatnonzero(np.diff(rows[:, 0]) < 0) + 1
    return [r for r in np.split(rows, starts) if r.shape[0] > 0]


def load_rs_vs_bp(
    path: str | Path, *, drop_repeated: bool = True, min_points: int = 1
) -> list[Ramp]:
    """Read an Rs(B_p) file in the TRIUMF block format.

    Parameters
    ----------
    path
        The CSV file (e.g. ``.../triumf_nb_hwr_rs_vs_bp/sf_data.csv``).
    drop_repeated
        Skip a ramp whose header, B_p and T columns repeat an earlier ramp's (keep the
        first copy); ``block`` and ``ramp`` indices still count the skipped copies.  The
        TRIUMF file repeats blocks, some re-pruned; in the later copies of the 778 MHz and
        1167 MHz blocks Rs is ≈ 2× or ≈ 3× the first copy's (within 1 %) for identical
        B_p and T rows — an artefact of the original analysis, not new measurements.
    min_points
        Drop ramps with fewer points (a ramp needs ≥ 3 points for a 3-parameter fit).

    Returns
    -------
    list of Ramp
        In file order.

    Raises
    ------
    DomainError
        If the file is missing, a data row is not three finite numbers, a row comes before
        any header, or a header names no frequency; the message gives file and line.

    Valid for
        a ``str`` or ``os.PathLike`` path to a UTF-8 file in the TRIUMF block format;
        ``drop_repeated`` a bool; ``min_points`` an integer >= 1.  Other argument types:
        ``DomainError`` naming the argument; file problems: ``DomainError`` with file:line.
    """
    if not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise DomainError(f"argument 'path' must be a str or a Path; got {type(path).__name__}")
    drop_repeated = _v.flag("drop_repeated", drop_repeated)
    min_points = _v.nodes("min_points", min_points, minimum=1)
    p = Path(path)
    if not p.is_file():
        raise DomainError(f"{p}: no such file (expected the Rs(Bp) CSV)")
    # UTF-8 only (a BOM is fine); UTF-16 / Latin-1 are named with line and column
    text = read_utf8(p, DomainError)
    if "\x00" in text:
        i = text.index("\x00")
        line = text[:i].count("\n") + 1
        col = text[:i].rsplit("\n", 1)[-1].count(",") + 1
        raise DomainError(f"{p}:{line}: NUL character in column {col} (binary data, not CSV text)")
    blocks: list[tuple[dict, list[list[float]]]] = []
    factors = (1.0, 1.0, 1.0)  # units of the columns (a column-header line may change them)
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(",")
        if len(fields) == 1 or line.startswith("/"):
            blocks.append((_parse_header(line, p, lineno), []))
            continue
        header = _column_header(fields, p, lineno)
        if header is not None:
            factors = header
            continue
        if not blocks:
            raise DomainError(f"{p}:{lineno}: data row before any block header")
        if len(fields) != 3:
            raise DomainError(
                f"{p}:{lineno}: {len(fields)} cells; expected 'Bp, Rs, T' numbers "
                f"({', '.join(_COLUMNS)}) or a header line naming the source file; "
                f"got {line!r}"
            )
        blocks[-1][1].append(
            [_cell(c, j, p, lineno) * f for j, (c, f) in enumerate(zip(fields, factors))]
        )
    if not blocks:
        raise DomainError(
            f"{p}: no block header (a line naming the measurement file, e.g. "
            "'.../2021_05_26_08h21_QoData_HWR_389MHz_cooldown_2K_ZFC.txt') and no data"
        )
    ramps: list[Ramp] = []
    seen: set = set()
    for ib, (meta, rows) in enumerate(blocks):
        arr = np.asarray(rows, dtype=np.float64).reshape(-1, 3)
        for ir, r in enumerate(_split_ramps(arr)):
            key = (meta["source"], r[:, 0].tobytes(), r[:, 2].tobytes())
            if r.shape[0] < min_points or (drop_repeated and key in seen):
                continue
            seen.add(key)
            ramps.append(
                Ramp(
                    **meta,
                    block=ib,
                    ramp=ir,
                    Bp_mT=r[:, 0].copy(),
                    Rs_ohm=r[:, 1].copy(),
                    T_K=r[:, 2].copy(),
                )
            )
    return ramps


def check_ramps(ramps) -> None:
    """Check that ``ramps`` is a non-empty sequence of non-empty :class:`Ramp` s.

    Valid for
        any input; a wrong type, an empty sequence or an empty ramp raises ``DomainError``
        naming ``ramps`` (``ramps[i]`` for an element).
    """
    if not isinstance(ramps, (list, tuple)):
        raise DomainError(
            f"argument 'ramps' must be a list of Ramp (from load_rs_vs_bp); got "
            f"{type(ramps).__name__}"
        )
    if not ramps:
        raise DomainError("argument 'ramps' is empty: no ramps given")
    for i, r in enumerate(ramps):
        if not isinstance(r, Ramp):
            raise DomainError(f"argument 'ramps[{i}]' must be a Ramp; got {type(r).__name__}")
        if len(r) == 0:
            raise DomainError(f"argument 'ramps[{i}]' has no points")


def pad_ramps(ramps: list[Ramp]) -> dict[str, np.ndarray]:
    """Stack ramps of different lengths into (n_ramps, n_max) arrays for a batched fit.

    Short ramps are padded by repeating their last point with ``mask = False``; a fit gives
    padded points zero weight (infinite σ).

    Returns
    -------
    dict
        ``Bp_mT, Rs_ohm, T_K`` of shape (n_ramps, n_max), ``mask`` (bool, same shape),
        ``f_Hz`` of shape (n_ramps,).

    Valid for
        a non-empty list (or tuple) of :class:`Ramp` with at least one point each; else
        ``DomainError`` naming ``ramps`` (and the index of a bad element).
    """
    check_ramps(ramps)
    n_max = max(len(r) for r in ramps)
    out = {k: np.empty((len(ramps), n_max)) for k in ("Bp_mT", "Rs_ohm", "T_K")}
    mask = np.zeros((len(ramps), n_max), dtype=bool)
    for i, r in enumerate(ramps):
        n = len(r)
        for k in ("Bp_mT", "Rs_ohm", "T_K"):
            v = getattr(r, k)
            out[k][i, :n] = v
            out[k][i, n:] = v[-1]
        mask[i, :n] = True
    out["mask"] = mask
    out["f_Hz"] = np.array([r.f_Hz for r in ramps])
    return out
