"""The long-format CSV loader: round trip, units, and row/column-precise rejections."""

import re

import numpy as np
import pytest

from dissipax.saturation import data, synthetic

HEADER = "field [Oe],temperature [K],resistance [Ohm],sigma [Ohm]\n"


def _rows(n_fields=2, n_T=5):
    out = []
    for h in (100.0, 400.0)[:n_fields]:
        for t in np.linspace(0.05, 1.0, n_T):
            out.append(f"{h},{t},{1000 + 100 * t},{5.0}\n")
    return out


def _write(tmp_path, text, name="sweep.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_round_trip_synthetic(tmp_path):
    sweep = synthetic.generate(n_T=12, seed=3)
    p = sweep.to_csv(tmp_path / "s.csv", comments=("synthetic test table",))
    assert p.read_text().startswith("# synthetic test table\n")
    back = data.load_csv(p)
    np.testing.assert_array_equal(back.H, sweep.H)
    for a, b in zip(back.rho, sweep.rho):
        np.testing.assert_allclose(a, b, rtol=1e-9)  # written with 10 significant digits
    for a, b in zip(back.sigma, sweep.sigma):
        np.testing.assert_allclose(a, b, rtol=1e-9)


def test_units_in_header_and_comment(tmp_path):
    text = "# units: field=T, temperature=mK\nH,T,R (kOhm)\n" + "".join(
        f"0.03,{t},{r}\n" for t, r in [(50, 2.0), (100, 2.5), (200, 3.0), (400, 3.5)]
    )
    sweep = data.load_csv(_write(tmp_path, text))
    assert sweep.H.tolist() == [300.0]  # 0.03 T = 300 Oe
    np.testing.assert_allclose(sweep.T[0], [0.05, 0.1, 0.2, 0.4])
    np.testing.assert_allclose(sweep.rho[0], [2000, 2500, 3000, 3500])
    assert sweep.sigma is None


def test_underscore_units_and_megaohm(tmp_path):
    text = "field_mT,T_K,R_MOhm\n" + "".join(f"30,{t},1.5\n" for t in (0.1, 0.2, 0.3, 0.4))
    sweep = data.load_csv(_write(tmp_path, text))
    assert sweep.H.tolist() == [300.0]
    np.testing.assert_allclose(sweep.rho[0], 1.5e6)


def test_ragged_fields_are_padded_with_mask(tmp_path):
    rows = _rows(n_fields=1, n_T=5) + [f"400,{t},2000,5\n" for t in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)]
    sweep = data.load_csv(_write(tmp_path, HEADER + "".join(rows)))
    T, rho, sigma, mask = sweep.padded()
    assert T.shape == (2, 6) and mask.sum(axis=1).tolist() == [5, 6]
    assert T[0, 5] == T[0, 4]  # padded by repeating the last point


def _error(tmp_path, text, **kw):
    with pytest.raises(data.DataError) as info:
        data.load_csv(_write(tmp_path, text), **kw)
    return str(info.value)


def test_missing_column_is_named(tmp_path):
    msg = _error(tmp_path, "field [Oe],temperature [K]\n100,0.1\n")
    assert ":1:" in msg and "missing column(s) resistance" in msg


def test_non_numeric_cell_gives_line_and_column(tmp_path):
    rows = _rows()
    rows[2] = "100,abc,1000,5\n"
    msg = _error(tmp_path, "# c\n" + HEADER + "".join(rows))
    # comment on line 1, header on line 2, third data row on line 5
    assert re.search(r":5: column 2 'temperature \[K\]': 'abc' is not a number", msg), msg


def test_nan_rows_are_listed(tmp_path):
    rows = _rows()
    rows[1] = "100,0.2,nan,5\n"
    rows[6] = "400,0.3,,5\n"
    msg = _error(tmp_path, HEADER + "".join(rows))
    assert "column 3 'resistance [Ohm]' at lines 3, 8" in msg, msg
    with pytest.warns(UserWarning, match="dropped 2 row"):
        sweep = data.load_csv(tmp_path / "sweep.csv", nan="drop")
    assert [len(t) for t in sweep.T] == [4, 4]


@pytest.mark.parametrize(
    "col,bad,what",
    [
        (1, "-0.1", "temperatures must be > 0"),
        (1, "0", "temperatures must be > 0"),
        (2, "-5", "resistances must be > 0"),
        (3, "0", "uncertainties must be > 0"),
    ],
)
def test_non_positive_values_are_rejected_with_lines(tmp_path, col, bad, what):
    rows = _rows()
    cells = rows[3].strip().split(",")
    cells[col] = bad
    rows[3] = ",".join(cells) + "\n"
    msg = _error(tmp_path, HEADER + "".join(rows))
    assert what in msg and "line 5" in msg and f"column {col + 1}" in msg, msg


def test_unit_problems(tmp_path):
    msg = _error(tmp_path, "field,temperature [K],resistance [Ohm]\n")
    assert "column 1 'field': no unit" in msg
    msg = _error(tmp_path, "field [furlong],temperature [K],resistance [Ohm]\n")
    assert "unknown field unit 'furlong'" in msg


def test_wrong_cell_count_and_duplicates(tmp_path):
    msg = _error(tmp_path, HEADER + "100,0.1,1000\n")
    assert ":2: 3 cells, but the header on line 1 has 4 columns" in msg
    msg = _error(tmp_path, "field [Oe],T [K],R [Ohm],rho [Ohm]\n")
    assert "a second 'resistance' column" in msg
    with pytest.raises(data.DataError, match="no such file"):
        data.load_csv(tmp_path / "absent.csv")
    assert "no data rows" in _error(tmp_path, HEADER)


def test_too_few_points_skipped_with_warning(tmp_path):
    rows = _rows() + ["700,0.1,5000,5\n", "700,0.2,4000,5\n"]
    with pytest.warns(data.SkippedFieldsWarning, match=r"700 Oe \(2 points\)"):
        sweep = data.load_csv(_write(tmp_path, HEADER + "".join(rows)))
    assert sweep.H.tolist() == [100.0, 400.0]
    with (
        pytest.raises(data.DataError, match="no field has at least"),
        pytest.warns(data.SkippedFieldsWarning),
    ):
        data.load_csv(_write(tmp_path, HEADER + "".join(rows[-2:]), name="few.csv"))


def test_extra_columns_are_ignored(tmp_path):
    text = "run,field [Oe],temperature [K],resistance [Ohm]\n" + "".join(
        f"a,100,{t},1000\n" for t in (0.1, 0.2, 0.3, 0.4)
    )
    assert data.load_csv(_write(tmp_path, text)).n_fields == 1
