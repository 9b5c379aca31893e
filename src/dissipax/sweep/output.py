"""Sweep results: an xarray Dataset (or plain arrays), NetCDF / ``.npz`` files and a plot.

xarray is optional (``pip install dissipax[sweep]``); without it results are NumPy arrays
and files are ``.npz``.  NetCDF has no complex type, so a complex variable ``v`` is written
as ``v_real`` and ``v_imag`` (each with the attribute ``dissipax_complex = "v"``), and
:func:`load` joins them again.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np

_COMPLEX_ATTR = "dissipax_complex"


def have_xarray() -> bool:
    """Whether xarray is importable.

    Valid for
        always.
    """
    return importlib.util.find_spec("xarray") is not None


def have_netcdf() -> bool:
    """Whether xarray and its h5netcdf engine are importable.

    Valid for
        always.
    """
    return have_xarray() and importlib.util.find_spec("h5netcdf") is not None


@dataclasses.dataclass
class SweepData:
    """The raw result of a sweep, independent of xarray.

    Attributes
    ----------
    dims
        Axis names, in order.
    coords
        ``name -> 1-D array`` per axis.
    data
        ``name -> array`` of shape ``tuple(len(coords[d]) for d in dims)`` per output.
    units
        ``name -> unit string`` for axes and outputs that have one.
    attrs
        Metadata (fixed parameters, device count, chunking, timings).
    dict_output
        Whether the swept function returned a dict (else one scalar output).
    """

    dims: tuple[str, ...]
    coords: dict[str, np.ndarray]
    data: dict[str, np.ndarray]
    units: dict[str, str] = dataclasses.field(default_factory=dict)
    attrs: dict[str, Any] = dataclasses.field(default_factory=dict)
    dict_output: bool = True

    def to_xarray(self):
        """Convert to an :class:`xarray.Dataset` with coordinates, units and metadata.

        Valid for
            any SweepData, with xarray installed.
        """
        import xarray as xr

        coords = {d: (d, self.coords[d], _unit_attrs(self.units, d)) for d in self.dims}
        data_vars = {k: (self.dims, v, _unit_attrs(self.units, k)) for k, v in self.data.items()}
        return xr.Dataset(data_vars, coords=coords, attrs=_netcdf_attrs(self.attrs))


def _unit_attrs(units: dict[str, str], name: str) -> dict[str, str]:
    return {"units": units[name]} if name in units else {}


def _netcdf_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """Attributes NetCDF can store: numbers and strings; anything else as JSON text."""
    out = {}
    for k, v in attrs.items():
        if isinstance(v, bool):
            out[k] = int(v)
        elif isinstance(v, (int, float, str, np.number)):
            out[k] = v
        else:
            out[k] = json.dumps(v)
    return out


def write_netcdf(ds, path: str | Path) -> Path:
    """Write an xarray Dataset from a sweep to NetCDF-4 (h5netcdf), complex split into re/im.

    Valid for
        xarray Datasets from sweep(); needs xarray and h5netcdf.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    out = ds.copy()
    for name in list(out.data_vars):
        var = out[name]
        if np.iscomplexobj(var.values):
            for part, vals in (("real", var.real), ("imag", var.imag)):
                out[f"{name}_{part}"] = vals.assign_attrs({**var.attrs, _COMPLEX_ATTR: name})
            out = out.drop_vars(name)
    out.to_netcdf(p, engine="h5netcdf")
    return p


