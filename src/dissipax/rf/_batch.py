"""Broadcasting of pointwise kernels: write the physics for one point, vmap it once here."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from .._precision import float_dtype


@functools.partial(jax.jit, static_argnums=(0, 2))
def _apply(kernel, args, prepare, shared=None):
    shape = jnp.broadcast_shapes(*(a.shape for a in args))
    flat = [jnp.broadcast_to(a, shape).reshape(-1) for a in args]
    if shared is not None:
        out = kernel(*flat, shared)
    elif prepare is None:
        out = jax.vmap(kernel)(*flat)
    else:
        out = kernel(*flat, prepare(*flat))
    return out.reshape(shape)


@functools.cache
def bind(fn, **static):
    """``functools.partial(fn, **static)``, cached so that jit sees the same callable.

    Valid for
        a module-level function and hashable static keyword values.
    """
    return functools.partial(fn, **static)


def _as_input(a):
    """Return a kernel input: a JAX array (or tracer) as a float JAX array, host data as NumPy.

    Host arrays go to the compiled call as they are: its C++ dispatch transfers them in one
    step (``jnp.asarray`` first costs ~0.1 ms per 10^4-point array, a third of a warm
    10^4-point conductivity call on CPU).  Device arrays stay on their device.
    """
    if isinstance(a, jax.Array):
        return jnp.asarray(a, dtype=float)
    return np.asarray(a, dtype=float_dtype())


def broadcast_apply(kernel, *args):
    """Evaluate scalar ``kernel(*scalars)`` on the broadcast of ``args`` (float arrays).

    ``kernel`` must be a module-level function or a :func:`bind` of one (static keywords),
    so that the compiled call is cached.

    Valid for
        real arrays that broadcast together (checked by the public callers); internal.
    """
    args = tuple(_as_input(a) for a in args)
    return _apply(kernel, args, None)


def broadcast_apply_shared(kernel, prepare, *args, shared=None):
    """Like :func:`broadcast_apply`, with data shared by every point (e.g. quadrature nodes).

    ``prepare(*flat)`` (the flattened broadcast inputs) returns a pytree passed as the last
    argument of ``kernel(*flat, shared)``: work that does not depend on the point (nodes of
    a rule whose parameters are chosen from the whole call) is done once per call, not once
    per point.  ``kernel`` is called on the flat arrays, not vmapped: it must be elementwise
    in them (a kernel that sums over quadrature nodes with
    :func:`dissipax.rf.quadrature.node_sum` makes one fused pass over the points per node,
    ~3x faster on CPU than a vmapped per-point sum).  Both must be module-level
    functions or :func:`bind` of one.  Under an outer ``vmap`` each instance prepares its
    own (correct, slower).  ``shared`` (a pytree of arrays, e.g. built on the host from
    concrete inputs; then ``prepare`` is ``None``) is passed instead, traced: new values
    reuse the executable, and nothing of the rule is compiled.

    Valid for
        real arrays that broadcast together (checked by the public callers); internal.
    """
    args = tuple(_as_input(a) for a in args)
    return _apply(kernel, args, prepare, shared)
