"""Sweeps: a function on grids over field × frequency × temperature × any parameter.

:func:`sweep` evaluates a point function on the outer product of named 1-D axes, in
memory-bounded chunks, sharded over every visible device with ``jax.sharding``, and across
hosts after :func:`dissipax.sweep.distributed.initialize`.  It returns an
:class:`xarray.Dataset` with coordinates and units (NumPy arrays without xarray).

Modules: :mod:`.grid` (axes, flat index -> point), :mod:`.chunking` (chunk size from a
memory budget), :mod:`.sharding` (mesh, per-device program), :mod:`.distributed`
(multi-host), :mod:`.output` (Dataset, NetCDF / npz, plot), :mod:`.observables` (the
allow-list that configs name).  :func:`sharded_vmap` is the differentiable building block
(``jax.grad`` of a loss over a sharded grid).  Guide: ``docs/sweeps.md``.
"""

from . import distributed, observables, output
from .core import evaluate, sweep
from .grid import axis_values
from .output import SweepData, load, write_netcdf, write_npz
from .sharding import sharded_vmap

__all__ = [
    "SweepData",
    "axis_values",
    "distributed",
    "evaluate",
    "load",
    "observables",
    "output",
    "sharded_vmap",
    "sweep",
    "write_netcdf",
    "write_npz",
]