def write_npz(result: SweepData, path: str | Path) -> Path:
    """Write a sweep result as ``.npz`` (no xarray needed); :func:`load` reads it back.

    Valid for
        any SweepData.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"coord__{d}": result.coords[d] for d in result.dims}
    arrays.update({f"data__{k}": v for k, v in result.data.items()})
    meta = {
        "dims": list(result.dims),
        "units": result.units,
        "attrs": json.loads(json.dumps(result.attrs, default=str)),
    }
    np.savez(p, __meta__=np.array(json.dumps(meta)), **arrays)
    return p


def load(path: str | Path):
    """Read a sweep file: NetCDF (-> xarray Dataset) or ``.npz`` (-> :class:`SweepData`).

    Complex variables split into ``v_real``/``v_imag`` in NetCDF are joined back into ``v``.

    Valid for
        files written by write_netcdf or write_npz.
    """
    p = Path(path)
    if p.suffix == ".npz":
        with np.load(p, allow_pickle=False) as z:
            meta = json.loads(str(z["__meta__"]))
            dims = tuple(meta["dims"])
            coords = {d: z[f"coord__{d}"] for d in dims}
            data = {k[len("data__") :]: z[k] for k in z.files if k.startswith("data__")}
        return SweepData(dims, coords, data, meta["units"], meta["attrs"])
    import xarray as xr

    with xr.open_dataset(p, engine="h5netcdf") as f:
        ds = f.load()
    for name in [v for v in ds.data_vars if _COMPLEX_ATTR in ds[v].attrs]:
        if name not in ds.data_vars:
            continue
        base = ds[name].attrs[_COMPLEX_ATTR]
        re, im = ds[f"{base}_real"], ds[f"{base}_imag"]
        attrs = {k: v for k, v in re.attrs.items() if k != _COMPLEX_ATTR}
        joined = re + 1j * im
        joined.attrs = attrs
        ds[base] = joined
        ds = ds.drop_vars([f"{base}_real", f"{base}_imag"])
    return ds


def plot(
    result: SweepData, path: str | Path, *, title: str = "", log_axes: tuple[str, ...] = ()
) -> Path:
    """One figure of a sweep: lines for one axis, maps for two or more.

    Each output gets a panel (complex outputs two: real and imaginary part).  With one axis
    the panel is a line plot; with two or more, a colour map over the first two axes, the
    other axes held at their middle value (named in the panel title).  Axes named in
    ``log_axes`` are drawn logarithmically.

    Valid for
        1-D or 2-D sweeps of real (or complex: parts) outputs.
    """
    from .. import plot as dplot

    panels = []
    for name, arr in result.data.items():
        if np.iscomplexobj(arr):
            panels += [(f"Re {name}", arr.real, name), (f"Im {name}", arr.imag, name)]
        else:
            panels.append((name, np.asarray(arr, dtype=float), name))
    dims = result.dims
    fixed = {d: len(result.coords[d]) // 2 for d in dims[2:]}
    note = ", ".join(f"{d} = {result.coords[d][i]:.4g}" for d, i in fixed.items())
    ncol = min(len(panels), 2)
    nrow = -(-len(panels) // ncol)
    fig, axs = dplot.subplots(nrow, ncol, figsize=(5.0 * ncol, 3.6 * nrow), squeeze=False)
    for ax in axs.flat[len(panels) :]:
        ax.set_visible(False)
    for ax, (label, arr, var) in zip(axs.flat, panels, strict=False):
        unit = result.units.get(var)
        ylabel = f"{label} [{unit}]" if unit else label
        x = result.coords[dims[0]]
        if len(dims) == 1:
            ax.plot(x, arr)
            ax.set_ylabel(ylabel)
        else:
            sl = tuple([slice(None), slice(None)] + [fixed[d] for d in dims[2:]])
            y = result.coords[dims[1]]
            mesh = ax.pcolormesh(x, y, arr[sl].T, shading="auto")
            fig.colorbar(mesh, ax=ax, label=ylabel)
            ax.set_ylabel(_axis_label(result, dims[1]))
            if dims[1] in log_axes:
                ax.set_yscale("log")
            ax.grid(False)
            if note:
                ax.set_title(note, fontsize=8)
        ax.set_xlabel(_axis_label(result, dims[0]))
        if dims[0] in log_axes:
            ax.set_xscale("log")
    if title:
        fig.suptitle(title)
    return dplot.save_figure(fig, path)


def _axis_label(result: SweepData, name: str) -> str:
    unit = result.units.get(name)
    return f"{name} [{unit}]" if unit else name
