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


# --- rf: the TRIUMF Rs(B_p) block format (dissipax.rf.cavity_data.load_rs_vs_bp) -----------
# Corruptions of the real file (data set triumf_nb_hwr_rs_vs_bp; skipped where unavailable):
# every bad cell is named by file:line and column ("column 2 'Rs [Ω]'"), every bad line by
# file:line.
RF_COLS = ("Bp [mT]", "Rs [Ω]", "T [K]")


@pytest.fixture(scope="module")
def triumf_csv(dataset) -> Path:
    return dataset("triumf_nb_hwr_rs_vs_bp", "sf_data.csv")


def _rf_lines(triumf_csv) -> list[str]:
    return triumf_csv.read_text(encoding="utf-8").splitlines()


def _rf_write(tmp: Path, lines, encoding="utf-8") -> Path:
    p = tmp / "sf_data.csv"
    p.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return p


def _rf_load(triumf_csv, lines, **kw):
    from dissipax.rf.cavity_data import load_rs_vs_bp

    with tempfile.TemporaryDirectory() as d:
        return load_rs_vs_bp(_rf_write(Path(d), lines), **kw)


def _rf_error(triumf_csv, lines) -> str:
    from dissipax import DomainError

    with pytest.raises(DomainError) as exc:
        _rf_load(triumf_csv, lines)
    assert isinstance(exc.value, ValueError)
    return str(exc.value)


def _data_line(data, lines) -> int:
    """Index of a random data line (not a block header)."""
    return data.draw(st.sampled_from([i for i, t in enumerate(lines) if not t.startswith("/")]))


def _set_cell(lines, i, j, value):
    cells = lines[i].split(",")
    cells[j] = value
    out = list(lines)
    out[i] = ",".join(cells)
    return out


def test_rf_real_file_loads(triumf_csv):
    ramps = _rf_load(triumf_csv, _rf_lines(triumf_csv))
    assert len(ramps) > 10 and all(np.all(r.Rs_ohm > 0) and np.all(r.T_K > 0) for r in ramps)


@given(data=st.data(), j=st.integers(0, 2), cell=st.sampled_from(["nan", "NaN", "inf", "-inf"]))
def test_rf_non_finite_cells_named(triumf_csv, data, j, cell):
    lines = _rf_lines(triumf_csv)
    i = _data_line(data, lines)
    msg = _rf_error(triumf_csv, _set_cell(lines, i, j, cell))
    assert f":{i + 1}: column {j + 1} '{RF_COLS[j]}': non-finite value" in msg


@given(data=st.data(), j=st.integers(0, 2), pad=st.sampled_from(["", " ", "  "]))
def test_rf_empty_cells_named(triumf_csv, data, j, pad):
    lines = _rf_lines(triumf_csv)
    i = _data_line(data, lines)
    msg = _rf_error(triumf_csv, _set_cell(lines, i, j, pad))
    assert f":{i + 1}: column {j + 1} '{RF_COLS[j]}': empty cell" in msg


@given(
    data=st.data(),
    j=st.integers(0, 2),
    v=st.sampled_from(["abc", "1..2", "3 Ohm", "0x1G", "--1", "1e-8nOhm", "2,2"]),
)
def test_rf_non_numeric_cells_named(triumf_csv, data, j, v):
    lines = _rf_lines(triumf_csv)
    i = _data_line(data, lines)
    msg = _rf_error(triumf_csv, _set_cell(lines, i, j, v))
    if "," in v:  # a decimal comma adds a cell
        assert f":{i + 1}: 4 cells; expected 'Bp, Rs, T'" in msg
    else:
        assert f":{i + 1}: column {j + 1} '{RF_COLS[j]}': {v!r} is not a number" in msg


@given(data=st.data(), j=st.integers(0, 2), v=st.sampled_from(["-1", "-1e-8", "-0.5", "0"]))
def test_rf_negative_values_named(triumf_csv, data, j, v):
    lines = _rf_lines(triumf_csv)
    i = _data_line(data, lines)
    bad = _set_cell(lines, i, j, v)
    if j == 0 and float(v) == 0.0:  # B_p = 0 is a valid (zero-field) point
        assert _rf_load(triumf_csv, bad)
        return
    msg = _rf_error(triumf_csv, bad)
    assert f":{i + 1}: column {j + 1} '{RF_COLS[j]}': {float(v):g} is not >" in msg


@given(data=st.data(), how=st.sampled_from(["truncate", "truncate2", "extra", "duplicate"]))
def test_rf_truncated_and_duplicated_fields(triumf_csv, data, how):
    lines = _rf_lines(triumf_csv)
    i = _data_line(data, lines)
    cells = lines[i].split(",")
    new = {
        "truncate": cells[:2],
        "truncate2": cells[:1] + [""],  # "9.98," : the Rs cell and the T cell lost
        "extra": [*cells, "1.0"],
        "duplicate": cells[:2] + cells[1:],  # a repeated Rs field
    }[how]
    bad = list(lines)
    bad[i] = ",".join(new)
    msg = _rf_error(triumf_csv, bad)
    assert f":{i + 1}: {len(new)} cells; expected 'Bp, Rs, T'" in msg


