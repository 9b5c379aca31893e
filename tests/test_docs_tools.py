"""The docs tooling: reST roles in docstrings become Markdown for mkdocstrings."""

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("griffe")  # the [docs] extra

_spec = importlib.util.spec_from_file_location(
    "griffe_rst", Path(__file__).resolve().parents[1] / "scripts" / "griffe_rst.py"
)
griffe_rst = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(griffe_rst)


def test_math_and_roles():
    md = griffe_rst.rst_to_markdown(
        "Eq. :math:`\\sigma_1` via :func:`~dissipax.rf.dos` and :class:`Ramp`.\n"
        "\n"
        "    .. math:: \\frac{a}{b}\n"
        "       + c,\n"
        "\n"
        "    after\n"
        ":mod:`~dissipax.vortex.pinning`\n"
        "    Eq. (20)."
    )
    assert md.splitlines() == [
        "Eq. $\\sigma_1$ via `dos` and `Ramp`.",
        "",
        "    $$",
        "    \\frac{a}{b}",
        "    + c,",
        "    $$",
        "",
        "    after",
        "pinning",
        "    Eq. (20).",
    ]
