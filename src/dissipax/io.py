"""Results out: JSON that holds arrays; text in: the UTF-8 reading shared by every loader."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np


def to_jsonable(obj: Any) -> Any:
    """Recursively convert arrays, NumPy/JAX scalars, dataclasses and paths to JSON types.

    Non-finite floats become ``None`` (JSON has no NaN); complex numbers become
    ``{"re": ..., "im": ...}``.
    """
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (str, bool)) or obj is None:
        return obj
    if hasattr(obj, "__array__") or isinstance(obj, (np.generic, int, float, complex)):
        arr = np.asarray(obj)
        if arr.dtype.kind == "b":
            return arr.tolist()
        if arr.dtype.kind in "iu":
            return arr.tolist()
        if arr.dtype.kind == "c":
            return {"re": to_jsonable(arr.real), "im": to_jsonable(arr.imag)}
        if arr.dtype.kind == "f":
            if arr.ndim == 0:
                v = float(arr)
                return v if math.isfinite(v) else None
            return [to_jsonable(v) for v in arr]
        if arr.dtype.kind in "US":
            return arr.tolist()
    raise TypeError(f"cannot convert {type(obj).__name__} to JSON")


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` (see :func:`to_jsonable`) as indented JSON; return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(to_jsonable(obj), indent=2) + "\n", encoding="utf-8")
    return p


def read_utf8(path: str | Path, error: type[Exception] = ValueError, *, note: str = "") -> str:
    """Read the UTF-8 text file ``path`` (a UTF-8 byte-order mark is dropped).

    Raises ``error`` with a message naming the file, and for a byte that is not UTF-8 its
    line and column, and for UTF-16 text (a UTF-16 byte-order mark) says so; ``note`` is
    inserted after "not UTF-8 text" (e.g. " (TOML must be UTF-8)").  The caller checks
    that the file exists (its message for that is its own).

    Valid for
        an existing readable file; UTF-8 (with or without a byte-order mark) is returned
        as text, anything else raises ``error``.
    """
    p = Path(path)
    raw = p.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(f"{p}: UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"{p}:{line}: not UTF-8 text{note}: byte {raw[exc.start]:#04x} at line {line}, "
            f"column {col} ({exc.reason}); save the file as UTF-8"
        ) from None


def parse_number(cell: str, where: str, error: type[Exception] = ValueError) -> float:
    """Parse one CSV cell as a finite float; ``error`` names ``where`` (file, line, column).

    Valid for
        any string: an empty cell, text that is not a number and NaN/inf raise ``error``.
    """
    c = cell.strip()
    if not c:
        raise error(f"{where}: empty cell")
    try:
        v = float(c)
    except ValueError:
        raise error(f"{where}: {c!r} is not a number") from None
    if not np.isfinite(v):
        raise error(f"{where}: non-finite value {c!r}")
    return v
