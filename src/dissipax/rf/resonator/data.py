"""Loaders of measured resonator data: raw S21 traces and per-temperature fit tables.

* :func:`load_s21_csv` — raw three-column S21 files, no header: frequency [Hz], |S21| [dB]
  (20 log10), phase [degrees]; one file per temperature with the temperature in the file
  name (``..._30.0mK.csv``, ``..._1.2K.csv``), as in the scresonators sample data
  (Boulder-Cryogenic-Quantum-Testbed/scresonators, MIT licence).
* :func:`load_resonator_table` — a table of per-temperature resonator fit results with a
  header row (columns ``fr``, ``Qi``, optionally ``Qc``, ``*_stderr``, and a temperature
  column whose unit is in its name, e.g. ``temperature (mK)``), as in
  levkrayzman/MattisBardeenFit's ``fitresults_temp.csv``.

Malformed files raise :class:`~dissipax._checks.DomainError` naming the file, the line and
the column (as :func:`dissipax.rf.load_rs_vs_bp` does): missing columns, non-numeric or
non-finite cells, wrong cell counts, frequencies in GHz, non-positive Q, duplicated
temperatures, traces of different lengths.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

import numpy as np

from ..._checks import DomainError
from ...io import parse_number, read_utf8
from .s21_fit import F_MIN_HZ, s21_from_db_deg

__all__ = ["ResonatorTable", "S21Sweep", "load_resonator_table", "load_s21_csv"]

_S21_COLUMNS = ("frequency [Hz]", "|S21| [dB]", "phase [deg]")
#: temperature in a file name: ``_30.0mK``, ``-1.2K``, ``_300mK.csv``
_T_IN_NAME = re.compile(r"(?<![A-Za-z0-9.])[-_ ]?(\d+(?:\.\d+)?)\s*(mK|K)(?=[^A-Za-z]|$)")
_T_UNITS = {"mk": 1e-3, "k": 1.0}


def _check_path(path, what: str) -> Path:
    if not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise DomainError(f"argument 'path' must be a str or a Path; got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise DomainError(f"{p}: no such file or directory (expected {what})")
    return p


def _text(p: Path) -> str:
    text = read_utf8(p, DomainError)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DomainError(f"{p}:{line}: NUL character (binary data, not CSV text)")
    return text


def _number(cell: str, where: str) -> float:
    return parse_number(cell, where, DomainError)


def temperature_from_name(name: str) -> float | None:
    """Temperature [K] written in a file name (``..._30.0mK.csv`` -> 0.03), or ``None``.

    Valid for
        names holding one number followed by ``mK`` or ``K`` (the last such one is used).
    """
    stem = name[:-4] if name.lower().endswith(".csv") else name
    hits = _T_IN_NAME.findall(stem)
    if not hits:
        return None
    value, unit = hits[-1]
    return float(value) * _T_UNITS[unit.lower()]


@dataclasses.dataclass(frozen=True, eq=False)
class S21Sweep:
    """S21 traces at several temperatures (sorted by temperature).

    Attributes
    ----------
    T_K
        Temperatures [K], shape (n,) (NaN for a single file without one in its name).
    f_Hz
        Frequencies [Hz], shape (n, n_f).
    s21
        Complex linear S21, shape (n, n_f).
    files
        The source files, in the order of ``T_K``.
    """

    T_K: np.ndarray
    f_Hz: np.ndarray
    s21: np.ndarray
    files: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.T_K.shape[0])


def _read_s21_file(p: Path) -> tuple[np.ndarray, np.ndarray]:
    rows = []
    header_seen = False
    for lineno, raw in enumerate(_text(p).splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = line.split(",")
        if not rows and not header_seen:
            try:
                float(cells[0])
            except ValueError:
                if cells[0].strip().lower() not in ("nan", "inf", "-inf", ""):
                    header_seen = True  # one header line of column names is allowed
                    continue
        if len(cells) != 3:
            raise DomainError(
                f"{p}:{lineno}: {len(cells)} cell(s); expected 3 columns "
                f"({', '.join(_S21_COLUMNS)}); got {line!r}"
            )
        rows.append(
            [
                _number(c, f"{p}:{lineno}: column {j + 1} '{_S21_COLUMNS[j]}'")
                for j, c in enumerate(cells)
            ]
        )
    if not rows:
        raise DomainError(f"{p}: no data rows (expected {', '.join(_S21_COLUMNS)})")
    data = np.asarray(rows, float)
    f = data[:, 0]
    if np.max(f) < F_MIN_HZ or np.any(f <= 0):
        raise DomainError(
            f"{p}: column 1 '{_S21_COLUMNS[0]}' must hold positive frequencies in Hz "
            f"(>= {F_MIN_HZ:g}); got values up to {np.max(f):g} (GHz or MHz?)"
        )
    d = np.diff(f)
    if not (np.all(d > 0) or np.all(d < 0)):
        j = int(np.flatnonzero(d <= 0)[0]) if np.any(d > 0) else int(np.flatnonzero(d >= 0)[0])
        raise DomainError(
            f"{p}: column 1 '{_S21_COLUMNS[0]}' must be strictly monotonic; the frequency "
            f"repeats or turns back at data row {j + 2}"
        )
    return f, s21_from_db_deg(data[:, 1], data[:, 2])


def load_s21_csv(path_or_dir) -> S21Sweep:
    """Read raw S21 CSV files (frequency [Hz], |S21| [dB], phase [deg]; no header needed).

    Parameters
    ----------
    path_or_dir
        One CSV file, or a directory whose ``*.csv`` files are one trace each with the
        temperature in the file name (``..._30.0mK.csv``).

    Returns
    -------
    S21Sweep
        Traces sorted by temperature.

    Raises
    ------
    DomainError
        Missing path, no CSV in a directory, a row without exactly three numbers (file and
        line named), non-finite cells, frequencies not in Hz or not monotonic, a directory
        file without a temperature in its name, two files at the same temperature, traces
        of different lengths.

    Valid for
        UTF-8 comma-separated files; an optional first line of column names and ``#``
        comment lines are skipped.
    """
    p = _check_path(path_or_dir, "an S21 CSV file or a directory of them")
    files = sorted(p.glob("*.csv")) if p.is_dir() else [p]
    if not files:
        raise DomainError(f"{p}: no *.csv files in this directory")
    T, fs, ss = [], [], []
    seen: dict[float, Path] = {}
    for fp in files:
        t = temperature_from_name(fp.name)
        if t is None and p.is_dir():
            raise DomainError(
                f"{fp}: no temperature in the file name (expected e.g. '..._30.0mK.csv'); "
                "each file of a directory must name its temperature"
            )
        if t is not None:
            if t in seen:
                raise DomainError(
                    f"{fp}: duplicated temperature {t * 1e3:g} mK (also in {seen[t].name})"
                )
            seen[t] = fp
        f, s = _read_s21_file(fp)
        T.append(np.nan if t is None else t)
        fs.append(f)
        ss.append(s)
    lengths = {len(f) for f in fs}
    if len(lengths) > 1:
        detail = ", ".join(f"{fp.name}: {len(f)}" for fp, f in zip(files, fs))
        raise DomainError(
            f"{p}: traces of different lengths ({detail}); a batched fit needs equal lengths"
        )
    order = np.argsort(np.asarray(T), kind="stable")
    return S21Sweep(
        T_K=np.asarray(T)[order],
        f_Hz=np.stack(fs)[order],
        s21=np.stack(ss)[order],
        files=tuple(str(files[i]) for i in order),
    )


@dataclasses.dataclass(frozen=True, eq=False)
class ResonatorTable:
    """Per-temperature resonator parameters (sorted by temperature).

    Attributes
    ----------
    T_K
        Temperatures [K], shape (n,).
    fr_Hz, fr_err
        Resonance frequency [Hz] and its stderr (``None`` without a ``fr_stderr`` column).
    Qi, Qi_err
        Internal quality factor and its stderr (``None`` if absent).
    Qc, Qc_err
        Coupling quality factor and its stderr (``None`` if absent).
    columns
        Every numeric column of the file, ``name -> (n,)`` (sorted like ``T_K``).
    source
        The file.
    """

    T_K: np.ndarray
    fr_Hz: np.ndarray
    fr_err: np.ndarray | None
    Qi: np.ndarray
    Qi_err: np.ndarray | None
    Qc: np.ndarray | None
    Qc_err: np.ndarray | None
    columns: dict
    source: str

    def __len__(self) -> int:
        return int(self.T_K.shape[0])


_T_COLUMN = re.compile(r"^\s*(?:temperature|temp|t)\s*[\[(_ ]\s*(mk|k)\s*[\])]?\s*$", re.I)


def load_resonator_table(path) -> ResonatorTable:
    """Read a per-temperature table of resonator fits (fr, Qi, ..., temperature).

    Parameters
    ----------
    path
        CSV file with a header row.  Required columns: ``fr`` [Hz], ``Qi`` and a
        temperature column with its unit, ``temperature (mK)`` / ``temperature (K)`` /
        ``T [mK]``; optional ``fr_stderr``, ``Qi_stderr``, ``Qc``, ``Qc_stderr`` and any
        other numeric columns (kept in ``columns``; an unnamed index column is ignored).

    Returns
    -------
    ResonatorTable
        Sorted by temperature, in K.

    Raises
    ------
    DomainError
        Missing file or column, a row with the wrong number of cells, a non-numeric or
        non-finite cell in a used column, fr not in Hz, Qi, Qc or stderr <= 0 (a negative
        Q is named), duplicated temperatures; always with file, line and column.

    Valid for
        UTF-8 comma-separated tables (pandas ``to_csv`` output included).
    """
    p = _check_path(path, "a CSV table of resonator fits")
    if p.is_dir():
        raise DomainError(f"{p}: is a directory; expected the CSV table file")
    reader = csv.reader(_text(p).splitlines())
    try:
        rows = [(reader.line_num, r) for r in reader if r and any(c.strip() for c in r)]
    except csv.Error as exc:
        raise DomainError(f"{p}:{reader.line_num}: malformed CSV line: {exc}") from None
    if not rows:
        raise DomainError(f"{p}: empty file (expected a header with fr, Qi, temperature (mK))")
    header_line, header = rows[0]
    names = [c.strip() for c in header]
    t_col, t_unit = None, None
    for j, n in enumerate(names):
        m = _T_COLUMN.match(n)
        if m:
            if t_col is not None:
                raise DomainError(
                    f"{p}:{header_line}: two temperature columns ('{names[t_col]}' and '{n}')"
                )
            t_col, t_unit = j, _T_UNITS[m.group(1).lower()]
    missing = [k for k in ("fr", "Qi") if k not in names]
    if t_col is None:
        missing.append("temperature (mK) or temperature (K)")
    if missing:
        raise DomainError(
            f"{p}:{header_line}: missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"found {', '.join(repr(n) for n in names)}"
        )
    dup = sorted({n for n in names if n and names.count(n) > 1})
    if dup:
        raise DomainError(f"{p}:{header_line}: duplicated column name(s) {', '.join(dup)}")
    used = {"fr", "Qi", "fr_stderr", "Qi_stderr", "Qc", "Qc_stderr", names[t_col]}
    data = rows[1:]
    if not data:
        raise DomainError(f"{p}: no data rows after the header on line {header_line}")
    cols: dict[str, list[float]] = {n: [] for n in names if n}
    numeric = {n: True for n in cols}
    lines = []
    for lineno, r in data:
        if len(r) != len(names):
            raise DomainError(
                f"{p}:{lineno}: {len(r)} cells, but the header on line {header_line} has "
                f"{len(names)} columns"
            )
        lines.append(lineno)
        for j, (n, c) in enumerate(zip(names, r)):
            if not n:
                continue
            where = f"{p}:{lineno}: column {j + 1} '{n}'"
            if n in used:
                cols[n].append(_number(c, where))
            else:
                try:
                    cols[n].append(float(c))
                except ValueError:
                    numeric[n] = False
    arrays = {n: np.asarray(v, float) for n, v in cols.items() if numeric[n]}
    lines = np.asarray(lines)
    T = arrays[names[t_col]] * t_unit
    for n, what in (
        ("fr", "resonance frequencies in Hz must be >= 1e3 (GHz given?)"),
        ("Qi", "quality factors must be > 0"),
        ("Qc", "quality factors must be > 0"),
        ("fr_stderr", "stderr must be > 0"),
        ("Qi_stderr", "stderr must be > 0"),
        ("Qc_stderr", "stderr must be > 0"),
    ):
        if n not in arrays:
            continue
        v = arrays[n]
        bad = v < F_MIN_HZ if n == "fr" else v <= 0
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise DomainError(
                f"{p}:{lines[k]}: column {names.index(n) + 1} '{n}': {what}; got {v[k]:g}"
                + (" (a negative Q)" if n.startswith("Q") and v[k] < 0 else "")
            )
    if np.any(T <= 0):
        k = int(np.flatnonzero(T <= 0)[0])
        raise DomainError(
            f"{p}:{lines[k]}: column {t_col + 1} '{names[t_col]}': temperatures must be > 0; "
            f"got {T[k]:g}"
        )
    u, counts = np.unique(T, return_counts=True)
    if np.any(counts > 1):
        t = u[counts > 1][0]
        at = ", ".join(str(x) for x in lines[T == t])
        raise DomainError(
            f"{p}: column {t_col + 1} '{names[t_col]}': duplicated temperature "
            f"{t / t_unit:g} on lines {at}"
        )
    order = np.argsort(T)
    arrays = {k: v[order] for k, v in arrays.items()}

    def opt(n):
        return arrays.get(n)

    return ResonatorTable(
        T_K=T[order],
        fr_Hz=arrays["fr"],
        fr_err=opt("fr_stderr"),
        Qi=arrays["Qi"],
        Qi_err=opt("Qi_stderr"),
        Qc=opt("Qc"),
        Qc_err=opt("Qc_stderr"),
        columns=arrays,
        source=str(p),
    )
