"""Results out: JSON that holds arrays, and small helpers shared by the loaders."""

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
