"""Every public function of the covered modules states its domain in a "Valid for" section."""

from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "dissipax.units",
    "dissipax.config",
    "dissipax._checks",
    "dissipax.vortex",
    "dissipax.saturation",
    "dissipax.saturation.laws",
    "dissipax.saturation.figures",
    "dissipax.sweep",
    "dissipax.sweep.grid",
    "dissipax.sweep.output",
    "dissipax.sweep.observables",
    "dissipax.sweep.distributed",
    "dissipax.rf",
    "dissipax.rf.usadel",
    "dissipax.rf.quadrature",
    "dissipax.rf.mattis_bardeen",
    "dissipax.rf.dc_biased",
    "dissipax.rf.rf_field",
    "dissipax.rf.conductivity",
    "dissipax.rf.surface",
    "dissipax.rf.overheating",
    "dissipax.rf.materials",
    "dissipax.rf.cavity_data",
    "dissipax.rf.alpha_fit",
    "dissipax._precision",
]


def _public_functions():
    seen = {}
    for m in MODULES:
        mod = importlib.import_module(m)
        names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
        for n in names:
            obj = getattr(mod, n)
            cands = []
            if inspect.isfunction(obj):
                cands = [(f"{obj.__module__}.{n}", obj)]
            elif inspect.isclass(obj) and obj.__module__.startswith("dissipax"):
                cands = [
                    (f"{obj.__module__}.{n}.{a}", f)
                    for a, f in vars(obj).items()
                    if inspect.isfunction(f) and not a.startswith("_")
                ]
            for qn, f in cands:
                if f.__module__.startswith("dissipax"):
                    seen[qn] = f
    return seen


FUNCS = _public_functions()


@pytest.mark.parametrize("qualname", sorted(FUNCS))
def test_has_valid_for_section(qualname):
    doc = inspect.getdoc(FUNCS[qualname]) or ""
    lines = doc.splitlines()
    assert "Valid for" in [ln.strip() for ln in lines], f"{qualname}: no 'Valid for' section"
    i = [ln.strip() for ln in lines].index("Valid for")
    assert i + 1 < len(lines) and lines[i + 1].strip(), f"{qualname}: empty 'Valid for'"
