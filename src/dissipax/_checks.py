"""The validation layer: domain checks at the Python boundary, before tracing.

Every public function validates its user-facing arguments with :func:`check` (and
:func:`check_broadcast` for shapes).  On concrete values (Python scalars, NumPy or JAX
arrays) a violation raises :class:`DomainError`, a :class:`ValueError` whose message names
the argument, the offending value and the valid range.  On JAX tracers (inside ``jit``,
``grad`` or ``vmap``) only the static properties (dtype, shape) are checked; run-time guards
inside traced code use :func:`equinox.error_if`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax
import numpy as np


class DomainError(ValueError):
    """An argument outside the domain where the model or formula is valid."""


def is_traced(x: Any) -> bool:
    """Whether ``x`` (or any leaf of it) is an abstract JAX tracer.

    Valid for
        any pytree.
    """
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(x))


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _describe(name: str, arr: np.ndarray, bad: np.ndarray) -> str:
    idx = np.argwhere(bad)
    first = tuple(int(i) for i in idx[0]) if arr.ndim else ()
    val = arr[first] if arr.ndim else arr[()]
    where = f" at index {first}" if arr.ndim else ""
    more = f" ({int(bad.sum())} of {arr.size} values)" if arr.size > 1 else ""
    return f"got {val!r}{where}{more}"


def check(
    name: str,
    x: Any,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    finite: bool = True,
    real: bool = True,
    valid: str | None = None,
):
    """Check argument ``name`` and return it unchanged.

    Parameters
    ----------
    name
        The argument's name as the user wrote it (used in the message).
    x
        Scalar or array.  Tracers are passed through after the static dtype check.
    gt, ge, lt, le
        Strict / non-strict bounds (``None``: unbounded).
    finite
        Reject NaN and ±inf.
    real
        Reject complex input (physical parameters here are real).
    valid
        Optional text appended to the message, e.g. the physical meaning of the range.

    Raises
    ------
    DomainError
        If ``x`` is not numeric, is complex where ``real``, or violates a bound.

    Valid for
        numbers and numeric arrays (bool, str, object arrays rejected); tracers pass after
        the static dtype check.
    """
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        if isinstance(x, bool) or not isinstance(x, (int, float, complex, list, tuple)):
            if not isinstance(x, (np.number, np.ndarray)):
                raise DomainError(
                    f"argument '{name}' must be a number or an array of numbers; "
                    f"got {type(x).__name__} {x!r}"
                )
        dtype = np.asarray(x).dtype
    if np.dtype(dtype).kind not in "fiuc":
        raise DomainError(f"argument '{name}' must be numeric; got dtype {dtype}")
    if real and np.dtype(dtype).kind == "c":
        raise DomainError(
            f"argument '{name}' must be real; got a complex value (dtype {dtype}). "
            "Pass the real physical parameter, not a complex one."
        )
    if is_traced(x):
        return x
    arr = np.asarray(x)
    extra = f" ({valid})" if valid else ""
    if finite:
        bad = ~np.isfinite(arr)
        if bad.any():
            raise DomainError(
                f"argument '{name}' must be finite{extra}; {_describe(name, arr, bad)}"
            )
    if np.iscomplexobj(arr):
        return x
    for bound, op, sym in (
        (gt, np.less_equal, ">"),
        (ge, np.less, ">="),
        (lt, np.greater_equal, "<"),
        (le, np.greater, "<="),
    ):
        if bound is None:
            continue
        with np.errstate(invalid="ignore"):
            bad = op(arr, bound)
        if np.any(bad):
            rng = _range_text(gt, ge, lt, le)
            raise DomainError(
                f"argument '{name}' must be {sym} {_fmt(bound)} (valid range: {rng}){extra}; "
                f"{_describe(name, arr, bad)}"
            )
    return x


def _range_text(gt, ge, lt, le) -> str:
    lo = f"({_fmt(gt)}" if gt is not None else (f"[{_fmt(ge)}" if ge is not None else "(-inf")
    hi = f"{_fmt(lt)})" if lt is not None else (f"{_fmt(le)}]" if le is not None else "inf)")
    return f"{lo}, {hi}"


def check_broadcast(**arrays: Any) -> tuple[int, ...]:
    """Check that the named arrays broadcast together; return the broadcast shape.

    Valid for
        any array-likes; shapes that do not broadcast raise DomainError naming all
        arguments.
    """
    shapes = {k: np.shape(v) for k, v in arrays.items()}
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError:
        desc = ", ".join(f"{k}{tuple(s)}" for k, s in shapes.items())
        raise DomainError(f"arguments do not broadcast together: {desc}") from None


def check_same_shape(**arrays: Any) -> tuple[int, ...]:
    """Check that the named arrays have identical shapes; return that shape.

    Valid for
        any array-likes.
    """
    shapes = {k: tuple(np.shape(v)) for k, v in arrays.items()}
    if len(set(shapes.values())) > 1:
        desc = ", ".join(f"{k}{s}" for k, s in shapes.items())
        raise DomainError(f"arguments must have the same shape: {desc}")
    return next(iter(shapes.values()))


def check_choice(name: str, value: Any, choices: Mapping | tuple | list) -> Any:
    """Check that ``value`` is one of ``choices`` (a keyword like ``law=``).

    Valid for
        hashable values and a collection of allowed choices.
    """
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise DomainError(f"argument '{name}' must be one of {opts}; got {value!r}")
    return value


def guard(
    name: str,
    x: Any,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    finite: bool = True,
    valid: str | None = None,
):
    """:func:`check` at the Python boundary, and an :func:`equinox.error_if` when traced.

    On concrete input this is :func:`check` (a :class:`DomainError` before tracing).  On a
    tracer (inside ``jit``, ``grad``, ``vmap``, a fit or a sweep) the returned array carries
    a run-time guard: evaluating it with a value outside the domain raises an error whose
    message names the argument and the valid range (``EQX_ON_ERROR`` controls how).  Use the
    *returned* value so the guard stays in the computation.  Real arguments only.

    Valid for
        real numbers and arrays; under jit/vmap/grad the run-time guard raises
        (EQX_ON_ERROR=raise, the default) when the value leaves the domain.
    """
    check(name, x, gt=gt, ge=ge, lt=lt, le=le, finite=finite, real=True, valid=valid)
    if not is_traced(x):
        return x
    import equinox as eqx  # local: keep the import of this module light
    import jax.numpy as jnp

    bad = jnp.zeros(jnp.shape(x), bool)
    if finite:
        bad = bad | ~jnp.isfinite(x)
    for bound, op in (
        (gt, jnp.less_equal),
        (ge, jnp.less),
        (lt, jnp.greater_equal),
        (le, jnp.greater),
    ):
        if bound is not None:
            bad = bad | op(x, bound)
    extra = f" ({valid})" if valid else ""
    msg = (
        f"argument '{name}' out of its domain at run time: valid range "
        f"{_range_text(gt, ge, lt, le)}{', finite' if finite else ''}{extra}"
    )
    return eqx.error_if(x, bad, msg)


def check_result(name: str, value: Any, *, hint: str = "") -> Any:
    """Raise instead of returning a silent NaN or inf (overflow, 0/0) on concrete output.

    Concrete results only (traced results pass unchanged): a non-finite element of ``value``
    raises :class:`DomainError` naming the result, the first index and what to do.  Use it
    where valid inputs can still exceed the float range (e.g. 1/σ with σ = 1e-310).

    Valid for
        any numeric result; complex results are checked in both parts.
    """
    if is_traced(value):
        return value
    arr = np.asarray(value)
    bad = ~np.isfinite(arr)
    if bad.any():
        kind = (
            "overflows"
            if np.isinf(arr[bad]).any()
            else "is NaN (an intermediate overflowed, or 0/0)"
        )
        raise DomainError(
            f"result '{name}' {kind} in {np.dtype(arr.dtype).name}: {_describe(name, arr, bad)}"
            + (f"; {hint}" if hint else "")
        )
    return value
