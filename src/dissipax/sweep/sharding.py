"""Sharding a chunk of grid points over devices with ``jax.sharding``.

The devices form a 1-D :class:`jax.sharding.Mesh` with axis ``"points"``.  A chunk of
``chunk`` consecutive flat indices is split into equal contiguous blocks, one per device
(``NamedSharding(mesh, P("points"))``); the 1-D axes and the chunk's start index are
replicated (``NamedSharding(mesh, P())``).  The program is an ordinary :func:`jax.jit` with
those shardings: XLA partitions the vmapped point function along the points axis, so each
device computes the points of its own block (the one-device program is the same program).
With ``jax.distributed`` initialised the mesh spans the devices of every process and the same
program runs on all of them (single program, multiple data); results are gathered with
:func:`jax.experimental.multihost_utils.process_allgather`.

Why ``jit`` with shardings and not :func:`jax.shard_map`: inside ``shard_map`` values carry
manual-axis types, which equinox-based code does not expect (``lax.cond`` branch types in
``eqx.error_if`` differ; ``eqx.filter_closure_convert``, used by optimistix's root finders,
rejects its own arguments: equinox PR #1261), so the guarded rf observables and the
overheating solver cannot be traced there.  Under ``jit`` the point function is traced as
on one device.

Run-time guards: a raising host callback in a program partitioned over several devices
stops one device while the others wait for it in the next collective (XLA then aborts the
process).  The program is therefore traced inside :func:`dissipax._checks.deferred_guards`:
a guard records its violation on the host (a non-raising callback) and the sweep raises the
guard's :class:`~dissipax._checks.DomainError` once the chunk is back, whatever the number of
devices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from .._checks import collect_guard_failures, deferred_guards, is_traced, raise_guard_failures
from .grid import Grid, points

AXIS = "points"


def make_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """Build a 1-D mesh ``"points"`` over ``devices`` (default: all devices of all processes)."""
    devs = list(jax.devices() if devices is None else devices)
    if not devs:
        raise ValueError("no devices to sweep on")
    return Mesh(np.array(devs), (AXIS,))


def replicate(x: np.ndarray, mesh: Mesh) -> jax.Array:
    """Put host array ``x`` on every device of ``mesh`` (works across processes)."""
    x = np.asarray(x)
    sharding = NamedSharding(mesh, P())
    return jax.make_array_from_callback(x.shape, sharding, lambda index: x[index])


def chunk_program(fn: Callable, grid: Grid, mesh: Mesh, chunk: int) -> Callable:
    """Build the jitted program evaluating ``fn`` on ``chunk`` consecutive grid points.

    The program maps ``(start, *axes) -> pytree of (chunk,) arrays``: the outputs of ``fn`` at
    flat indices ``start, start + 1, ...``; indices past the grid are clamped to its last
    point (padding, discarded by the caller).  The outputs are sharded over ``mesh``.  It is
    traced with deferred guards: run it inside :func:`dissipax._checks.collect_guard_failures`.
    """
    n_dev = mesh.devices.size
    if chunk % n_dev:
        raise ValueError(f"chunk {chunk} is not a multiple of the {n_dev} devices")
    last = grid.size - 1
    points_sharding = NamedSharding(mesh, P(AXIS))

    def program(start, *axes):
        idx = start + jnp.arange(chunk, dtype=start.dtype)
        idx = jax.lax.with_sharding_constraint(jnp.minimum(idx, last), points_sharding)
        with deferred_guards():
            return jax.vmap(lambda p: fn(**p))(points(idx, grid, axes))

    return jax.jit(program, out_shardings=points_sharding)


def sharded_vmap(
    fn: Callable, *, in_axes: int | None | Sequence[int | None] = 0, devices=None
) -> Callable:
    """:func:`jax.vmap` of ``fn`` whose mapped axis is sharded over ``devices``.

    ``sharded_vmap(fn, in_axes=(0, 0, None))(omega, T, params)`` equals
    ``jax.vmap(fn, in_axes=(0, 0, None))(omega, T, params)`` (the same per-point program),
    with the mapped axis of every argument (axis 0, any length: padded to a multiple of the
    device count by repeating the last element, the padding dropped) split into one block
    per device and the unmapped arguments replicated.  It is differentiable (``jax.grad`` of
    a loss summed over the points gives the one-device gradient: the cotangents of
    replicated arguments are summed over devices) and works under ``jit``.

    Parameters
    ----------
    fn
        JAX-traceable function of one point; returns a pytree of arrays.
    in_axes
        ``0`` (mapped) or ``None`` (replicated), for all positional arguments or one per
        argument (a whole argument pytree shares its entry).
    devices
        Devices to shard over (default: ``jax.devices()``).

    Returns
    -------
    callable
        ``(*args) -> outputs`` with a leading mapped axis on every output leaf.

    Notes
    -----
    Run-time guards: called on concrete arrays, an out-of-domain point raises
    :class:`~dissipax._checks.DomainError` (the guard's message and the offending value), as
    in :func:`dissipax.sweep.sweep`.  Traced (inside ``jit`` or ``grad``) no error can be
    raised safely in a program partitioned over several devices, so the guarded argument is
    NaN at an out-of-domain point (a loss summed over it is NaN): check the grid once with a
    concrete call outside ``grad``.

    Valid for
        functions of one point (real/complex leaves); mapped arguments with equal leading
        axis; in_axes entries 0 or None.
    """
    mesh = make_mesh(devices)
    n_dev = mesh.devices.size
    points_sharding = NamedSharding(mesh, P(AXIS))
    replicated = NamedSharding(mesh, P())

    def axes_of(n_args):
        if in_axes is None or isinstance(in_axes, int):
            spec = (in_axes,) * n_args
        else:
            spec = tuple(in_axes)
        if len(spec) != n_args or any(a not in (0, None) for a in spec):
            raise ValueError(
                f"in_axes must be 0, None or one 0/None per argument; got {in_axes!r} "
                f"for {n_args} arguments"
            )
        return spec

    def run(*args):
        spec = axes_of(len(args))
        mapped = [
            leaf for a, ax in zip(args, spec, strict=True) if ax == 0 for leaf in jax.tree.leaves(a)
        ]
        if not mapped:
            raise ValueError("sharded_vmap needs at least one mapped argument (in_axes=0)")
        sizes = {int(jnp.shape(leaf)[0]) if jnp.ndim(leaf) else -1 for leaf in mapped}
        if len(sizes) != 1 or -1 in sizes:
            raise ValueError(
                f"mapped arguments must share one leading axis; got sizes {sorted(sizes)}"
            )
        (n,) = sizes
        pad = -n % n_dev

        def prepare(a, ax):
            def leaf_fn(x):
                x = jnp.asarray(x)
                if ax is None:
                    return jax.lax.with_sharding_constraint(x, replicated)
                if pad:
                    x = jnp.concatenate([x, jnp.repeat(x[-1:], pad, axis=0)], axis=0)
                return jax.lax.with_sharding_constraint(x, points_sharding)

            return jax.tree.map(leaf_fn, a)

        prepared = [prepare(a, ax) for a, ax in zip(args, spec, strict=True)]
        with deferred_guards():
            out = jax.vmap(fn, in_axes=spec)(*prepared)
        return jax.tree.map(lambda y: jax.lax.with_sharding_constraint(y, points_sharding)[:n], out)

    jitted = jax.jit(run)

    def call(*args):
        if is_traced(args):
            return jitted(*args)
        with collect_guard_failures() as failures:
            out = jax.block_until_ready(jitted(*args))
            jax.effects_barrier()
            raise_guard_failures(failures, " (sharded_vmap)")
        return out

    return call


def index_dtype(n_points: int) -> np.dtype:
    """Integer dtype of flat indices: int32 when the grid allows (faster), else int64.

    Grids of 2**31 points or more need x64 (on by default in dissipax).
    """
    if n_points < 2**31:
        return np.dtype(np.int32)
    if not jax.config.read("jax_enable_x64"):
        raise ValueError(
            f"a grid of {n_points} points needs 64-bit indices: "
            "turn on x64 (unset DISSIPAX_X64=0) or sweep in parts"
        )
    return np.dtype(np.int64)


def to_host(x: jax.Array) -> np.ndarray:
    """Gather a (possibly multi-process) sharded array into one NumPy array on this host."""
    if x.is_fully_addressable:
        return np.asarray(x)
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(x, tiled=True))
