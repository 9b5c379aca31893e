"""``sweep(fn, **axes)``: a function evaluated on the outer product of named 1-D axes."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import numpy as np

from .. import _checks, _progress
from . import chunking, output, sharding
from .grid import Grid, make_grid

_RESERVED = (
    "fn",
    "units",
    "fixed",
    "name",
    "chunk_size",
    "memory_budget",
    "devices",
    "progress",
    "desc",
    "as_xarray",
)


def _output_names(
    fn: Callable, grid: Grid, fixed: Mapping[str, Any], name: str | None
) -> tuple[bool, dict[str, np.dtype]]:
    """Trace ``fn`` at one abstract point: (returns a dict?, {output name: dtype})."""
    point = {
        n: jax.ShapeDtypeStruct((), v.dtype) for n, v in zip(grid.names, grid.values, strict=True)
    }
    order: list[str] = []

    def traced(p):
        out = fn(**p, **fixed)
        if isinstance(out, Mapping):
            order.extend(out)  # pytrees sort dict keys; keep the user's order
        return out

    try:
        shapes = jax.eval_shape(traced, point)
    except Exception as exc:
        raise TypeError(
            f"sweep could not trace fn at one grid point ({exc.__class__.__name__}: {exc}). "
            f"fn must be a JAX-traceable function taking the axes {list(grid.names)}"
            + (f" and the fixed parameters {list(fixed)}" if fixed else "")
            + " as scalar keyword arguments"
        ) from exc
    is_dict = isinstance(shapes, Mapping)
    if not is_dict:
        if name is None:
            fname = getattr(fn, "__name__", "")
            name = fname if fname.isidentifier() else "value"
        shapes = {name: shapes}
    out = {}
    for key in order or list(shapes):
        leaf = shapes[key]
        if not isinstance(key, str) or not key.isidentifier():
            raise TypeError(f"fn returned a dict with key {key!r}; keys must be identifiers")
        if not isinstance(leaf, jax.ShapeDtypeStruct) or leaf.shape != ():
            what = getattr(leaf, "shape", type(leaf).__name__)
            raise TypeError(
                f"fn must return a scalar (real or complex) or a dict of scalars at "
                f"each grid point; output {key!r} is {what}"
            )
        if key in grid.names:
            raise ValueError(f"output {key!r} has the name of an axis; rename one of them")
        out[key] = np.dtype(leaf.dtype)
    return is_dict, out


def _check_units(units: Mapping[str, str] | None, names: Sequence[str]) -> dict[str, str]:
    units = dict(units or {})
    for k, v in units.items():
        if k not in names:
            raise ValueError(
                f"units given for {k!r}, which is neither an axis nor an output; "
                f"known names: {', '.join(names)}"
            )
        if not isinstance(v, str):
            raise TypeError(f"unit of {k!r} must be a string; got {v!r}")
    return units


def evaluate(
    fn: Callable,
    *,
    units: Mapping[str, str] | None = None,
    fixed: Mapping[str, Any] | None = None,
    name: str | None = None,
    chunk_size: int | None = None,
    memory_budget: float | None = None,
    devices: Sequence[jax.Device] | None = None,
    progress: bool = True,
    desc: str = "sweep",
    **axes,
) -> output.SweepData:
    """Run a sweep and return the raw :class:`~dissipax.sweep.output.SweepData`.

    Same arguments as :func:`sweep`, which wraps this function; use it where you want the
    arrays and metadata without xarray (file writers, plots).

    Valid for
        as sweep().
    """
    clash = [k for k in axes if k in _RESERVED]
    if clash:  # pragma: no cover - Python already binds these names to the keywords
        raise ValueError(f"axis names {clash} are reserved keywords of sweep()")
    grid = make_grid(axes)
    fixed = dict(fixed or {})
    for k in fixed:
        if k in grid.names:
            raise ValueError(f"{k!r} is both an axis and a fixed parameter")
    is_dict, dtypes = _output_names(fn, grid, fixed, name)
    units = _check_units(units, [*grid.names, *dtypes])

    def point_fn(**p):
        out = fn(**p, **fixed)
        return dict(out) if is_dict else {next(iter(dtypes)): out}

    mesh = sharding.make_mesh(devices)
    n_dev = mesh.devices.size
    idt = sharding.index_dtype(grid.size)
    axes_dev = tuple(sharding.replicate(v, mesh) for v in grid.values)
    start_spec = jax.ShapeDtypeStruct(
        (), idt, sharding=jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec())
    )
    compile_s = 0.0

    def compile_chunk(chunk: int):
        nonlocal compile_s
        t0 = time.perf_counter()
        program = sharding.chunk_program(point_fn, grid, mesh, chunk)
        compiled = program.lower(start_spec, *axes_dev).compile()
        compile_s += time.perf_counter() - t0
        return compiled

    plan, compiled = chunking.plan(
        grid.size,
        n_dev,
        chunk_size=chunk_size,
        memory_budget=memory_budget,
        compile_chunk=compile_chunk,
    )
    program = compiled.get(plan.chunk) or compile_chunk(plan.chunk)

    buffers = {k: np.empty(grid.size, dtype=dt) for k, dt in dtypes.items()}
    multiprocess = jax.process_count() > 1

    def start_array(s: int):
        s = np.asarray(s, dtype=idt)
        return sharding.replicate(s, mesh) if multiprocess else s

    def describe(k: int) -> str:
        # chunk k has finished; chunk k + 1 may be running (dispatched before k's copy)
        lo, hi = plan.bounds(k)[0], plan.bounds(min(k + 1, plan.n_chunks - 1))[1]
        return (
            f" at a grid point of the sweep over ({', '.join(grid.names)}) with flat "
            f"(C-order) index in {lo}..{hi - 1}"
        )

    def collect(k: int, res) -> None:
        lo, hi = plan.bounds(k)
        host = {key: sharding.to_host(arr)[: hi - lo] for key, arr in res.items()}
        if not multiprocess:  # the chunk ran: its guards too
            _checks.raise_guard_failures(failures, describe(k))
        # (several processes: a process that raised here would leave the others waiting in
        # the next chunk's collectives, and they abort when it exits; every process raises
        # after the last chunk instead, below)
        for key, arr in host.items():
            buffers[key][lo:hi] = arr

    t0 = time.perf_counter()
    pending = None
    bar = _progress.progress(
        range(plan.n_chunks), desc=desc, total=plan.n_chunks, enabled=None if progress else False
    )
    with _checks.collect_guard_failures() as failures:
        for k in bar:
            res = program(start_array(k * plan.chunk), *axes_dev)  # dispatched asynchronously
            if pending is not None:
                collect(*pending)  # copy the previous chunk while this one computes
            pending = (k, res)
        collect(*pending)
        jax.effects_barrier()
        _checks.raise_guard_failures(failures, describe(pending[0]))
    eval_s = time.perf_counter() - t0

    dev0 = mesh.devices.flat[0]
    attrs = {
        **{f"fixed_{k}": v for k, v in fixed.items()},
        "n_points": grid.size,
        "n_devices": n_dev,
        "n_processes": jax.process_count(),
        "device_kind": dev0.device_kind,
        "platform": dev0.platform,
        "chunk_size": plan.chunk,
        "n_chunks": plan.n_chunks,
        "compile_s": compile_s,
        "eval_s": eval_s,
    }
    if plan.bytes_per_point is not None:
        attrs["bytes_per_point"] = plan.bytes_per_point
    data = {k: v.reshape(grid.shape) for k, v in buffers.items()}
    return output.SweepData(
        grid.names,
        dict(zip(grid.names, grid.values, strict=True)),
        data,
        units,
        attrs,
        dict_output=is_dict,
    )


def sweep(
    fn: Callable,
    *,
    units: Mapping[str, str] | None = None,
    fixed: Mapping[str, Any] | None = None,
    name: str | None = None,
    chunk_size: int | None = None,
    memory_budget: float | None = None,
    devices: Sequence[jax.Device] | None = None,
    progress: bool = True,
    desc: str = "sweep",
    as_xarray: bool | None = None,
    **axes,
):
    """Evaluate ``fn(**point)`` on the outer product of named 1-D axes, on all devices.

    The grid ``axis_1 × axis_2 × ...`` is flattened, cut into memory-bounded chunks and each
    chunk is sharded over the devices (:mod:`dissipax.sweep.sharding`); every chunk runs
    the same compiled program, so a sweep compiles once.

    Parameters
    ----------
    fn
        JAX-traceable function of scalar keyword arguments: the axes and the ``fixed``
        parameters.  It returns a real or complex scalar, or a dict of named scalars (one
        output variable each).  It is vmapped over the points: write it for one point.
    **axes
        ``name=values``: 1-D array-likes (finite, real).  The dims of the result are in the
        order given.  Float axes are converted to the working dtype (float64 by default).
    units
        ``name -> unit string`` for axes and outputs (stored as ``attrs["units"]``).
    fixed
        Parameters passed to every call of ``fn`` unchanged (Python numbers or booleans, kept
        static), recorded in the result's attributes as ``fixed_<name>``.
    name
        Name of the output variable when ``fn`` returns a scalar (default: ``fn.__name__``,
        or ``"value"`` for a lambda).
    chunk_size
        Points per compiled call (rounded up to a multiple of the device count).
    memory_budget
        Bytes of device memory per device one call may use; the chunk is derived from XLA's
        memory analysis of a probe compilation (see :mod:`dissipax.sweep.chunking`).  Give
        ``chunk_size`` or ``memory_budget``, not both; neither means a budget of 256 MiB.
    devices
        Devices to shard over (default: ``jax.devices()``, all devices of all processes;
        ``[jax.devices()[0]]`` for one device).
    progress
        Show a progress bar over chunks (silenced globally by ``--quiet``/``DISSIPAX_QUIET``).
    desc
        Label of the progress bar.
    as_xarray
        ``True``: return an :class:`xarray.Dataset`; ``False``: NumPy arrays; ``None``
        (default): a Dataset when xarray is installed.

    Returns
    -------
    xarray.Dataset or numpy.ndarray or dict
        A Dataset with one coordinate per axis, one data variable per output (units in
        ``attrs["units"]``) and metadata (fixed parameters, devices, chunking, ``compile_s``,
        ``eval_s``) in ``attrs``.  Without xarray: the array of shape
        ``(len(axis_1), len(axis_2), ...)``, or a dict of them when ``fn`` returns a dict.

    Raises
    ------
    DomainError
        A run-time guard of ``fn`` failed at a grid point (message names the argument).

    Notes
    -----
    Axis names may not be one of the keywords above (``units``, ``fixed``, ``name``, ...).
    Grid points past the end of the last chunk are padded with the last grid point and
    discarded.  Results do not depend on the chunk size or the number of devices beyond
    rounding (tested to 1e-12).

    Examples
    --------
    >>> import jax.numpy as jnp, numpy as np
    >>> def drude(omega, tau):
    ...     return 1.0 / (1.0 - 1j * omega * tau)
    >>> ds = sweep(drude, omega=np.linspace(0, 10, 101), tau=np.array([0.5, 1.0]),
    ...            units={"omega": "rad/s", "tau": "s"}, progress=False)  # doctest: +SKIP
    >>> ds["drude"].shape  # doctest: +SKIP
    (101, 2)

    Run-time guards: a grid point outside ``fn``'s domain (where ``fn`` guards it, as every
    dissipax function does) raises :class:`~dissipax._checks.DomainError` with the guard's
    message, the offending value and where in the grid, the same on any number of devices
    (the guards are deferred inside the sharded program and raised on the host; see
    ``docs/sweeps.md``).

    Valid for
        fn pure and jax-traceable on scalar points; axes 1-D, finite, real, non-empty
        (ValueError naming the axis otherwise). Values outside fn's own domain raise
        DomainError when fn guards them with dissipax._checks (guard/error_if); a bare
        equinox.error_if that fires in fn aborts a sweep over several devices.
    """
    result = evaluate(
        fn,
        units=units,
        fixed=fixed,
        name=name,
        chunk_size=chunk_size,
        memory_budget=memory_budget,
        devices=devices,
        progress=progress,
        desc=desc,
        **axes,
    )
    if as_xarray is None:
        as_xarray = output.have_xarray()
    if as_xarray:
        return result.to_xarray()
    return result.data if result.dict_output else next(iter(result.data.values()))
