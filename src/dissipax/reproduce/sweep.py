"""Config kind ``sweep``: an allowed observable on a grid of named axes (``dissipax sweep CONFIG``).

A sweep config names an observable from the allow-list of
:mod:`dissipax.sweep.observables` (configs never execute code), its axes in order (each a
table ``[axes.NAME]``: ``start``/``stop``/``num`` with ``spacing = "linear" | "log"``, or
explicit ``values``; ``units``), fixed parameters (table ``[fixed]``: numbers or booleans)
and a chunk size or memory budget.  The run writes the grid as NetCDF (xarray + h5netcdf;
complex outputs as ``NAME_real``/``NAME_imag``) or ``.npz`` without xarray, a PNG plot and
a JSON summary.  Example::

    kind = "sweep"
    title = "Vortex sigma_xx over frequency and Hall frequency"
    observable = "vortex.sigma_xx"
    output_units = "e*^2/hbar"

    [axes.omega]
    start = 1e-2
    stop = 1e2
    num = 400
    spacing = "log"

    [axes.Omega_H]
    start = 0.0
    stop = 2.0
    num = 201

    [fixed]
    f_s = 1.0
    Omega = 0.2
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jax
import numpy as np

from .. import io
from ..config import ConfigError, Field, Schema, locate
from ..sweep import evaluate, observables, output
from ..sweep.grid import axis_values
from . import Summary

CATEGORY = "sweep"

AXIS = Schema(
    {
        "start": Field(float, default=None, doc="first value"),
        "stop": Field(float, default=None, doc="last value (included)"),
        "num": Field(int, default=None, ge=1, doc="number of values"),
        "spacing": Field(
            str,
            default="linear",
            choices=("linear", "log"),
            doc="linear (numpy.linspace) or log (numpy.geomspace)",
        ),
        "values": Field(
            float,
            list=True,
            min_len=1,
            default=None,
            doc="explicit values (instead of start/stop/num)",
        ),
        "units": Field(str, default="", doc="unit of the axis"),
    },
    doc="one sweep axis",
)


def _error(source: str, text: str | None, path: str, msg: str) -> ConfigError:
    line = locate(text, path)
    where = f"{source}:{line}" if line else source
    return ConfigError(f"{where}: key '{path}': {msg}")


class SweepSchema(Schema):
    """The static settings of a sweep config plus its free-form ``[axes.*]`` and ``[fixed]``.

    Axis and parameter names depend on the observable, so these two tables are validated
    here, key by key, with the same file:line:key messages as every other schema.
    """

    def validate(
        self,
        data: Mapping[str, Any],
        *,
        source: str = "<config>",
        text: str | None = None,
        prefix: str = "",
    ) -> dict[str, Any]:
        """Validate a sweep config body; ``axes`` keep the order of the file."""
        body = {k: v for k, v in data.items() if k not in ("axes", "fixed")}
        out = super().validate(body, source=source, text=text, prefix=prefix)
        axes = data.get("axes")
        if not isinstance(axes, Mapping) or not axes:
            raise _error(
                source,
                text,
                "axes",
                "a sweep needs at least one table "
                "[axes.NAME] (start, stop, num, spacing or values)",
            )
        out["axes"] = {}
        for name, spec in axes.items():
            path = f"axes.{name}"
            if not name.isidentifier():
                raise _error(source, text, path, "axis name must be an identifier")
            if not isinstance(spec, Mapping):
                raise _error(source, text, path, f"expected a table [{path}]")
            ax = AXIS.validate(spec, source=source, text=text, prefix=path + ".")
            ranged = [ax[k] is not None for k in ("start", "stop", "num")]
            if ax["values"] is not None:
                if any(ranged):
                    raise _error(source, text, path, "give either values or start/stop/num")
            elif not all(ranged):
                raise _error(source, text, path, "needs start, stop and num (or values)")
            elif ax["spacing"] == "log" and (
                ax["start"] == 0 or ax["stop"] == 0 or (ax["start"] > 0) != (ax["stop"] > 0)
            ):
                raise _error(
                    source, text, path, "log spacing needs non-zero start and stop of the same sign"
                )
            out["axes"][name] = ax
        fixed = data.get("fixed", {})
        if not isinstance(fixed, Mapping):
            raise _error(source, text, "fixed", "expected a table [fixed] of parameters")
        out["fixed"] = {}
        for name, v in fixed.items():
            path = f"fixed.{name}"
            if name in out["axes"]:
                raise _error(source, text, path, f"{name!r} is also an axis")
            if not isinstance(v, (bool, int, float)) or (
                isinstance(v, float) and not math.isfinite(v)
            ):
                raise _error(
                    source, text, path, f"expected a finite number or true/false, got {v!r}"
                )
            out["fixed"][name] = v
        return out


SCHEMA = SweepSchema(
    {
        "observable": Field(
            str,
            choices=tuple(observables.OBSERVABLES),
            doc="dotted name from the allow-list dissipax.sweep.observables",
        ),
        "output_units": Field(str, default="", doc="unit of the observable's outputs"),
        "format": Field(
            str,
            default="auto",
            choices=("auto", "netcdf", "npz"),
            doc="file format: NetCDF (needs xarray + h5netcdf) or npz",
        ),
        "chunk_size": Field(
            int, default=0, ge=0, doc="points per compiled call; 0: from memory_budget_mb"
        ),
        "memory_budget_mb": Field(
            float, default=256.0, gt=0, doc="device memory per call per device [MiB]"
        ),
    }
)


def _axis(ax: dict[str, Any]) -> np.ndarray:
    if ax["values"] is not None:
        return np.asarray(ax["values"], dtype=float)
    return axis_values(ax["start"], ax["stop"], ax["num"], ax["spacing"])


def _stats(arr: np.ndarray) -> dict[str, float]:
    parts = {"real": arr.real, "imag": arr.imag} if np.iscomplexobj(arr) else {"": arr}
    out = {}
    for part, a in parts.items():
        key = f"_{part}" if part else ""
        out[f"min{key}"] = float(np.nanmin(a))
        out[f"max{key}"] = float(np.nanmax(a))
    out["n_nonfinite"] = int(np.size(arr) - np.isfinite(arr).sum())
    return out


def run(cfg, out: Path) -> Summary:
    """Evaluate the configured observable on its grid; write NetCDF/npz, PNG and JSON."""
    d = cfg.data
    name = d["observable"]
    fn = observables.resolve(name)
    observables.check_arguments(name, fn, [*d["axes"], *d["fixed"]])
    axes = {k: _axis(ax) for k, ax in d["axes"].items()}
    units = {k: ax["units"] for k, ax in d["axes"].items() if ax["units"]}
    limits = (
        {"chunk_size": d["chunk_size"]}
        if d["chunk_size"]
        else {"memory_budget": d["memory_budget_mb"] * 2**20}
    )
    result = evaluate(
        fn,
        fixed=d["fixed"],
        units=units,
        name=observables.OBSERVABLES[name].function,
        desc=cfg.name,
        **limits,
        **axes,
    )
    if d["output_units"]:
        result.units.update({k: d["output_units"] for k in result.data})
    result.attrs.update(observable=name, title=cfg.title)

    fmt = d["format"]
    if fmt == "auto":
        fmt = "netcdf" if output.have_netcdf() else "npz"
    if fmt == "netcdf" and not output.have_netcdf():
        raise RuntimeError(
            "format = 'netcdf' needs xarray and h5netcdf "
            "(pip install 'dissipax[sweep]'); or use format = 'npz'"
        )
    files: list[Path] = []
    if jax.process_index() == 0:  # in a multi-process sweep one process writes
        out.mkdir(parents=True, exist_ok=True)
        if fmt == "netcdf":
            files.append(output.write_netcdf(result.to_xarray(), out / f"{cfg.name}.nc"))
        else:
            files.append(output.write_npz(result, out / f"{cfg.name}.npz"))
        log_axes = tuple(
            k for k, ax in d["axes"].items() if ax["values"] is None and ax["spacing"] == "log"
        )
        files.append(
            output.plot(result, out / f"{cfg.name}.png", title=cfg.title, log_axes=log_axes)
        )
        summary = {
            "observable": name,
            "title": cfg.title,
            "axes": {
                k: {
                    "n": len(v),
                    "min": float(v.min()),
                    "max": float(v.max()),
                    "units": units.get(k, ""),
                }
                for k, v in axes.items()
            },
            "fixed": d["fixed"],
            "outputs": {k: _stats(v) for k, v in result.data.items()},
            "attrs": result.attrs,
            "files": [p.name for p in files],
        }
        files.append(io.write_json(out / f"{cfg.name}.json", summary))
    a = result.attrs
    shape = " × ".join(f"{k}[{len(v)}]" for k, v in axes.items())
    rate = a["n_points"] / a["eval_s"] if a["eval_s"] > 0 else float("inf")
    lines = [
        f"{name} on {shape} = {a['n_points']} points: {a['eval_s']:.3g} s "
        f"({rate:.3g} points/s), compile {a['compile_s']:.3g} s",
        f"{a['n_devices']} {a['platform']} device(s), {a['n_chunks']} chunk(s) of "
        f"{a['chunk_size']} points",
    ]
    bad = sum(_stats(v)["n_nonfinite"] for v in result.data.values())
    if bad:
        lines.append(f"WARNING: {bad} non-finite values in the outputs")
    return Summary(cfg.name, lines=lines, files=files, ok=bad == 0)
