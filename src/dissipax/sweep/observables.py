"""Observables a sweep config may name: a fixed allow-list of dissipax functions.

Configs never execute code: ``observable = "vortex.sigma_xx"`` is looked up in
:data:`OBSERVABLES`, which maps each allowed dotted name to a dissipax module and a function
name (and, for functions returning a tuple, names for its parts).  Only those modules are
ever imported, and only those attributes read.  A build without one of the physics modules
still runs the others: :func:`resolve` says which observables are available.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Observable:
    """One allowed observable.

    Attributes
    ----------
    module
        Fully qualified module, e.g. ``"dissipax.vortex"``.
    function
        Attribute of that module.
    outputs
        For a function returning a tuple: the names of its parts (the sweep then has one
        output variable per part).  Empty for a scalar-valued function.
    doc
        One line: what it is, its units.
    """

    module: str
    function: str
    outputs: tuple[str, ...] = ()
    doc: str = ""


#: The allow-list: dotted config name -> :class:`Observable`.
OBSERVABLES: dict[str, Observable] = {
    "vortex.sigma_xx": Observable(
        "dissipax.vortex",
        "sigma_xx",
        doc="σ_xx(ω), Eq. (6) of Delacrétaz–Hartnoll (complex, ħ=e*=1)",
    ),
    "vortex.sigma_xy": Observable(
        "dissipax.vortex", "sigma_xy", doc="σ_xy(ω), Eq. (7) (complex, ħ=e*=1)"
    ),
    "vortex.sigma_pinned": Observable(
        "dissipax.vortex", "sigma_pinned", doc="pinned σ(ω), Eq. (20), regular part (complex)"
    ),
    "saturation.failed_insulator": Observable(
        "dissipax.saturation", "failed_insulator", doc="ρ(T), Eq. (1) of Zhang et al. [Ω/□]"
    ),
    "saturation.failed_superconductor": Observable(
        "dissipax.saturation", "failed_superconductor", doc="ρ(T), Eq. (2) of Zhang et al. [Ω/□]"
    ),
    "rf.sigma1_mattis_bardeen": Observable(
        "dissipax.rf", "sigma1_mattis_bardeen", doc="σ1/σ_n, Mattis–Bardeen Eq. (35) of Gurevich"
    ),
    "rf.sigma1_closed_form": Observable(
        "dissipax.rf", "sigma1_closed_form", doc="σ1/σ_n, closed form Eq. (37)"
    ),
    "rf.sigma1_dc_biased": Observable(
        "dissipax.rf", "sigma1_dc_biased", doc="σ1/σ_n under a dc field, Eqs. (4)-(5)"
    ),
    "rf.sigma1_rf": Observable(
        "dissipax.rf", "sigma1_rf", doc="σ1/σ_n under a strong rf field, Eqs. (10), (12)"
    ),
    "rf.dos": Observable("dissipax.rf", "dos", doc="density of states N/N0, Eqs. (6)-(8)"),
    "rf.pairbreaking_gap": Observable("dissipax.rf", "pairbreaking_gap", doc="Δ(s)/Δ0, Eq. (9)"),
    "rf.spectral_gap": Observable("dissipax.rf", "spectral_gap", doc="ε_g(s)/Δ0, Eq. (9)"),
    "rf.surface_resistance_ratio": Observable(
        "dissipax.rf",
        "surface_resistance_ratio",
        outputs=("rs_ratio", "T"),
        doc="Rs/Rs0 and T/Δ0 with overheating, Eqs. (13)-(15)",
    ),
}


class ObservableError(ValueError):
    """An observable name that is not allowed, or whose module is not available."""


def _load(name: str) -> Callable:
    obs = OBSERVABLES[name]
    module = importlib.import_module(obs.module)
    fn = getattr(module, obs.function, None)
    if fn is None or not callable(fn):
        raise AttributeError(f"{obs.module} has no function {obs.function!r}")
    return fn


def available() -> list[str]:
    """List the allowed observables whose modules are importable in this build.

    Valid for
        always.
    """
    out = []
    for name in OBSERVABLES:
        try:
            _load(name)
        except (ImportError, AttributeError):
            continue
        out.append(name)
    return out


def resolve(name: str) -> Callable:
    """Return the function behind an allowed observable name (a tuple result -> a dict).

    Raises
    ------
    ObservableError
        If ``name`` is not in :data:`OBSERVABLES`, or its module or function is missing from
        this build; the message lists the observables that are available.

    Valid for
        names from available() (the allow-list); anything else is an ObservableError.
    """
    if name not in OBSERVABLES:
        raise ObservableError(f"unknown observable {name!r}; allowed: {', '.join(OBSERVABLES)}")
    try:
        fn = _load(name)
    except (ImportError, AttributeError) as exc:
        avail = ", ".join(available()) or "(none)"
        raise ObservableError(
            f"observable {name!r} is not available in this build ({exc}); available: {avail}"
        ) from None
    obs = OBSERVABLES[name]
    if not obs.outputs:
        return fn

    def split(**kwargs):
        parts = fn(**kwargs)
        return dict(zip(obs.outputs, parts, strict=True))

    split.__name__ = obs.function
    split.__signature__ = inspect.signature(fn)
    return split


def check_arguments(name: str, fn: Callable, given: list[str]) -> None:
    """Check that the names ``given`` (axes + fixed parameters) fit ``fn``'s signature.

    Raises
    ------
    ObservableError
        Naming the unknown parameters, or the required parameters that are missing.

    Valid for
        names from available(); ObservableError lists missing or unknown arguments.
    """
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return
    params = sig.parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    accepted = [p for p, v in params.items() if v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY)]
    unknown = [g for g in given if g not in accepted]
    if unknown:
        raise ObservableError(
            f"{name} has no parameter(s) {', '.join(unknown)}; "
            f"its parameters: {', '.join(accepted)}"
        )
    missing = [
        p for p in accepted if params[p].default is inspect.Parameter.empty and p not in given
    ]
    if missing:
        raise ObservableError(
            f"{name} needs {', '.join(missing)}: give each as an axis or a fixed parameter"
        )
