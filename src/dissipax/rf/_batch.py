"""Broadcasting of pointwise kernels: write the physics for one point, vmap it once here."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp


@functools.partial(jax.jit, static_argnums=0)
def _apply(kernel, args):
    shape = jnp.broadcast_shapes(*(a.shape for a in args))
    flat = [jnp.broadcast_to(a, shape).reshape(-1) for a in args]
    out = jax.vmap(kernel)(*flat)
    return out.reshape(shape)


@functools.cache
def bind(fn, **static):
    """``functools.partial(fn, **static)``, cached so that jit sees the same callable.

    Valid for
        a module-level function and hashable static keyword values.
    """
    return functools.partial(fn, **static)


def broadcast_apply(kernel, *args):
    """Evaluate scalar ``kernel(*scalars)`` on the broadcast of ``args`` (float arrays).

    ``kernel`` must be a module-level function or a :func:`bind` of one (static keywords),
    so that the compiled call is cached.

    Valid for
        real arrays that broadcast together (checked by the public callers); internal.
    """
    args = tuple(jnp.asarray(a, dtype=float) for a in args)
    return _apply(kernel, args)
