"""A config kind used only by the foundation tests (installed by monkeypatch)."""

import types
from pathlib import Path

import pytest

from dissipax import config
from dissipax.config import Field, Schema
from dissipax.io import write_json
from dissipax.reproduce import Summary

SCHEMA = Schema(
    {
        "grid": Schema(
            {
                "T": Field(float, gt=0, doc="temperature [K]"),
                "n": Field(int, default=10, ge=2, le=1000, doc="number of points"),
                "fields_Oe": Field(float, list=True, min_len=1, ge=0, default=[0.0]),
            }
        ),
        "model": Schema(
            {
                "law": Field(str, choices=("insulator", "superconductor"), default="insulator"),
                "fail": Field(bool, default=False),
            },
            optional=True,
        ),
    }
)


def run(cfg, out: Path):
    if cfg.data["model"]["fail"]:
        raise RuntimeError("asked to fail")
    f = write_json(Path(out) / "result.json", cfg.data)
    return Summary(cfg.name, lines=[f"T = {cfg.data['grid']['T']}"], files=[f])


def module(category="reproduce"):
    return types.SimpleNamespace(SCHEMA=SCHEMA, CATEGORY=category, run=run)


@pytest.fixture
def fake_kind(monkeypatch):
    """Install the kinds "fake" (reproduce) and "fakefit" (fit) next to the real ones."""
    real_available, real_module = config.available_kinds, config.kind_module
    mods = {"fake": module("reproduce"), "fakefit": module("fit")}
    monkeypatch.setattr(
        config, "available_kinds", lambda: sorted(set(real_available()) | set(mods))
    )
    monkeypatch.setattr(config, "kind_module", lambda k: mods[k] if k in mods else real_module(k))
    return mods