@given(data=st.data())
def test_rf_file_cut_mid_line(triumf_csv, data):
    """A file cut at a random byte: loads (the cut fell inside the last number or between
    rows) or names the last line; never a silent change elsewhere."""
    text = "\n".join(_rf_lines(triumf_csv))
    cut = data.draw(st.integers(len(text) // 2, len(text) - 1))
    lines = text[:cut].splitlines()
    try:
        ramps = _rf_load(triumf_csv, lines)
    except ValueError as exc:
        assert f":{len(lines)}: " in str(exc)
    else:
        assert sum(len(r) for r in ramps) > 0


@given(data=st.data(), j=st.integers(0, 2))
def test_rf_nul_byte_named(triumf_csv, data, j):
    lines = _rf_lines(triumf_csv)
    i = _data_line(data, lines)
    cells = lines[i].split(",")
    msg = _rf_error(triumf_csv, _set_cell(lines, i, j, cells[j][:2] + "\x00" + cells[j][2:]))
    assert f":{i + 1}: NUL character in column {j + 1}" in msg


def test_rf_missing_column(triumf_csv):
    lines = _rf_lines(triumf_csv)
    for j in range(3):
        two = [t if t.startswith("/") else ",".join(np.delete(t.split(","), j)) for t in lines]
        assert ":2: 2 cells; expected 'Bp, Rs, T'" in _rf_error(triumf_csv, two)


RF_UNITS = {
    0: [("mT", 1.0), ("T", 1e-3), ("G", 10.0)],
    1: [("Ohm", 1.0), ("Ω", 1.0), ("nOhm", 1e9), ("nΩ", 1e9), ("µOhm", 1e6), ("mOhm", 1e3)],
    2: [("K", 1.0), ("mK", 1e3)],
}


@given(data=st.data(), style=st.sampled_from(["[]", "()"]))
def test_rf_units_in_a_column_header_are_converted(triumf_csv, data, style):
    """A column-header line 'Bp [T], Rs [nOhm], T [mK]' converts the rows that follow."""
    lines = _rf_lines(triumf_csv)
    units = [data.draw(st.sampled_from(RF_UNITS[j])) for j in range(3)]
    names = ["Bp", "Rs", "T"]
    head = ",".join(
        f"{n} [{u}]" if style == "[]" else f"{n} ({u})" for n, (u, _) in zip(names, units)
    )
    scaled = [
        t
        if t.startswith("/")
        else ",".join(repr(float(c) * f) for c, (_, f) in zip(t.split(","), units))
        for t in lines
    ]
    ref = _rf_load(triumf_csv, lines)
    got = _rf_load(triumf_csv, [head, *scaled])
    assert len(got) == len(ref)
    for a, b in zip(ref, got):
        for k in ("Bp_mT", "Rs_ohm", "T_K"):
            np.testing.assert_allclose(getattr(b, k), getattr(a, k), rtol=1e-14)


@pytest.mark.parametrize(
    "head, match",
    [
        ("Bp [furlong],Rs [Ohm],T [K]", r":1: column 1 'Bp \[furlong\]': unknown unit"),
        ("Bp [mT],Rs [V],T [K]", r":1: column 2 'Rs \[V\]': unknown unit"),
        ("Bp [mT],Rs [Ohm],T [degC]", r":1: column 3 'T \[degC\]': unknown unit"),
        ("Bp [mT],Bp [mT],T [K]", r":1: column 2 'Bp \[mT\]': expected the Rs column"),
        ("Bp [mT],Rs [Ohm]", r":1: column header with 2 cells; expected 3"),
        ("Rs [Ohm],Bp [mT],T [K]", r":1: column 1 'Bp \[mT\]': 'Rs \[Ohm\]' is not a number"),
    ],
)
def test_rf_bad_column_headers_named(triumf_csv, head, match):
    lines = _rf_lines(triumf_csv)
    lines.insert(0, head)
    if head.startswith("Rs"):  # not recognised as a header: a data row before any block
        lines.insert(0, lines.pop(1))
        match = match.replace(":1:", ":2:")
    with pytest.raises(ValueError, match=match):
        _rf_load(triumf_csv, lines)


@given(data=st.data())
def test_rf_duplicated_block_dropped(triumf_csv, data):
    """A repeated block (the real file has some) is dropped, or kept with drop_repeated=False."""
    lines = _rf_lines(triumf_csv)
    heads = [i for i, t in enumerate(lines) if t.startswith("/")] + [len(lines)]
    k = data.draw(st.integers(0, len(heads) - 2))
    block = lines[heads[k] : heads[k + 1]]
    dup = lines + block
    assert len(_rf_load(triumf_csv, dup)) == len(_rf_load(triumf_csv, lines))
    n_all = len(_rf_load(triumf_csv, lines, drop_repeated=False))
    assert len(_rf_load(triumf_csv, dup, drop_repeated=False)) > n_all


@pytest.mark.parametrize(
    "encoding, edit, match",
    [
        ("utf-16", None, "UTF-16"),
        ("latin-1", "/Users/rüth/", r":1: not UTF-8 text: byte 0xfc at line 1, column 9"),
        ("cp1252", "/Users/ruth°/", r":1: not UTF-8 text: byte 0xb0 at line 1"),
        ("utf-8-sig", None, None),  # a BOM is fine
    ],
)
def test_rf_wrong_encodings(triumf_csv, tmp_path, encoding, edit, match):
    from dissipax.rf.cavity_data import load_rs_vs_bp

    lines = _rf_lines(triumf_csv)
    if edit:
        lines[0] = lines[0].replace("/Users/ruthgregory/", edit)
    p = _rf_write(tmp_path, lines, encoding=encoding)
    if match is None:
        assert len(load_rs_vs_bp(p)) == len(_rf_load(triumf_csv, lines))
    else:
        with pytest.raises(ValueError, match=match):
            load_rs_vs_bp(p)


def test_rf_comments_and_empty_file(triumf_csv, tmp_path):
    from dissipax.rf.cavity_data import load_rs_vs_bp

    lines = _rf_lines(triumf_csv)
    assert len(_rf_load(triumf_csv, ["# Rs from G/Q0", *lines])) == len(_rf_load(triumf_csv, lines))
    with pytest.raises(ValueError, match="no block header"):
        load_rs_vs_bp(_rf_write(tmp_path, ["# nothing here"]))
