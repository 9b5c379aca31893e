"""Field sweeps R(T, H): the container and the long-format CSV loader.

A field sweep is a set of ρ(T) curves, one per magnetic field.  On disk it is a
*long-format* CSV, one measurement per row::

    # any number of comment lines (a synthetic file says so here)
    field [Oe],temperature [K],resistance [Ohm],sigma [Ohm]
    50,0.03,2885.1,14.4
    ...

Columns are recognised by name (case-insensitive; ``field``/``H``/``B``,
``temperature``/``T``, ``resistance``/``R``/``rho``/``R_xx``/``rho_xx``, and optionally
``sigma``/``err``/``error``/``dR``: the one-standard-deviation uncertainty of the
resistance).  Every column states its unit, either in the header cell (``field [Oe]``,
``T (mK)``, ``R_kOhm``) or in a comment line ``# units: field=Oe, temperature=K,
resistance=Ohm``.  Units are converted to Oe, K and Ω (per square).

Bad input is rejected with a :class:`DataError` that names the file, the line and the
column: missing columns, unknown units, wrong cell counts, non-numeric cells, NaN cells
(every offending line listed), non-positive temperatures, resistances or uncertainties.
Fields with too few points to fit three parameters are skipped with a warning that names
them.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..fit._problem import pack_ragged
from ..io import read_utf8


class DataError(ValueError):
    """A data file or table that cannot be used, with the file, line and column at fault."""


class SkippedFieldsWarning(UserWarning):
    """Fields dropped from a sweep because they have too few temperature points."""


# --- units --------------------------------------------------------------------------------
FIELD_UNITS = {"oe": 1.0, "g": 1.0, "gauss": 1.0, "koe": 1e3, "mt": 10.0, "t": 1e4, "tesla": 1e4}
TEMPERATURE_UNITS = {"k": 1.0, "mk": 1e-3}
RESISTANCE_UNITS = {
    "ohm": 1.0,
    "ω": 1.0,
    "ohms": 1.0,
    "ohm/sq": 1.0,
    "ω/□": 1.0,
    "ω/sq": 1.0,
    "ohm/□": 1.0,
    "kohm": 1e3,
    "kω": 1e3,
    "kohm/sq": 1e3,
    "kω/□": 1e3,
    "kω/sq": 1e3,
}
_COLUMNS = {
    "field": (("field", "h", "b", "magnetic_field", "magnetic field"), FIELD_UNITS, "Oe"),
    "temperature": (("temperature", "t", "temp"), TEMPERATURE_UNITS, "K"),
    "resistance": (
        ("resistance", "r", "rho", "resistivity", "r_xx", "rho_xx", "rxx"),
        RESISTANCE_UNITS,
        "Ohm",
    ),
    "sigma": (
        ("sigma", "err", "error", "uncertainty", "dr", "r_err", "sigma_r", "std"),
        RESISTANCE_UNITS,
        "Ohm",
    ),
}
_REQUIRED = ("field", "temperature", "resistance")
# "MOhm" (megaohm) and "mOhm" (milliohm) differ only in case: these prefixes are resolved
# case-sensitively before the case-insensitive table above.
_CASE_SENSITIVE = {"MOhm": 1e6, "MΩ": 1e6, "mOhm": 1e-3, "mΩ": 1e-3}


def _unit_factor(kind: str, unit: str) -> float | None:
    table = _COLUMNS[kind][1]
    u = unit.strip()
    if table is RESISTANCE_UNITS:
        base = u.split("/")[0]
        if base in _CASE_SENSITIVE:
            return _CASE_SENSITIVE[base]
    return table.get(u.lower().replace(" ", ""))


def _split_header_cell(cell: str) -> tuple[str, str | None]:
    """``'field [Oe]'`` -> ``('field', 'Oe')``; ``'T_mK'`` -> ``('T', 'mK')``; no unit -> None."""
    c = cell.strip()
    m = re.fullmatch(r"(.+?)\s*[\[(]\s*(.+?)\s*[\])]", c)
    if m:
        return m.group(1).strip(), m.group(2)
    if "_" in c:
        name, _, unit = c.rpartition("_")
        for kind in _COLUMNS:
            if _unit_factor(kind, unit) is not None and name.lower() in _COLUMNS[kind][0]:
                return name, unit
    return c, None


def _kind_of(name: str) -> str | None:
    n = name.strip().lower()
    for kind, (aliases, _, _) in _COLUMNS.items():
        if n in aliases:
            return kind
    return None


# --- the container ------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class FieldSweep:
    """ρ(T) curves at several magnetic fields (ragged: each field has its own temperatures).

    Attributes
    ----------
    H
        Fields [Oe], shape ``(n_fields,)``, increasing.
    T
        Per field, temperatures [K] (1-D arrays, increasing).
    rho
        Per field, resistivity [Ω/□].
    sigma
        Per field, 1-σ uncertainty of ρ [Ω/□], or ``None`` when the data has none.
    source
        Where the data came from (a path, or a description for synthetic data).
    truth
        For synthetic data: the generating parameters (see :mod:`.synthetic`); else ``None``.
    """

    H: np.ndarray
    T: tuple[np.ndarray, ...]
    rho: tuple[np.ndarray, ...]
    sigma: tuple[np.ndarray, ...] | None = None
    source: str = ""
    truth: object | None = None

    def __post_init__(self):
        n = len(self.H)
        if (
            len(self.T) != n
            or len(self.rho) != n
            or (self.sigma is not None and len(self.sigma) != n)
        ):
            raise DataError("FieldSweep: H, T, rho (and sigma) must have one entry per field")
        for i in range(n):
            shapes = {np.shape(self.T[i]), np.shape(self.rho[i])}
            if self.sigma is not None:
                shapes.add(np.shape(self.sigma[i]))
            if len(shapes) != 1:
                raise DataError(
                    f"FieldSweep: field {self.H[i]:g} Oe has T, rho (and sigma) "
                    f"of different lengths {sorted(shapes)}"
                )

    @property
    def n_fields(self) -> int:
        """Number of fields."""
        return len(self.H)

    def __len__(self) -> int:
        return self.n_fields

    def __iter__(self) -> Iterator[tuple[float, np.ndarray, np.ndarray, np.ndarray | None]]:
        """Iterate over ``(H, T, rho, sigma)`` per field."""
        for i in range(self.n_fields):
            yield (
                float(self.H[i]),
                self.T[i],
                self.rho[i],
                None if self.sigma is None else self.sigma[i],
            )

    def padded(self) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
        """Rectangular ``(T, rho, sigma, mask)`` arrays of shape ``(n_fields, n_max)``.

        Short rows are padded by repeating their last point; ``mask`` is ``False`` there
        (:func:`dissipax.fit.pack_ragged`).  :func:`dissipax.saturation.fit` also takes the
        per-field lists directly (``fit(list(sweep.T), list(sweep.rho), ...)``).

        Valid for
            sweeps with at least one point per field (guaranteed by the constructors).
        """
        sig = None if self.sigma is None else list(self.sigma)
        return pack_ragged(list(self.T), list(self.rho), sig, names=("T", "rho", "sigma"))

    def to_long(self) -> dict[str, np.ndarray]:
        """Long-format columns ``field, temperature, resistance[, sigma]`` (Oe, K, Ω).

        Valid for
            any FieldSweep.
        """
        cols = {
            "field": np.concatenate([np.full(len(t), h) for h, t in zip(self.H, self.T)]),
            "temperature": np.concatenate(self.T),
            "resistance": np.concatenate(self.rho),
        }
        if self.sigma is not None:
            cols["sigma"] = np.concatenate(self.sigma)
        return cols

    def to_csv(self, path: str | Path, *, comments: tuple[str, ...] = ()) -> Path:
        """Write the long-format CSV read by :func:`load_csv` (units Oe, K, Ohm in the header).

        ``comments`` become ``#`` lines at the top (a synthetic table says so there).

        Valid for
            any FieldSweep; values written with 10 significant digits (round trip
            through load_csv to 1e-10 relative).
        """
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        cols = self.to_long()
        names = {
            "field": "field [Oe]",
            "temperature": "temperature [K]",
            "resistance": "resistance [Ohm]",
            "sigma": "sigma [Ohm]",
        }
        with p.open("w", encoding="utf-8", newline="") as f:
            for c in comments:
                f.write(f"# {c}\n")
            w = csv.writer(f, lineterminator="\n")
            w.writerow([names[k] for k in cols])
            for row in zip(*cols.values()):
                w.writerow([f"{v:.10g}" for v in row])
        return p


def sweep_from_arrays(
    H, T, rho, sigma=None, *, min_points: int = 4, source: str = "arrays", truth=None
) -> FieldSweep:
    """Group long-format arrays (field, temperature, resistance[, sigma]) into a sweep.

    Rows are grouped by exact field value, sorted by field and temperature; fields with fewer
    than ``min_points`` points are skipped with a :class:`SkippedFieldsWarning`.
    Units: Oe, K, Ω/□.

    Valid for
        equal-length 1-D arrays; fields grouped by exact value (Oe, K, Ω/□).
    """
    H, T, rho = (np.asarray(a, dtype=float).ravel() for a in (H, T, rho))
    sig = None if sigma is None else np.asarray(sigma, dtype=float).ravel()
    if not (len(H) == len(T) == len(rho) and (sig is None or len(sig) == len(H))):
        raise DataError("field, temperature, resistance (and sigma) must have the same length")
    fields, Ts, rhos, sigs, skipped = [], [], [], [], []
    for h in np.unique(H):
        sel = H == h
        order = np.argsort(T[sel], kind="stable")
        if sel.sum() < min_points:
            skipped.append(f"{h:g} Oe ({int(sel.sum())} point{'s' if sel.sum() != 1 else ''})")
            continue
        fields.append(h)
        Ts.append(T[sel][order])
        rhos.append(rho[sel][order])
        if sig is not None:
            sigs.append(sig[sel][order])
    if skipped:
        warnings.warn(
            f"{source}: skipped {len(skipped)} field(s) with fewer than {min_points} points "
            f"(a fit of 3 parameters needs at least {min_points}): {', '.join(skipped)}",
            SkippedFieldsWarning,
            stacklevel=2,
        )
    if not fields:
        raise DataError(f"{source}: no field has at least {min_points} points; nothing to fit")
    return FieldSweep(
        np.asarray(fields),
        tuple(Ts),
        tuple(rhos),
        None if sig is None else tuple(sigs),
        source=source,
        truth=truth,
    )


# --- the CSV loader -----------------------------------------------------------------------
def _lines_text(lines: list[int], limit: int = 10) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    more = f", ... ({len(lines)} lines)" if len(lines) > limit else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def _rows(p: Path, text: str):
    """``(line number, cells)`` of the CSV text; a malformed line is a :class:`DataError`."""
    reader = csv.reader(text.splitlines())
    lineno = 0
    while True:
        lineno += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError(f"{p}:{reader.line_num}: malformed CSV line: {exc}") from None
        yield reader.line_num, row


def load_csv(path: str | Path, *, min_points: int = 4, nan: str = "error") -> FieldSweep:
    """Read a long-format field-sweep CSV (see the module notes) into a :class:`FieldSweep`.

    Parameters
    ----------
    path
        The CSV file.
    min_points
        Fields with fewer temperature points are skipped with a
        :class:`SkippedFieldsWarning` naming them (default 4: three parameters plus one
        degree of freedom).
    nan
        ``"error"`` (default): a NaN or empty cell is a :class:`DataError` listing every
        offending line; ``"drop"``: such rows are dropped with a warning listing them.

    Returns
    -------
    FieldSweep
        Fields in Oe, temperatures in K, resistances and uncertainties in Ω/□.

    Raises
    ------
    DataError
        With ``file:line`` and the column for every problem found.

    Valid for
        UTF-8 (optionally with BOM) comma-separated long-format tables with units in the
        header or a '# units:' line. Rejected with file:line and column: other encodings
        (UTF-16, Latin-1), NUL bytes, other separators, missing/duplicated columns, unknown
        units, wrong cell counts, non-numeric cells, NaN/inf/empty cells (or dropped with
        nan='drop'), T, R, sigma ≤ 0. Duplicated (field, T) rows are kept (repeated
        measurements).
    """
    p = Path(path)
    conv = read_long_csv(p, nan=nan)
    return sweep_from_arrays(
        conv["field"],
        conv["temperature"],
        conv["resistance"],
        conv.get("sigma"),
        min_points=min_points,
        source=str(p),
    )


def read_long_csv(path: str | Path, *, nan: str = "error") -> dict[str, np.ndarray]:
    """Read and validate a long-format CSV (module notes): columns in Oe, K, Ω (per square).

    The one reader behind :func:`load_csv` (ρ(T) curves per field) and
    :func:`dissipax.saturation.load_sit_csv` (R(T, H) in either view): every check listed
    in :func:`load_csv` happens here.

    Returns
    -------
    dict
        ``"field"``, ``"temperature"``, ``"resistance"`` and, when the file has one,
        ``"sigma"``: 1-D float arrays, one entry per data row, in file order.

    Raises
    ------
    DataError
        With ``file:line`` and the column for every problem found.

    Valid for
        the files :func:`load_csv` accepts (same rules; no grouping by field).
    """
    if nan not in ("error", "drop"):
        raise DataError(f"nan must be 'error' or 'drop'; got {nan!r}")
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file")
    text = read_utf8(p, DataError)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(f"{p}:{line}: NUL character in the file (binary data, not CSV text)")

    comment_units: dict[str, str] = {}
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    for lineno, row in _rows(p, text):
        if not row or all(not c.strip() for c in row):
            continue
        first = row[0].lstrip()
        if first.startswith("#"):
            line = ",".join(row).lstrip()[1:].strip()
            m = re.match(r"units?\s*:\s*(.*)", line, flags=re.IGNORECASE)
            if m:
                for item in re.split(r"[,;]\s*|\s+(?=\w+\s*=)", m.group(1)):
                    if "=" in item:
                        k, _, v = item.partition("=")
                        comment_units[k.strip().lower()] = v.strip()
            continue
        if header is None:
            header, header_line = row, lineno
            continue
        rows.append((lineno, row))
    if header is None:
        raise DataError(
            f"{p}: no header line (expected e.g. 'field [Oe],temperature [K],resistance [Ohm]')"
        )

    if len(header) == 1 and any(d in header[0] for d in (";", "\t")):
        raise DataError(
            f"{p}:{header_line}: the header is one cell {header[0]!r}: columns must be "
            "separated by commas (this looks like a semicolon- or tab-separated file)"
        )
    # map columns
    cols: dict[str, tuple[int, float]] = {}
    for j, cell in enumerate(header):
        name, unit = _split_header_cell(cell)
        kind = _kind_of(name)
        where = f"{p}:{header_line}: column {j + 1} '{cell.strip()}'"
        if kind is None:
            continue  # extra columns are allowed and ignored
        if kind in cols:
            raise DataError(
                f"{where}: a second '{kind}' column (the first is column {cols[kind][0] + 1})"
            )
        if unit is None:
            unit = comment_units.get(name.lower(), comment_units.get(kind))
        if unit is None:
            known = ", ".join(sorted({k for k in _COLUMNS[kind][1]}))
            raise DataError(
                f"{where}: no unit; write it in the header as '{name} "
                f"[{_COLUMNS[kind][2]}]' or in a comment line '# units: "
                f"{kind}={_COLUMNS[kind][2]}' (known units: {known})"
            )
        factor = _unit_factor(kind, unit)
        if factor is None:
            known = ", ".join(sorted(_COLUMNS[kind][1]))
            raise DataError(f"{where}: unknown {kind} unit {unit!r} (known units: {known})")
        cols[kind] = (j, factor)
    missing = [k for k in _REQUIRED if k not in cols]
    if missing:
        found = ", ".join(repr(c.strip()) for c in header)
        raise DataError(
            f"{p}:{header_line}: missing column(s) {', '.join(missing)}; "
            f"found {found} (expected field, temperature, resistance [, sigma])"
        )
    if not rows:
        raise DataError(f"{p}: no data rows after the header on line {header_line}")

    # parse cells
    kinds = list(cols)
    data = np.empty((len(rows), len(kinds)))
    for i, (lineno, row) in enumerate(rows):
        if len(row) != len(header):
            raise DataError(
                f"{p}:{lineno}: {len(row)} cells, but the header on line "
                f"{header_line} has {len(header)} columns"
            )
        for k, kind in enumerate(kinds):
            j = cols[kind][0]
            cell = row[j].strip()
            if cell == "" or cell.lower() in ("nan", "na", "n/a", "null", "none"):
                data[i, k] = np.nan
                continue
            try:
                data[i, k] = float(cell)
            except ValueError:
                raise DataError(
                    f"{p}:{lineno}: column {j + 1} '{header[j].strip()}': {cell!r} is not a number"
                ) from None
    linenos = np.array([ln for ln, _ in rows])

    bad_nan = ~np.isfinite(data)
    if bad_nan.any():
        desc = []
        for k, kind in enumerate(kinds):
            if bad_nan[:, k].any():
                desc.append(
                    f"column {cols[kind][0] + 1} '{header[cols[kind][0]].strip()}' at "
                    f"{_lines_text(linenos[bad_nan[:, k]].tolist())}"
                )
        msg = f"{p}: missing or non-finite values in " + "; ".join(desc)
        if nan == "error":
            raise DataError(msg + " (pass nan='drop' to drop these rows)")
        bad_rows = bad_nan.any(axis=1)
        warnings.warn(msg + f"; dropped {int(bad_rows.sum())} row(s)", UserWarning, stacklevel=3)
        data, linenos = data[~bad_rows], linenos[~bad_rows]

    for kind, what in (
        ("temperature", "temperatures must be > 0 K"),
        ("resistance", "resistances must be > 0"),
        ("sigma", "uncertainties must be > 0"),
    ):
        if kind not in cols:
            continue
        k = kinds.index(kind)
        bad = data[:, k] <= 0
        if bad.any():
            j = cols[kind][0]
            raise DataError(
                f"{p}: column {j + 1} '{header[j].strip()}': {what}; non-positive "
                f"values at {_lines_text(linenos[bad].tolist())} "
                f"(first: {data[bad, k][0]:g})"
            )

    return {kind: data[:, kinds.index(kind)] * cols[kind][1] for kind in kinds}
