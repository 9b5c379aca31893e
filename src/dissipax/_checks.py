"""The validation layer: domain checks at the Python boundary, before tracing.

Every public function validates its user-facing arguments with :func:`check` (and
:func:`check_broadcast` for shapes).  On concrete values (Python scalars, NumPy or JAX
arrays) a violation raises :class:`DomainError`, a :class:`ValueError` whose message names
the argument, the offending value and the valid range.  On JAX tracers (inside ``jit``,
``grad`` or ``vmap``) only the static properties (dtype, shape) are checked; run-time guards
inside traced code use :func:`error_if` (:func:`equinox.error_if`, valid under
:func:`jax.shard_map` too).  Inside :func:`deferred_guards` (a sweep's sharded program) a
run-time guard records its violation on the host instead of raising, and the sweep raises
the same :class:`DomainError` once the chunk is back (:func:`raise_guard_failures`).
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator, Mapping
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
    if arr.size and arr.dtype.kind in "fiu" and _within(arr, gt, ge, lt, le, finite):
        return x  # fast path: two reductions instead of a boolean array per bound
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


def _within(arr: np.ndarray, gt, ge, lt, le, finite: bool) -> bool:
    # True when every value of a real array meets the bounds (and is finite where asked);
    # False sends check() to the element-wise path that names the offending value.  The
    # minimum and maximum are NaN when any value is NaN (then False).
    lo, hi = arr.min(), arr.max()
    if finite and not (np.isfinite(lo) and np.isfinite(hi)):
        return False
    if lo != lo or hi != hi:
        return False
    return (
        (gt is None or lo > gt)
        and (ge is None or lo >= ge)
        and (lt is None or hi < lt)
        and (le is None or hi <= le)
    )


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
    import jax.numpy as jnp  # local: keep the import of this module light

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
    return error_if(x, bad, msg)


def _varying_axes(x: Any) -> frozenset:
    """Mesh axes along which traced ``x`` varies inside :func:`jax.shard_map` (else empty)."""
    typeof = getattr(jax, "typeof", None)
    if typeof is None:  # pragma: no cover - JAX without the varying-manual-axes type system
        return frozenset()
    aval = typeof(x)
    mat = getattr(aval, "mat", None)  # JAX >= 0.10: the manual axis type of the aval
    varying = getattr(mat, "varying", None) if mat is not None else getattr(aval, "vma", None)
    return frozenset(varying or ())


_DEFERRED = contextvars.ContextVar("dissipax_deferred_guards", default=False)
_FAILURES: list[tuple[str, float]] = []
_FAILURES_LOCK = threading.Lock()


@contextlib.contextmanager
def deferred_guards() -> Iterator[None]:
    """Trace run-time guards that record a violation on the host instead of raising.

    A raising host callback (equinox's guard) is unsafe in a program that XLA partitions over
    several devices: the device that raises stops, the others wait for it in the next
    collective and the process aborts.  While tracing inside this context, :func:`error_if`
    emits a non-raising :func:`jax.debug.callback` (one per guard and call, on the guard's
    predicate reduced over the batch) that appends ``(message, offending value)`` to a
    host-side list, and returns ``x`` with NaN at the offending elements.  The caller runs
    the program inside :func:`collect_guard_failures` and raises from the list.  Wrap the
    tracing (``jit``/``lower``), not the execution.

    Valid for
        tracing only; functions traced here keep their own jit cache entries (a distinct
        trace context), so ordinary traces of the same functions are unaffected.
    """
    token = _DEFERRED.set(True)
    try:
        with _distinct_trace_context():
            yield
    finally:
        _DEFERRED.reset(token)


@contextlib.contextmanager
def collect_guard_failures() -> Iterator[list[tuple[str, float]]]:
    """Collect the violations of deferred guards (see :func:`deferred_guards`) in a block.

    Yields the live list of ``(message, offending value)``; it is emptied on entry and exit.
    Call :func:`raise_guard_failures` with it once the block's results are on the host.

    Valid for
        one collecting block at a time per process (sweeps run one after another).
    """
    with _FAILURES_LOCK:
        _FAILURES.clear()
    try:
        yield _FAILURES
    finally:
        with _FAILURES_LOCK:
            _FAILURES.clear()


def raise_guard_failures(failures: list[tuple[str, float]], where: str = "") -> None:
    """Raise :class:`DomainError` for the first recorded deferred-guard violation, if any.

    The message is the guard's own (``argument 'T' out of its domain at run time: valid
    range ...``) with the offending value and ``where`` appended.

    Valid for
        the list yielded by collect_guard_failures().
    """
    with _FAILURES_LOCK:
        recorded = list(failures)
    if not recorded:
        return
    msg, value = recorded[0]
    others = sorted({m.split(":")[0] for m, _ in recorded[1:]} - {msg.split(":")[0]})
    also = f" (also failed: {'; '.join(others)})" if others else ""
    raise DomainError(f"{msg}; got {value!r}{where}{also}")


def _record_failure(msg: str, failed, value) -> None:
    if bool(failed):
        with _FAILURES_LOCK:
            _FAILURES.append((msg, float(value)))


def _deferred_check(x: Any, pred: Any, msg: str):
    import functools

    import jax.numpy as jnp
    from equinox.internal import unvmap_any, unvmap_max

    pred = jnp.asarray(pred)
    xs, pred_b = jnp.broadcast_arrays(jax.lax.stop_gradient(jnp.asarray(x)).astype(float), pred)
    failed = unvmap_any(jnp.any(pred))
    value = unvmap_max(jnp.max(jnp.where(pred_b, xs, -jnp.inf), initial=-jnp.inf))
    jax.debug.callback(functools.partial(_record_failure, msg), failed, value, partitioned=True)
    if not jnp.issubdtype(jnp.result_type(x), jnp.inexact):
        return x
    # NaN where the guard failed (all of x when pred does not broadcast to x's shape)
    shape = jnp.shape(x)
    mask = pred if jnp.broadcast_shapes(pred.shape, shape) == shape else jnp.any(pred)
    return jnp.where(mask, jnp.asarray(jnp.nan, jnp.result_type(x)), x)


@contextlib.contextmanager
def _distinct_trace_context() -> Iterator[None]:
    """Make jit caches tell deferred traces from ordinary ones.

    A function jitted by the user (or by dissipax) and traced once in each mode must not
    reuse the other mode's jaxpr: an ordinary trace holds raising callbacks (unsafe in a
    partitioned program), a deferred one recording callbacks that nobody would raise from.
    JAX keys its trace caches on the XLA-metadata context, so a deferred trace runs under a
    (harmless) metadata attribute.
    """
    try:
        from jax.experimental.xla_metadata import set_xla_metadata
    except ImportError:  # pragma: no cover - older JAX
        yield
        return
    with set_xla_metadata(dissipax_guards="deferred"):
        yield


def error_if(x: Any, pred: Any, msg: str):
    """:func:`equinox.error_if` that is also valid on device-varying values in ``shard_map``.

    Returns ``x`` carrying a run-time check: where ``pred`` is true, evaluating it raises with
    ``msg`` (``EQX_ON_ERROR=nan`` gives NaN instead, ``off`` nothing).

    Inside :func:`jax.shard_map` (with its default ``check_vma=True``) a value computed from
    sharded input has a *varying* type (``float64[]{V:points}``).  equinox's check is a
    ``lax.cond`` whose error branch returns the result of a host callback, which is never
    varying, so the two branches' types differ and tracing fails ("the manual axis types do
    not match").  For a varying ``x`` the check is therefore put on an unvarying scalar zero
    (the callback's branch then has the type of the other branch) and that zero is added to
    ``x``: the same check and message, the same value and derivative (``d(x + 0) = dx``), NaN
    on the bad points under ``EQX_ON_ERROR=nan``.

    Inside :func:`deferred_guards` the check records a violation on the host instead of
    raising (for programs partitioned over several devices; see there).

    Valid for
        arrays and tracers of any dtype except bool, inside or outside jit/vmap/grad and
        shard_map (with or without check_vma).
    """
    import equinox as eqx  # local: keep the import of this module light
    import jax.numpy as jnp

    if _DEFERRED.get():
        return _deferred_check(x, pred, msg)
    if not _varying_axes(x):
        return eqx.error_if(x, pred, msg)
    zero = eqx.error_if(jnp.zeros((), jnp.result_type(x)), jnp.any(pred), msg)
    return x + zero


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
