"""The fit problem: validated inputs, and the residual shared by least squares and NUTS.

Everything here runs at the Python boundary, on concrete arrays, *before* anything is
traced or compiled: bad input raises :class:`~dissipax.DomainError` naming the argument.
"""

from __future__ import annotations

import dataclasses
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

    @property
    def vary_names(self) -> tuple[str, ...]:
        """Names of the varying parameters (the order of covariance rows)."""
        return tuple(n for n, v in zip(self.names, self.vary) if v)

    @property
    def vary_index(self) -> tuple[int, ...]:
        """Positions of the varying parameters among all parameters."""
        return tuple(i for i, v in enumerate(self.vary) if v)


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
) -> Problem:
    """Validate and convert the user's inputs (no tracing beyond a shape evaluation)."""
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

    p0, lo, hi = parameter_arrays(pars, n_batch)
    names = tuple(pars)
    x_conv = jax.tree.unflatten(x_def, [jnp.asarray(a) for a in x_leaves])
    y_conv = jax.tree.unflatten(y_def, [jnp.asarray(a) for a in y_leaves])
    s_conv = jax.tree.unflatten(y_def, [jnp.asarray(a) for a in s_leaves])

    # evaluate the model's output structure and shapes on one dataset (no compilation)
    one = (lambda t: jax.tree.map(lambda a: a[0], t)) if batched else (lambda t: t)
    x_one = one(x_conv) if batch_x else x_conv
    y_one = one(y_conv)
    p_one = {n: jax.ShapeDtypeStruct((), float_dtype()) for n in names}
    try:
        out = jax.eval_shape(lambda xx, pp: model(xx, **pp), x_one, p_one)
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

    ndata = sum(
        (2 if c else 1) * int(np.prod(leaf.shape)) for c, leaf in zip(complex_leaves, y_one_leaves)
    )
    layout = Layout(
        names=names,
        kinds=tuple(pars[n].kind for n in names),
        vary=tuple(pars[n].vary for n in names),
        complex_leaves=tuple(complex_leaves),
    )
    nvary = sum(layout.vary)
    if ndata < nvary:
        raise DomainError(
            f"{ndata} data points cannot determine {nvary} varying parameters: "
            "add data or fix parameters (vary=False)"
        )
    return Problem(
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
    )


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
    p0 = []
    for n in names:
        v = np.asarray(pars[n].value, dtype=float_dtype())
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
        p0.append(np.broadcast_to(v, (n_batch,)) if batched else v)
    p0 = np.stack(p0, axis=-1)
    lo = np.array([pars[n].bounds[0] for n in names], dtype=float_dtype())
    hi = np.array([pars[n].bounds[1] for n in names], dtype=float_dtype())
    return p0, lo, hi


def _leaf_name(base: str, i: int, n: int) -> str:
    return base if n == 1 else f"{base}[leaf {i}]"


def _data_leaf(base: str, leaf: Any, i: int, n: int, complex_ok: bool) -> np.ndarray:
    nm = _leaf_name(base, i, n)
    arr = np.asarray(check(nm, leaf, real=not complex_ok))
    if arr.dtype.kind == "c":
        return arr.astype(complex_dtype())
    if arr.dtype.kind == "f":
        return arr.astype(float_dtype())
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


def flat_residual(model: Callable, layout: Layout, p: dict, x, y, sigma):
    """Weighted residual ``(model - y)/sigma`` of one dataset as one real vector.

    Complex leaves contribute their real parts, then their imaginary parts; pytree leaves
    are concatenated in ``jax.tree.leaves`` order.
    """
    out = model(x, **p)
    parts = []
    for m, yy, s, c in zip(
        jax.tree.leaves(out), jax.tree.leaves(y), jax.tree.leaves(sigma), layout.complex_leaves
    ):
        if c:  # real and imaginary parts separately (no real/complex promotion)
            parts += [
                ((jnp.real(m) - jnp.real(yy)) / s).ravel(),
                ((jnp.imag(m) - jnp.imag(yy)) / s).ravel(),
            ]
        else:
            parts.append(((m - yy) / s).ravel())
    return jnp.concatenate(parts)
