"""The fit problem: validated inputs, and the residual shared by least squares and NUTS.

Everything here runs at the Python boundary, on concrete arrays, *before* anything is
traced or compiled: bad input raises :class:`~dissipax.DomainError` naming the argument.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError, check
from .._precision import complex_dtype, float_dtype
from .parameters import Parameter, as_parameter


@dataclasses.dataclass(frozen=True)
class Layout:
    """Static description of a problem (hashable: it is part of the compiled call's key)."""

    names: tuple[str, ...]  # every parameter, in the user's order
    kinds: tuple[str, ...]  # internal map per parameter
    vary: tuple[bool, ...]
    complex_leaves: tuple[bool, ...]  # per leaf of y: residual has real and imaginary parts

    @functools.cached_property
    def vary_names(self) -> tuple[str, ...]:
        """Names of the varying parameters (the order of covariance rows)."""
        return tuple(n for n, v in zip(self.names, self.vary) if v)

    @functools.cached_property
    def vary_index(self) -> tuple[int, ...]:
        """Positions of the varying parameters among all parameters."""
        return tuple(i for i, v in enumerate(self.vary) if v)

    def residuals(self, counts):
        """Real residuals of ``counts`` points per leaf of ``y`` (a complex point counts 2).

        ``counts``: one count (int or array, NumPy or traced) per leaf, in leaf order.
        """
        return sum((2 if c else 1) * k for c, k in zip(self.complex_leaves, counts))


@dataclasses.dataclass
class Problem:
    """Validated, converted inputs of one call."""

    layout: Layout
    params: dict[str, Parameter]
    x: Any
    y: Any
    sigma: Any  # same structure as y, leaves broadcast to the leaves' shapes
    p0: np.ndarray  # (n_param,) or (n_batch, n_param) starting physical values
    lo: np.ndarray  # (n_param,) lower bounds, -inf where none
    hi: np.ndarray  # (n_param,) upper bounds, +inf where none
    ndata: int
    n_batch: int | None  # None: a single fit
    batch_x: bool
    sigma_given: bool
    mask: Any = None  # same structure as y (bool leaves of the leaves' shapes); None: all True
    iterative: bool = False  # the model runs loops of its own (an inner solve, a quadrature loop)

    @functools.cached_property
    def ndata_each(self) -> np.ndarray:
        """Real residuals per fit, masked points excluded: ``(n_batch,)`` (``(1,)`` single).

        Computed once (a problem is not changed after :func:`prepare`), read-only.
        """
        if self.mask is None:
            out = np.full(1 if self.n_batch is None else self.n_batch, self.ndata)
        else:
            axes = lambda m: tuple(range(1 if self.n_batch is not None else 0, np.ndim(m)))  # noqa: E731
            counts = [np.sum(np.asarray(m), axis=axes(m)) for m in jax.tree.leaves(self.mask)]
            out = np.atleast_1d(self.layout.residuals(counts)).astype(int)
        out.flags.writeable = False
        return out


def prepare(
    model: Callable,
    params: Mapping[str, Parameter | float],
    x: Any,
    y: Any,
    sigma: Any,
    *,
    batched: bool,
    batch_x: bool,
    need_sigma: bool = False,
    mask: Any = None,
) -> Problem:
    """Validate and convert the user's inputs (no tracing beyond a shape evaluation).

    ``mask`` (optional): boolean arrays with the structure of ``y`` (or one array for
    every leaf), ``False`` where a point is not data (padding of ragged curves): such
    points add nothing to chi2, the Jacobian, ``ndata`` or the degrees of freedom.
    """
    if not callable(model):
        raise DomainError(f"argument 'model' must be callable model(x, **params); got {model!r}")
    if batch_x and not batched:
        raise DomainError("batch_x=True needs batched=True (x gets a leading batch axis)")
    pars = check_params(params)

    y_leaves, y_def = jax.tree.flatten(y)
    if not y_leaves:
        raise DomainError("argument 'y' holds no data")
    y_leaves = [
        _data_leaf("y", leaf, i, len(y_leaves), complex_ok=True) for i, leaf in enumerate(y_leaves)
    ]
    x_leaves, x_def = jax.tree.flatten(x)
    x_leaves = [
        _data_leaf("x", leaf, i, len(x_leaves), complex_ok=True) for i, leaf in enumerate(x_leaves)
    ]

    n_batch = None
    if batched:
        n_batch = _batch_size(y_leaves, "y")
        if batch_x:
            nx = _batch_size(x_leaves, "x") if x_leaves else n_batch
            if nx != n_batch:
                raise DomainError(f"batch_x=True: x has leading axis {nx} but y has {n_batch} fits")

    # sigma: None, one array broadcast to every leaf, or the structure of y
    if sigma is None:
        if need_sigma:
            raise DomainError("argument 'sigma' is required here")
        s_leaves = [np.ones(np.shape(leaf), float_dtype()) for leaf in y_leaves]
    else:
        s_all, s_def = jax.tree.flatten(sigma)
        if s_def == y_def:
            pass
        elif len(s_all) == 1:
            s_all = s_all * len(y_leaves)
        else:
            raise DomainError(
                f"argument 'sigma' must be one array or have the structure of y ({y_def}); "
                f"got {s_def}"
            )
        s_leaves = []
        for i, (s, yl) in enumerate(zip(s_all, y_leaves)):
            nm = _leaf_name("sigma", i, len(y_leaves))
            s = np.asarray(
                check(nm, s, gt=0.0, valid="standard deviations of the data"), dtype=float_dtype()
            )
            try:
                s = np.broadcast_to(s, np.shape(yl))
            except ValueError:
                raise DomainError(
                    f"argument '{nm}' of shape {s.shape} does not broadcast to the shape "
                    f"{np.shape(yl)} of {_leaf_name('y', i, len(y_leaves))}"
                ) from None
            s_leaves.append(s)

    m_leaves = None
    if mask is not None:
        m_all, m_def = jax.tree.flatten(mask)
        if len(m_all) == 1 and m_def != y_def:
            m_all = m_all * len(y_leaves)
        elif m_def != y_def:
            raise DomainError(
                f"argument 'mask' must be one array or have the structure of y ({y_def}); "
                f"got {m_def}"
            )
        m_leaves = []
        for i, (m, yl) in enumerate(zip(m_all, y_leaves)):
            nm = _leaf_name("mask", i, len(y_leaves))
            m = np.asarray(m)
            if m.dtype != bool:
                raise DomainError(f"argument '{nm}' must be boolean (True: data, False: padding)")
            try:
                m_leaves.append(np.broadcast_to(m, np.shape(yl)))
            except ValueError:
                raise DomainError(
                    f"argument '{nm}' of shape {m.shape} does not broadcast to the shape "
                    f"{np.shape(yl)} of {_leaf_name('y', i, len(y_leaves))}"
                ) from None

    p0, lo, hi = parameter_arrays(pars, n_batch)
    names = tuple(pars)
    # host (NumPy) arrays: the solve takes them as they are (jnp.asarray here would compile
    # small conversion programs of its own, ~0.1 s of a first fit)
    x_conv = jax.tree.unflatten(x_def, x_leaves)
    y_conv = jax.tree.unflatten(y_def, y_leaves)
    s_conv = jax.tree.unflatten(y_def, s_leaves)

    # evaluate the model's output structure and shapes on one dataset (no compilation)
    one = (lambda t: jax.tree.map(lambda a: a[0], t)) if batched else (lambda t: t)
    x_one = one(x_conv) if batch_x else x_conv
    y_one = one(y_conv)
    try:
        out, iterative = _model_output(model, x_one, names)
    except DomainError:
        raise
    except Exception as err:  # the user's model failed: say where, keep the cause
        raise DomainError(
            f"model(x, **params) failed on one dataset with params {list(names)}: "
            f"{type(err).__name__}: {err}"
        ) from err
    o_leaves, o_def = jax.tree.flatten(out)
    y_one_leaves = jax.tree.leaves(y_one)
    if o_def != y_def:
        raise DomainError(
            f"model output structure {o_def} does not match the structure of y {y_def} "
            "(for a joint fit pass y as the same tuple/dict the model returns)"
        )
    complex_leaves = []
    for i, (o, yl) in enumerate(zip(o_leaves, y_one_leaves)):
        if tuple(o.shape) != tuple(yl.shape):
            nl = len(o_leaves)
            mo = "model output" if nl == 1 else f"model output leaf {i}"
            what = _leaf_name("y", i, nl) + (" (one dataset of the batch)" if batched else "")
            raise DomainError(
                f"{mo} has shape {tuple(o.shape)} but {what} has shape {tuple(yl.shape)}: "
                "the model must return one prediction per data point"
            )
        is_c = jnp.issubdtype(o.dtype, jnp.complexfloating) or jnp.iscomplexobj(yl)
        complex_leaves.append(bool(is_c))

    layout = Layout(
        names=names,
        kinds=tuple(pars[n].kind for n in names),
        vary=tuple(pars[n].vary for n in names),
        complex_leaves=tuple(complex_leaves),
    )
    ndata = layout.residuals(int(np.prod(leaf.shape)) for leaf in y_one_leaves)
    nvary = sum(layout.vary)
    prob = Problem(
        layout=layout,
        params=pars,
        x=x_conv,
        y=y_conv,
        sigma=s_conv,
        p0=p0,
        lo=lo,
        hi=hi,
        ndata=ndata,
        n_batch=n_batch,
        batch_x=batch_x,
        sigma_given=sigma is not None,
        mask=None if m_leaves is None else jax.tree.unflatten(y_def, m_leaves),
        iterative=iterative,
    )
    few = prob.ndata_each < nvary
    if np.any(few):
        n_few = int(prob.ndata_each[np.argmax(few)])
        where = f" (fit {int(np.argmax(few))})" if n_batch is not None else ""
        raise DomainError(
            f"{n_few} data points{where} cannot determine {nvary} varying parameters: "
            "add data or fix parameters (vary=False)"
        )
    return prob


def _model_output(model: Callable, x_one, names: tuple[str, ...]):
    """Return the model's output shapes on one dataset, and whether it runs loops.

    Traced once per model and input structure (shapes, dtypes, parameter names): a repeated
    fit of the same shapes, e.g. a scan over temperature windows, does not trace the model
    again just to check it (:data:`_MODEL_OUTPUTS`, the most recent entries).
    """
    leaves, tdef = jax.tree.flatten(x_one)
    sig = (tdef, tuple((np.shape(a), np.result_type(a).str) for a in leaves), names)
    key = (model, sig, str(float_dtype()))
    try:
        hit = _MODEL_OUTPUTS.get(key)
    except TypeError:  # an unhashable model (e.g. a module holding arrays): trace every time
        key, hit = None, None
    if hit is not None:
        _MODEL_OUTPUTS.move_to_end(key)
        return hit
    p_one = {n: jax.ShapeDtypeStruct((), float_dtype()) for n in names}
    jaxpr, out = jax.make_jaxpr(lambda xx, pp: model(xx, **pp), return_shape=True)(x_one, p_one)
    result = (out, has_loops(jaxpr.jaxpr))
    if key is not None:
        _MODEL_OUTPUTS[key] = result
        while len(_MODEL_OUTPUTS) > _MODEL_OUTPUTS_MAX:
            _MODEL_OUTPUTS.popitem(last=False)
    return result


#: the most recent model output structures (:func:`_model_output`), least recent first
_MODEL_OUTPUTS: collections.OrderedDict = collections.OrderedDict()
_MODEL_OUTPUTS_MAX = 256


def has_loops(jaxpr) -> bool:
    """Whether ``jaxpr`` (or any jaxpr nested in its equations) contains a loop primitive."""
    for eqn in jaxpr.eqns:
        if eqn.primitive.name in _LOOP_PRIMITIVES:
            return True
        for v in eqn.params.values():
            for sub in v if isinstance(v, (tuple, list)) else (v,):
                inner = getattr(sub, "jaxpr", sub)  # ClosedJaxpr -> Jaxpr
                if hasattr(inner, "eqns") and has_loops(inner):
                    return True
    return False


#: primitives whose run time is a loop's (the model iterates: a Newton solve, a scan)
_LOOP_PRIMITIVES = frozenset({"while", "scan"})


def check_params(params: Any) -> dict[str, Parameter]:
    """Validate the ``params`` dict; return ``name -> Parameter`` (bare numbers converted)."""
    if not isinstance(params, Mapping) or not params:
        raise DomainError(
            f"argument 'params' must be a non-empty dict name -> Parameter | float; got {params!r}"
        )
    pars = {}
    for name, p in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise DomainError(f"parameter names must be Python identifiers; got {name!r}")
        pars[name] = as_parameter(name, p)
    if not any(p.vary for p in pars.values()):
        raise DomainError("no parameter varies: set vary=True on at least one Parameter")
    return pars


def parameter_arrays(
    pars: Mapping[str, Parameter], n_batch: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the starts ``p0`` (``(n_param,)`` or ``(n_batch, n_param)``), ``lo`` and ``hi``."""
    names = tuple(pars)
    batched = n_batch is not None
    fd = float_dtype()
    p0 = np.empty((n_batch, len(names)) if batched else (len(names),), fd)
    for j, n in enumerate(names):
        v = np.asarray(pars[n].value, dtype=fd)
        if v.ndim == 1:
            if not batched:
                raise DomainError(
                    f"parameter '{n}' has per-fit starts of shape {v.shape}; "
                    "those need batched=True"
                )
            if v.shape[0] != n_batch:
                raise DomainError(
                    f"parameter '{n}' has {v.shape[0]} per-fit starts but y holds {n_batch} fits"
                )
        p0[..., j] = v
    b = np.array([pars[n].bounds for n in names], dtype=fd).reshape(-1, 2)
    return p0, b[:, 0].copy(), b[:, 1].copy()


def _leaf_name(base: str, i: int, n: int) -> str:
    return base if n == 1 else f"{base}[leaf {i}]"


def _data_leaf(base: str, leaf: Any, i: int, n: int, complex_ok: bool) -> np.ndarray:
    nm = _leaf_name(base, i, n)
    arr = np.asarray(check(nm, leaf, real=not complex_ok))
    # np.asarray copies only to convert (the packed arrays are fresh copies anyway)
    if arr.dtype.kind == "c":
        return np.asarray(arr, complex_dtype())
    if arr.dtype.kind == "f":
        return np.asarray(arr, float_dtype())
    return arr


def _batch_size(leaves: list[np.ndarray], base: str) -> int:
    sizes = set()
    for i, leaf in enumerate(leaves):
        if leaf.ndim == 0:
            raise DomainError(
                f"batched=True: every leaf of '{base}' needs a leading batch axis; "
                f"{_leaf_name(base, i, len(leaves))} is a scalar"
            )
        sizes.add(leaf.shape[0])
    if len(sizes) != 1:
        raise DomainError(
            f"batched=True: the leaves of '{base}' have different leading (batch) sizes "
            f"{sorted(sizes)}"
        )
    return sizes.pop()


#: sizes above this get four buckets per octave instead of two
FINE_BUCKETS_ABOVE = 1024


def bucket(n: int, smallest: int = 1) -> int:
    """Round a size ``n`` up to its bucket: the smallest ``2^k`` or ``3·2^k`` ``>= n``.

    Data lengths (at least 8) and batch sizes are rounded up to their bucket before a fit
    is compiled, so that curves of similar length (40 and 41 points: both 48) and batches
    of similar size reuse one executable; the padding is masked out, and costs at most 50 %
    more work.  Above :data:`FINE_BUCKETS_ABOVE` the buckets are ``(4 + j)·2^(k-2)``
    (``j = 1..4``: at most 25 % padding), because there the padded work, not the number
    of executables, is what costs: a 2002-point S21 trace is padded to 2048 points
    instead of 3072.
    """
    n = max(int(n), int(smallest))
    k = max(0, (n - 1).bit_length() - 1)  # 2^k < n <= 2^(k+1)  (n >= 2)
    if n <= 1:
        return 1
    if n > FINE_BUCKETS_ABOVE:
        step = 1 << (k - 2)
        return -(-n // step) * step
    return 3 << (k - 1) if k >= 1 and n <= 3 << (k - 1) else 2 << k


@dataclasses.dataclass(frozen=True)
class Packed:
    """A problem's arrays as the compiled fit sees them.

    A leading batch axis on every data leaf (and on ``x`` with ``batch_x``), lengths and
    batch size padded to their :func:`bucket`, and a mask ``False`` on every padded point.

    The first ``n_fit`` rows are the real fits; the rows beyond are copies of fit 0 (valid
    input for the model; their results are dropped).
    """

    x: Any
    y: Any
    sigma: Any
    mask: Any
    p0: np.ndarray  # (n_pad, n_param)
    n_fit: int
    batch_x: bool


def pad(a, n_fit: int, fits: int, n: int, points_to: int, *, value=None, points=True, batched=True):
    """Pad ``a`` from ``n`` to ``points_to`` points and from ``n_fit`` to ``fits`` rows.

    The last axis holds the points (padded with the last point, or with ``value``); with
    ``batched`` the first axis holds the fits (padded with copies of fit 0).  One
    allocation per array (a padded batch of 1000 curves is ~0.5 MB per leaf, whose first
    touch costs more than the copy); ``a`` itself when nothing is padded.
    """
    points = points and points_to > n
    more = batched and fits > n_fit
    if not (points or more):
        return a
    shape = ((fits,) + a.shape[1:]) if batched else a.shape
    shape = shape[:-1] + (points_to,) if points else shape
    out = np.empty(shape, a.dtype)
    if points:
        head = out[:n_fit] if batched else out
        head[..., :n] = a
        head[..., n:] = a[..., -1:] if value is None else value
    else:
        out[:n_fit] = a
    if more:
        out[n_fit:] = out[:1]
    return out


def pack(prob: Problem, *, buckets: bool = True, multiple: int = 1) -> Packed:
    """Give ``prob`` its batch axis, its mask and (``buckets``) bucketed shapes.

    Lengths are padded only when every leaf of ``y`` holds one 1-D curve per fit (all of
    one length ``n``) and every array leaf of ``x`` holds one value per point (shape
    ``(n,)``, per fit with ``batch_x``); those are padded with their last value (the model
    sees valid input; the mask hides the result).  Otherwise only the batch is bucketed.
    This assumes a *pointwise* model (each prediction depends on its own ``x``): a model
    that couples points (an integral over the data grid, a normalisation over all points)
    must be fitted with ``buckets=False``.  ``multiple``: the padded batch size is a
    multiple of it (the number of devices a batch is sharded over).
    """
    single = prob.n_batch is None
    add = (lambda a: np.asarray(a)[None]) if single else np.asarray
    y, sigma = jax.tree.map(add, prob.y), jax.tree.map(add, prob.sigma)
    mask = None if prob.mask is None else jax.tree.map(add, prob.mask)
    batch_x = prob.batch_x
    x = jax.tree.map(np.asarray, prob.x)
    p0 = np.atleast_2d(prob.p0)
    n_fit = p0.shape[0]

    y_leaves = jax.tree.leaves(y)
    lengths = {a.shape[1] for a in y_leaves if a.ndim == 2}
    per_point = False
    if all(a.ndim == 2 for a in y_leaves) and len(lengths) == 1:
        n = next(iter(lengths))
        x_shapes = [np.shape(a)[1:] if batch_x else np.shape(a) for a in jax.tree.leaves(x)]
        x_arrays = [sh for sh in x_shapes if len(sh) >= 1]
        # pointwise: every array leaf of x holds one value per data point
        per_point = bool(x_arrays) and all(sh == (n,) for sh in x_arrays)
    L = bucket(n, smallest=8) if buckets and per_point else None
    B = bucket(n_fit) if buckets else n_fit
    B = -(-B // multiple) * multiple
    pad_points = L is not None and L > n
    n_pts, L_pts = (n, L) if pad_points else (0, 0)

    def fill(a, value=None, points=True, batched=True):
        return pad(a, n_fit, B, n_pts, L_pts, value=value, points=points, batched=batched)

    y = jax.tree.map(fill, y)
    sigma = jax.tree.map(lambda a: fill(a, 1.0), sigma)
    if mask is None:
        mask = jax.tree.map(lambda a: np.ones(a.shape, bool), y)
        if pad_points:
            mask = jax.tree.map(lambda m: _unmask_tail(m, n), mask)
    else:
        mask = jax.tree.map(lambda a: fill(a, False), mask)

    def fill_x(a):
        per_pt = np.ndim(a) >= 1 and np.shape(a)[-1] == n if pad_points else False
        return fill(a, points=per_pt, batched=batch_x)

    x = jax.tree.map(fill_x, x)
    p0 = fill(p0, points=False)
    return Packed(x=x, y=y, sigma=sigma, mask=mask, p0=p0, n_fit=n_fit, batch_x=batch_x)


def _unmask_tail(m, n):
    """``m`` with the points from ``n`` on marked as padding (no copy: ``m`` is fresh)."""
    m[..., n:] = False
    return m


def flat_residual(model: Callable, layout: Layout, p: dict, x, y, sigma, mask=None):
    """Weighted residual ``(model - y)/sigma`` of one dataset as one real vector.

    Complex leaves contribute their real parts, then their imaginary parts; pytree leaves
    are concatenated in ``jax.tree.leaves`` order.  Where ``mask`` (the structure of ``y``)
    is ``False`` the residual is exactly 0 (and so is its derivative).
    """
    out = model(x, **p)
    masks = [None] * len(layout.complex_leaves) if mask is None else jax.tree.leaves(mask)
    parts = []
    for m, yy, s, c, mk in zip(
        jax.tree.leaves(out),
        jax.tree.leaves(y),
        jax.tree.leaves(sigma),
        layout.complex_leaves,
        masks,
    ):
        if c:  # real and imaginary parts separately (no real/complex promotion)
            pieces = [(jnp.real(m) - jnp.real(yy)) / s, (jnp.imag(m) - jnp.imag(yy)) / s]
        else:
            pieces = [(m - yy) / s]
        for r in pieces:
            if mk is not None:
                r = jnp.where(mk, r, 0.0)
            parts.append(r.ravel())
    return jnp.concatenate(parts)


def is_ragged(a: Any) -> bool:
    """Whether ``a`` is a list/tuple of 1-D arrays (one curve per entry), not one array."""
    if not isinstance(a, (list, tuple)) or not a:
        return False
    return all(not isinstance(v, (list, tuple)) and np.ndim(v) == 1 for v in a)


def pack_ragged(*columns, names=None):
    """Stack ragged per-curve arrays into padded ``(n_curves, n_max)`` arrays and a mask.

    Parameters
    ----------
    *columns
        Each a list of 1-D arrays, one per curve (e.g. temperatures, resistances and errors
        of each field), the same number of curves and, curve by curve, the same lengths;
        ``None`` passes through.
    names
        The columns' argument names, for error messages.

    Returns
    -------
    tuple
        The padded columns (each curve padded with its last value, so a pointwise model sees
        valid input), then the boolean mask (``False`` on padding): pass it as ``mask=`` to
        :func:`~dissipax.fit.least_squares`, which then ignores those points entirely.
    """
    names = names or [f"column {i}" for i in range(len(columns))]
    ref = next((c for c in columns if c is not None), None)
    if ref is None:
        raise DomainError("pack_ragged needs at least one column")
    n = len(ref)
    lengths = None
    out = []
    for nm, col in zip(names, columns):
        if col is None:
            out.append(None)
            continue
        if not isinstance(col, (list, tuple)) or len(col) != n:
            raise DomainError(
                f"argument '{nm}' must be a list of {n} arrays (one per curve); got "
                f"{type(col).__name__}"
                + (f" of length {len(col)}" if hasattr(col, "__len__") else "")
            )
        arrs = [np.asarray(check(f"{nm}[{i}]", c, real=False)) for i, c in enumerate(col)]
        kind = np.result_type(*arrs)
        arrs = [a.astype(complex_dtype() if kind.kind == "c" else float_dtype()) for a in arrs]
        for i, a in enumerate(arrs):
            if a.ndim != 1 or a.size == 0:
                raise DomainError(
                    f"argument '{nm}[{i}]' must be a non-empty 1-D array; got shape {a.shape}"
                )
        lens = [a.size for a in arrs]
        if lengths is None:
            lengths = lens
        elif lens != lengths:
            bad = next(i for i, (a, b) in enumerate(zip(lens, lengths)) if a != b)
            raise DomainError(
                f"curve {bad}: '{nm}[{bad}]' has {lens[bad]} points but '{names[0]}[{bad}]' has "
                f"{lengths[bad]}: every column of a curve needs one value per point"
            )
        L = max(lens)
        out.append(np.stack([np.pad(a, (0, L - a.size), mode="edge") for a in arrs]))
    L = max(lengths)
    mask = np.stack([np.arange(L) < k for k in lengths])
    return (*out, mask)
