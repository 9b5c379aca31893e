"""TOML configuration files, validated strictly against declared schemas.

A config is a TOML file (read with the standard library's :mod:`tomllib`; nothing in it is
ever executed) whose top-level key ``kind`` names what it describes: a paper figure to
reproduce, an example fit, a sweep.  Each kind declares a :class:`Schema` in its module
``dissipax.reproduce.<kind>``; :func:`load` validates the file against it:

* unknown keys, wrong types, missing required fields and out-of-range values are
  :class:`ConfigError` s whose message names the file, the line and the dotted key;
* defaults are filled in, integers are accepted where floats are meant (never booleans).

Example
-------
>>> schema = Schema({"T": Field(float, gt=0, doc="temperature [K]")})
>>> schema.validate({"T": 2}, source="inline")
{'T': 2.0}
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .io import read_utf8

_MISSING = object()


class ConfigError(ValueError):
    """A configuration file that is malformed or does not match its schema."""


@dataclasses.dataclass(frozen=True)
class Field:
    """One scalar or list-valued setting.

    Parameters
    ----------
    type
        ``float``, ``int``, ``str`` or ``bool``; for lists, the element type with ``list=True``.
    default
        Value used when the key is absent; no default means the key is required.
    gt, ge, lt, le
        Bounds for numbers (and for each list element).
    choices
        Allowed values (strings, typically).
    list
        The value is a list of ``type``; ``min_len``/``max_len`` bound its length.
    doc
        One line saying what the setting means and its unit.
    """

    type: type
    default: Any = _MISSING
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    choices: tuple | None = None
    list: bool = False
    min_len: int = 0
    max_len: int | None = None
    doc: str = ""

    @property
    def required(self) -> bool:
        """Whether the key must be present (it has no default)."""
        return self.default is _MISSING


@dataclasses.dataclass(frozen=True)
class Schema:
    """A TOML table: named :class:`Field` s and nested :class:`Schema` s.

    ``optional=True`` makes a nested table optional as a whole (its fields' defaults apply
    when it is absent).
    """

    fields: Mapping[str, Field | Schema]
    doc: str = ""
    optional: bool = False

    def validate(
        self,
        data: Mapping[str, Any],
        *,
        source: str = "<config>",
        text: str | None = None,
        prefix: str = "",
    ) -> dict[str, Any]:
        """Validate ``data`` and return a new dict with defaults filled in.

        Valid for
            mappings from TOML (tomllib) or equivalent plain dicts; never executes
            anything. Out of domain: ConfigError naming source, line and dotted key.
        """
        out: dict[str, Any] = {}
        for key in data:
            if key not in self.fields:
                known = ", ".join(sorted(self.fields)) or "(none)"
                raise _error(source, text, prefix + key, f"unknown key; allowed keys here: {known}")
        for key, spec in self.fields.items():
            path = prefix + key
            if isinstance(spec, Schema):
                sub = data.get(key, _MISSING)
                if sub is _MISSING:
                    if not spec.optional and any(
                        isinstance(f, Field) and f.required for f in spec.fields.values()
                    ):
                        raise _error(
                            source,
                            text,
                            path,
                            "missing required table "
                            f"[{path}]" + (f" ({spec.doc})" if spec.doc else ""),
                        )
                    sub = {}
                if not isinstance(sub, Mapping):
                    raise _error(source, text, path, f"expected a table, got {_tname(sub)} {sub!r}")
                out[key] = spec.validate(sub, source=source, text=text, prefix=path + ".")
                continue
            if key not in data:
                if spec.required:
                    raise _error(
                        source,
                        text,
                        path,
                        "missing required key" + (f" ({spec.doc})" if spec.doc else ""),
                    )
                out[key] = spec.default
                continue
            out[key] = _check_field(spec, data[key], source, text, path)
        return out


def _tname(v: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "float",
        str: "string",
        list: "array",
        dict: "table",
    }.get(type(v), type(v).__name__)


def _check_scalar(spec: Field, v: Any, source, text, path) -> Any:
    t = spec.type
    if t is float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _error(source, text, path, f"expected a number, got {_tname(v)} {v!r}")
        v = float(v)
        if v != v or v in (float("inf"), float("-inf")):
            raise _error(source, text, path, f"expected a finite number, got {v!r}")
    elif t is int:
        if isinstance(v, bool) or not isinstance(v, int):
            raise _error(source, text, path, f"expected an integer, got {_tname(v)} {v!r}")
    elif t is bool:
        if not isinstance(v, bool):
            raise _error(source, text, path, f"expected true or false, got {_tname(v)} {v!r}")
    elif t is str:
        if not isinstance(v, str):
            raise _error(source, text, path, f"expected a string, got {_tname(v)} {v!r}")
    if t in (int, float):
        for bound, bad, sym in (
            (spec.gt, lambda a, b: a <= b, ">"),
            (spec.ge, lambda a, b: a < b, ">="),
            (spec.lt, lambda a, b: a >= b, "<"),
            (spec.le, lambda a, b: a > b, "<="),
        ):
            if bound is not None and bad(v, bound):
                what = f" ({spec.doc})" if spec.doc else ""
                raise _error(
                    source, text, path, f"value {v!r} out of range: must be {sym} {bound}{what}"
                )
    if spec.choices is not None and v not in spec.choices:
        opts = ", ".join(repr(c) for c in spec.choices)
        raise _error(source, text, path, f"value {v!r} is not one of {opts}")
    return v


def _check_field(spec: Field, v: Any, source, text, path) -> Any:
    if spec.list:
        if not isinstance(v, list):
            raise _error(
                source,
                text,
                path,
                f"expected an array of {spec.type.__name__}, got {_tname(v)} {v!r}",
            )
        if len(v) < spec.min_len or (spec.max_len is not None and len(v) > spec.max_len):
            rng = f"{spec.min_len}..{spec.max_len if spec.max_len is not None else '∞'}"
            raise _error(source, text, path, f"array has {len(v)} elements; expected {rng}")
        return [_check_scalar(spec, item, source, text, f"{path}[{i}]") for i, item in enumerate(v)]
    return _check_scalar(spec, v, source, text, path)


# --- locating a key in the file for messages -------------------------------------------
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEYLINE = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def locate(text: str | None, path: str) -> int | None:
    """Best-effort 1-based line number of dotted key ``path`` in TOML ``text``.

    Valid for
        TOML text and dotted keys; best effort (None when the key cannot be found, e.g.
        inline tables).
    """
    if not text:
        return None
    path = re.sub(r"\[\d+\]$", "", path)
    parts = path.split(".")
    table: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m:
            table = [p.strip().strip("\"'") for p in m.group(1).split(".")]
            if table == parts:
                return lineno
            continue
        m = _KEYLINE.match(line)
        if m:
            key = [p.strip().strip("\"'") for p in m.group(1).split(".")]
            if table + key == parts:
                return lineno
    return None


def _error(source: str, text: str | None, path: str, msg: str) -> ConfigError:
    line = locate(text, path)
    where = f"{source}:{line}" if line else source
    return ConfigError(f"{where}: key '{path}': {msg}")


# --- kinds -----------------------------------------------------------------------------
_KIND_PACKAGE = "dissipax.reproduce"


def available_kinds() -> list[str]:
    """Config kinds known to this installation (modules of :mod:`dissipax.reproduce`).

    Valid for
        any installation; lists modules of dissipax.reproduce (no imports of user code).
    """
    pkg = importlib.import_module(_KIND_PACKAGE)
    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def kind_module(kind: str):
    """Return the module implementing ``kind`` (only names from :func:`available_kinds`).

    Valid for
        names returned by available_kinds(); any other name is a ConfigError.
    """
    if kind not in available_kinds():
        raise ConfigError(f"unknown kind {kind!r}; known kinds: {', '.join(available_kinds())}")
    return importlib.import_module(f"{_KIND_PACKAGE}.{kind}")


@dataclasses.dataclass(frozen=True)
class Config:
    """A validated configuration: its ``kind``, ``title``, settings ``data`` and source ``path``."""

    kind: str
    title: str
    data: dict[str, Any]
    path: Path | None

    @property
    def name(self) -> str:
        """Config name: the file stem (``configs/gurevich_fig3.toml`` -> ``gurevich_fig3``)."""
        return self.path.stem if self.path is not None else self.kind


def parse(text: str, *, source: str = "<string>", path: Path | None = None) -> Config:
    """Parse and validate TOML ``text`` (see :func:`load`).

    Valid for
        UTF-8 TOML text with a known top-level kind; errors are ConfigError with
        source:line and key (line and column for TOML syntax errors, including duplicated
        keys).
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    kind = raw.get("kind", _MISSING)
    if kind is _MISSING:
        raise ConfigError(
            f"{source}: missing required top-level key 'kind' "
            f"(one of: {', '.join(available_kinds())})"
        )
    if not isinstance(kind, str):
        raise _error(source, text, "kind", f"expected a string, got {_tname(kind)} {kind!r}")
    if kind not in available_kinds():
        raise _error(
            source,
            text,
            "kind",
            f"unknown kind {kind!r}; known kinds: {', '.join(available_kinds())}",
        )
    title = raw.get("title", "")
    if not isinstance(title, str):
        raise _error(source, text, "title", f"expected a string, got {_tname(title)} {title!r}")
    body = {k: v for k, v in raw.items() if k not in ("kind", "title")}
    schema: Schema = kind_module(kind).SCHEMA
    data = schema.validate(body, source=source, text=text)
    return Config(kind=kind, title=title, data=data, path=path)


def load(path: str | Path) -> Config:
    """Read and strictly validate the TOML config at ``path``.

    Raises
    ------
    ConfigError
        For a missing/unreadable file, invalid TOML or UTF-8, an unknown ``kind``, unknown
        keys, wrong types, missing fields or out-of-range values; the message names the
        file, line and key (line and column for encoding and TOML syntax errors, which
        include duplicated keys and tables).

    Valid for
        UTF-8 TOML files (a UTF-8 byte-order mark is accepted); nothing in them is executed.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file")
    text = read_utf8(p, ConfigError, note=" (TOML must be UTF-8)")
    return parse(text, source=str(p), path=p)
