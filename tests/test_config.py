import textwrap
from pathlib import Path

import pytest

from dissipax import config
from dissipax.config import ConfigError, Field, Schema

from ._fake_kind import fake_kind  # noqa: F401  (the fixture, used via usefixtures)

pytestmark = pytest.mark.usefixtures("fake_kind")

GOOD = """
kind = "fake"
title = "a test"

[grid]
T = 2
n = 20
fields_Oe = [0, 100.5]

[model]
law = "superconductor"
"""


def test_valid_config_fills_defaults(tmp_path):
    p = tmp_path / "good.toml"
    p.write_text(GOOD)
    cfg = config.load(p)
    assert cfg.kind == "fake" and cfg.title == "a test" and cfg.name == "good"
    assert cfg.data == {
        "grid": {"T": 2.0, "n": 20, "fields_Oe": [0.0, 100.5]},
        "model": {"law": "superconductor", "fail": False},
    }
    assert isinstance(cfg.data["grid"]["T"], float)
    # an optional table may be omitted entirely
    cfg2 = config.parse('kind = "fake"\n[grid]\nT = 1.5\n')
    assert cfg2.data["model"] == {"law": "insulator", "fail": False}
    assert cfg2.data["grid"]["n"] == 10


# (case, TOML text, regex the message must match) -- each names the key and, where it
# exists in the file, the line.
MALFORMED = [
    ("missing kind", "[grid]\nT = 1\n", r"missing required top-level key 'kind'"),
    ("unknown kind", 'kind = "nope"\n[grid]\nT = 1\n', r":1: key 'kind': unknown kind 'nope'"),
    ("kind not a string", "kind = 3\n[grid]\nT = 1\n", r":1: key 'kind': expected a string"),
    (
        "unknown top key",
        'kind = "fake"\ncolour = "red"\n[grid]\nT = 1\n',
        r":2: key 'colour': unknown key; allowed keys here: grid, model",
    ),
    (
        "unknown nested key",
        'kind = "fake"\n[grid]\nT = 1\ntemp = 3\n',
        r":4: key 'grid.temp': unknown key",
    ),
    (
        "missing required key",
        'kind = "fake"\n[grid]\nn = 5\n',
        r"key 'grid.T': missing required key \(temperature \[K\]\)",
    ),
    ("missing required table", 'kind = "fake"\n', r"key 'grid': missing required table"),
    (
        "string for number",
        'kind = "fake"\n[grid]\nT = "2 K"\n',
        r":3: key 'grid.T': expected a number, got string '2 K'",
    ),
    (
        "bool for number",
        'kind = "fake"\n[grid]\nT = true\n',
        r":3: key 'grid.T': expected a number, got boolean",
    ),
    (
        "float for int",
        'kind = "fake"\n[grid]\nT = 1\nn = 2.5\n',
        r":4: key 'grid.n': expected an integer, got float 2.5",
    ),
    (
        "out of range (gt)",
        'kind = "fake"\n[grid]\nT = -1\n',
        r":3: key 'grid.T': value -1.0 out of range: must be > 0 \(temperature \[K\]\)",
    ),
    (
        "out of range (le)",
        'kind = "fake"\n[grid]\nT = 1\nn = 5000\n',
        r":4: key 'grid.n': value 5000 out of range: must be <= 1000",
    ),
    (
        "bad choice",
        'kind = "fake"\n[grid]\nT = 1\n[model]\nlaw = "metal"\n',
        r":5: key 'model.law': value 'metal' is not one of 'insulator', 'superconductor'",
    ),
    (
        "list expected",
        'kind = "fake"\n[grid]\nT = 1\nfields_Oe = 3\n',
        r":4: key 'grid.fields_Oe': expected an array of float",
    ),
    (
        "bad list element",
        'kind = "fake"\n[grid]\nT = 1\nfields_Oe = [1, -2]\n',
        r":4: key 'grid.fields_Oe\[1\]': value -2.0 out of range: must be >= 0",
    ),
    (
        "empty list",
        'kind = "fake"\n[grid]\nT = 1\nfields_Oe = []\n',
        r"key 'grid.fields_Oe': array has 0 elements; expected 1",
    ),
    ("table expected", 'kind = "fake"\ngrid = 3\n', r":2: key 'grid': expected a table"),
    ("invalid TOML", 'kind = "fake"\n[grid\nT = 1\n', r"not valid TOML: .*line 2"),
    ("duplicate key", 'kind = "fake"\n[grid]\nT = 1\nT = 2\n', r"not valid TOML"),
    ("nan", 'kind = "fake"\n[grid]\nT = nan\n', r"key 'grid.T': expected a finite number"),
    (
        "title type",
        'kind = "fake"\ntitle = 5\n[grid]\nT = 1\n',
        r":2: key 'title': expected a string",
    ),
]


@pytest.mark.parametrize(("case", "text", "pattern"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_configs_rejected_with_clear_message(tmp_path, case, text, pattern):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=pattern) as exc:
        config.load(p)
    assert str(p) in str(exc.value)  # every message names the file


def test_file_level_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        config.load(tmp_path / "absent.toml")
    p = tmp_path / "latin1.toml"
    p.write_bytes('kind = "fake"\ntitle = "Kapitulnik Ø"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        config.load(p)


def test_configs_never_execute_code(tmp_path):
    # A kind is only ever looked up among dissipax.reproduce modules, never imported by name.
    p = tmp_path / "evil.toml"
    p.write_text('kind = "os"\n')
    with pytest.raises(ConfigError, match="unknown kind 'os'"):
        config.load(p)
    with pytest.raises(ConfigError, match="unknown kind"):
        config.kind_module("..cli")


def test_locate_finds_nested_and_dotted_keys():
    text = textwrap.dedent("""\
        kind = "x"
        [a]
        b = 1
        [a.c]
        d = 2
        e.f = 3
    """)
    assert config.locate(text, "kind") == 1
    assert config.locate(text, "a.b") == 3
    assert config.locate(text, "a.c") == 4
    assert config.locate(text, "a.c.d") == 5
    assert config.locate(text, "a.c.e.f") == 6
    assert config.locate(text, "a.zz") is None


def test_schema_direct_use():
    s = Schema({"x": Field(float, ge=0, default=1.0)})
    assert s.validate({}) == {"x": 1.0}
    with pytest.raises(ConfigError, match="inline: key 'x'"):
        s.validate({"x": -1}, source="inline")


def test_every_shipped_config_validates():
    root = Path(__file__).resolve().parents[1] / "configs"
    for p in sorted(root.glob("*.toml")):
        cfg = config.load(p)
        assert cfg.kind in config.available_kinds()
