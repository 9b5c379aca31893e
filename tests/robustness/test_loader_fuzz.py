"""Fuzzing of the input loaders: the saturation CSV loader and TOML configs.

Each corrupted input is either loaded correctly (a clean unit conversion, dropped NaN rows)
or rejected with a message that names the file, the line and the column/key at fault.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dissipax.saturation as sat
from dissipax import config

ROOT = Path(__file__).resolve().parents[2]
HEADER = ["field [Oe]", "temperature [K]", "resistance [Ohm]", "sigma [Ohm]"]
N_HEAD = 2  # a comment line, then the header: data row i is on line N_HEAD + 1 + i


def _table(n_fields=2, n_T=6):
    H = np.repeat(np.arange(1, n_fields + 1) * 100.0, n_T)
    T = np.tile(np.geomspace(0.05, 1.0, n_T), n_fields)
    R = 3000.0 + 1e4 * np.exp(-0.5 / T)
    return [[f"{v:.8g}" for v in row] for row in zip(H, T, R, 0.01 * R)]


def _write(tmp: Path, header, rows, *, encoding="utf-8", comment="# units stated in the header"):
    text = "\n".join([comment, ",".join(header), *(",".join(r) for r in rows)]) + "\n"
    p = tmp / "sweep.csv"
    p.write_bytes(text.encode(encoding))
    return p


COLS = st.integers(0, 3)
ROWS = st.integers(0, 11)


@given(i=ROWS, j=COLS, cell=st.sampled_from(["nan", "", "NaN", "inf", "-inf", "null"]))
def test_nan_cells_named_by_line_and_column(i, j, cell):
    rows = _table()
    rows[i][j] = cell
    with tempfile.TemporaryDirectory() as d:
        p = _write(Path(d), HEADER, rows)
        with pytest.raises(sat.DataError) as exc:
            sat.load_csv(p)
        msg = str(exc.value)
        assert f"column {j + 1} '{HEADER[j]}'" in msg and f"line {N_HEAD + 1 + i}" in msg
        # cleaning instead of rejecting: the row is dropped, with a warning naming the line
        with pytest.warns(UserWarning, match=f"line {N_HEAD + 1 + i}"):
            sw = sat.load_csv(p, nan="drop", min_points=4)
        assert sum(len(t) for t in sw.T) == len(rows) - 1


@given(i=ROWS, j=st.sampled_from([1, 2, 3]), v=st.sampled_from(["-1", "0", "-3000", "-1e-300"]))
def test_non_positive_values_named(i, j, v):
    rows = _table()
    rows[i][j] = v
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(sat.DataError) as exc:
            sat.load_csv(_write(Path(d), HEADER, rows))
    msg = str(exc.value)
    assert f"column {j + 1} '{HEADER[j]}'" in msg and f"line {N_HEAD + 1 + i}" in msg


@given(i=ROWS, j=COLS, v=st.sampled_from(["abc", "1..2", "3 Ohm", "0x1G", "--1"]))
def test_non_numeric_cell_named(i, j, v):
    rows = _table()
    rows[i][j] = v
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(sat.DataError) as exc:
            sat.load_csv(_write(Path(d), HEADER, rows))
    msg = str(exc.value)
    assert f":{N_HEAD + 1 + i}:" in msg and f"column {j + 1}" in msg


@given(i=ROWS, extra=st.booleans())
def test_wrong_cell_count_named(i, extra):
    rows = _table()
    rows[i] = rows[i] + ["1"] if extra else rows[i][:-1]
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(sat.DataError, match=f":{N_HEAD + 1 + i}: .* cells"):
            sat.load_csv(_write(Path(d), HEADER, rows))


@given(j=st.sampled_from([0, 1, 2]))
def test_missing_column(j):
    rows = [r[:j] + r[j + 1 :] for r in _table()]
    head = HEADER[:j] + HEADER[j + 1 :]
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(sat.DataError, match=rf":{N_HEAD}: missing column\(s\)"):
            sat.load_csv(_write(Path(d), head, rows))


@given(j=COLS)
def test_duplicated_column(j):
    rows = [r + [r[j]] for r in _table()]
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(sat.DataError, match=rf":{N_HEAD}: column 5 .*a second"):
            sat.load_csv(_write(Path(d), [*HEADER, HEADER[j]], rows))


UNITS = {
    0: [("T", 1e4), ("kOe", 1e3), ("mT", 10.0), ("G", 1.0)],
    1: [("mK", 1e-3), ("K", 1.0)],
    2: [("kOhm", 1e3), ("MOhm", 1e6), ("Ohm/sq", 1.0), ("kΩ", 1e3)],
}


@given(data=st.data(), j=st.sampled_from([0, 1, 2]), style=st.sampled_from(["[]", "()", "_"]))
def test_units_in_headers_are_converted(data, j, style):
    unit, factor = data.draw(st.sampled_from(UNITS[j]))
    name = ["field", "T", "R"][j]
    head = list(HEADER)
    head[j] = {"[]": f"{name} [{unit}]", "()": f"{name} ({unit})", "_": f"{name}_{unit}"}[style]
    rows = _table()
    with tempfile.TemporaryDirectory() as d:
        sw = sat.load_csv(_write(Path(d), head, rows))
    col = np.array([float(r[j]) for r in rows]) * factor
    got = sw.to_long()[["field", "temperature", "resistance"][j]]
    np.testing.assert_allclose(np.sort(got), np.sort(col), rtol=1e-15)


@given(j=st.sampled_from([0, 1, 2]), unit=st.sampled_from(["furlong", "degC", "V", "Ohm*m"]))
def test_unknown_unit_named(j, unit):
    head = list(HEADER)
    head[j] = f"{head[j].split(' ')[0]} [{unit}]"
    with tempfile.TemporaryDirectory() as d:
        with pytest.raises(sat.DataError, match=rf":{N_HEAD}: column {j + 1} .*unit"):
            sat.load_csv(_write(Path(d), head, _table()))


@pytest.mark.parametrize(
    "encoding,comment,match",
    [
        ("latin-1", "# sample µ-bridge, 20 °C", r":1: not UTF-8 text: byte 0xb5 at line 1"),
        ("utf-16", "# units stated in the header", "UTF-16"),
        ("utf-8-sig", "# units stated in the header", None),  # a BOM is fine
        ("cp1252", "# résistance", r":1: not UTF-8"),
    ],
)
def test_wrong_encodings(tmp_path, encoding, comment, match):
    p = _write(tmp_path, HEADER, _table(), encoding=encoding, comment=comment)
    if match is None:
        assert sat.load_csv(p).n_fields == 2
    else:
        with pytest.raises(sat.DataError, match=match):
            sat.load_csv(p)


def test_binary_and_separator_errors(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes(b"field [Oe],temperature [K],resistance [Ohm]\n1,\x00,2\n")
    with pytest.raises(sat.DataError, match=":2: NUL"):
        sat.load_csv(p)
    p.write_text("field [Oe];temperature [K];resistance [Ohm]\n1;2;3\n")
    with pytest.raises(sat.DataError, match=":1: the header is one cell"):
        sat.load_csv(p)


# --- TOML configs -----------------------------------------------------------------------------
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))
_KEYLINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*(#.*)?$")


def _key_lines(text):
    table, out = "", []
    for n, line in enumerate(text.splitlines(), start=1):
        h = re.match(r"^\[([^\]]+)\]", line)
        if h:
            table = h.group(1).strip() + "."
            continue
        m = _KEYLINE.match(line)
        if m and m.group(1) not in ("kind", "title"):
            out.append((n, table + m.group(1)))
    return out


JUNK = ["nan", "inf", "-inf", '"oops"', "true", "{ a = 1 }", "-1e308", "[1, 2]", "1979-05-27"]


@given(cfg=st.sampled_from(CONFIGS), data=st.data(), junk=st.sampled_from(JUNK))
def test_config_bad_values_named_by_line_and_key(cfg, data, junk):
    text = cfg.read_text()
    lines = text.splitlines()
    n, key = data.draw(st.sampled_from(_key_lines(text)))
    name = key.rsplit(".", 1)[-1]
    lines[n - 1] = f"{name} = {junk}"
    bad = "\n".join(lines) + "\n"
    try:
        config.parse(bad, source="cfg.toml")
    except config.ConfigError as exc:
        msg = str(exc)
        # the key itself (or, for a list, the offending element key[i]) with its line, or
        # (for checks of a combination, e.g. a log axis's start and stop) the enclosing table
        parent = key.rsplit(".", 1)[0]
        assert re.search(rf"cfg.toml:{n}: key '{re.escape(key)}(\[\d+\])?'", msg) or re.match(
            rf"cfg.toml:\d+: key '{parent}'", msg
        )
    else:
        assert junk not in ("nan", "inf", "-inf"), "a non-finite value was accepted"


@given(cfg=st.sampled_from(CONFIGS), data=st.data(), how=st.sampled_from(["dup", "drop", "rename"]))
def test_config_structure_errors(cfg, data, how):
    text = cfg.read_text()
    lines = text.splitlines()
    n, key = data.draw(st.sampled_from(_key_lines(text)))
    if how == "dup":
        lines.insert(n, lines[n - 1])
    elif how == "drop":
        del lines[n - 1]
    else:
        lines[n - 1] = "x_" + lines[n - 1]
    try:
        config.parse("\n".join(lines) + "\n", source="cfg.toml")
    except config.ConfigError as exc:
        msg = str(exc)
        if how == "dup":  # TOML forbids duplicated keys: tomllib names line and column
            assert f"line {n + 1}" in msg
        elif how == "rename":
            assert f"cfg.toml:{n}: key '" in msg and "unknown key" in msg
        else:
            # the schema's message, or a kind's own check naming the enclosing table
            assert msg.startswith("cfg.toml:") and key.rsplit(".", 1)[0] in msg
    else:
        # [fixed] of a sweep is free-form: its names are checked against the observable's
        # signature when the sweep runs (observables.check_arguments), not at parse time
        free_form = how == "rename" and key.startswith("fixed.")
        assert how == "drop" or free_form, "a duplicated or unknown key was accepted"


def test_config_encodings(tmp_path):
    src = (ROOT / "configs" / "supercyclotron.toml").read_text()
    p = tmp_path / "c.toml"
    p.write_bytes(src.encode("utf-8-sig"))
    assert config.load(p).kind == "supercyclotron"  # a UTF-8 BOM is accepted
    p.write_bytes(src.encode("utf-16"))
    with pytest.raises(config.ConfigError, match="UTF-16"):
        config.load(p)
    p.write_bytes(src.replace("# Units", "# Unités").encode("latin-1"))
    with pytest.raises(config.ConfigError, match=r"c.toml:\d+: not UTF-8 text.*line \d+, column"):
        config.load(p)
