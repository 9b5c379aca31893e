"""Fixtures for the vortex tests: the independent references of ``_reference.py``."""

import importlib.util
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ref():
    """The module ``_reference.py`` (linear-system solution of Eqs. (4)-(5))."""
    path = Path(__file__).with_name("_reference.py")
    spec = importlib.util.spec_from_file_location("vortex_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
