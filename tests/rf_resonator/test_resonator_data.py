"""Loaders of raw S21 CSVs and per-temperature resonator tables: data and error messages."""

import numpy as np
import pytest

from dissipax._checks import DomainError
from dissipax.rf import resonator as rs

ROWS = "7710700000.0,-19.48,11.50\n7710707500.0,-19.49,11.53\n7710715000.0,-19.50,11.60\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_directory_sorted_by_temperature(tmp_path):
    write(tmp_path, "res_120.0mK.csv", ROWS)
    write(tmp_path, "res_30.0mK.csv", ROWS)
    sw = rs.load_s21_csv(tmp_path)
    np.testing.assert_allclose(sw.T_K, [0.03, 0.12])
    assert sw.f_Hz.shape == sw.s21.shape == (2, 3)
    want = 10 ** (-19.48 / 20) * np.exp(1j * np.deg2rad(11.50))
    assert abs(sw.s21[0, 0] - want) < 1e-15
    assert sw.files[0].endswith("res_30.0mK.csv")


def test_temperature_from_name():
    f = rs.data.temperature_from_name
    assert f("NYU2D_AL_INP_220131_7.7182GHz_-20.0dB_30.0mK.csv") == pytest.approx(0.03)
    assert f("trace_1.2K.csv") == pytest.approx(1.2)
    assert f("trace.csv") is None


def test_missing_column(tmp_path):
    p = write(tmp_path, "a_30mK.csv", "7710700000.0,-19.48\n")
    with pytest.raises(DomainError, match=r"a_30mK.csv:1: 2 cell\(s\); expected 3 columns"):
        rs.load_s21_csv(p)


def test_non_numeric_cell(tmp_path):
    p = write(tmp_path, "a_30mK.csv", ROWS + "7710722500.0,abc,11.7\n")
    with pytest.raises(DomainError, match=r":4: column 2 '\|S21\| \[dB\]': 'abc' is not a number"):
        rs.load_s21_csv(p)


def test_ghz_column(tmp_path):
    p = write(tmp_path, "a_30mK.csv", "7.7107,-19.48,11.5\n7.7108,-19.49,11.5\n")
    with pytest.raises(DomainError, match=r"frequencies in Hz.*GHz"):
        rs.load_s21_csv(p)


def test_duplicated_temperature_and_missing_name(tmp_path):
    write(tmp_path, "a_30.0mK.csv", ROWS)
    write(tmp_path, "b_30mK.csv", ROWS)
    with pytest.raises(DomainError, match=r"duplicated temperature 30 mK"):
        rs.load_s21_csv(tmp_path)
    (tmp_path / "b_30mK.csv").unlink()
    write(tmp_path, "notemp.csv", ROWS)
    with pytest.raises(DomainError, match=r"notemp.csv: no temperature in the file name"):
        rs.load_s21_csv(tmp_path)


def test_different_lengths_and_empty(tmp_path):
    write(tmp_path, "a_30mK.csv", ROWS)
    write(tmp_path, "a_45mK.csv", ROWS + "7710722500.0,-19.5,11.7\n")
    with pytest.raises(DomainError, match="traces of different lengths"):
        rs.load_s21_csv(tmp_path)
    with pytest.raises(DomainError, match="no such file"):
        rs.load_s21_csv(tmp_path / "nope")
    e = tmp_path / "empty"
    e.mkdir()
    with pytest.raises(DomainError, match=r"no \*.csv files"):
        rs.load_s21_csv(e)


TABLE = (
    ",fr,fr_stderr,Qi,Qi_stderr,Qc,temperature (mK)\n"
    "0,5288309513.3,4.3,1353758.0,4113.2,88069.7,22.23\n"
    "1,5288309497.1,4.4,1362369.2,4169.3,88122.0,80.73\n"
)


def test_table(tmp_path):
    t = rs.load_resonator_table(write(tmp_path, "t.csv", TABLE))
    np.testing.assert_allclose(t.T_K, [0.02223, 0.08073])
    assert t.fr_Hz[0] == 5288309513.3 and t.Qi_err[1] == 4169.3 and t.Qc[0] == 88069.7
    assert t.Qc_err is None and "fr" in t.columns and len(t) == 2


def test_table_missing_column(tmp_path):
    p = write(tmp_path, "t.csv", TABLE.replace(",Qi,", ",Qint,"))
    with pytest.raises(DomainError, match=r"t.csv:1: missing column\(s\) 'Qi'"):
        rs.load_resonator_table(p)
    p = write(tmp_path, "u.csv", TABLE.replace("temperature (mK)", "temp"))
    with pytest.raises(DomainError, match=r"missing column\(s\) 'temperature \(mK\)"):
        rs.load_resonator_table(p)


def test_table_bad_cells(tmp_path):
    p = write(tmp_path, "t.csv", TABLE.replace("1362369.2", "x"))
    with pytest.raises(DomainError, match=r"t.csv:3: column 4 'Qi': 'x' is not a number"):
        rs.load_resonator_table(p)
    p = write(tmp_path, "n.csv", TABLE.replace("1362369.2", "-5"))
    with pytest.raises(DomainError, match=r"n.csv:3: column 4 'Qi'.*a negative Q"):
        rs.load_resonator_table(p)
    p = write(tmp_path, "d.csv", TABLE.replace("80.73", "22.23"))
    with pytest.raises(DomainError, match=r"duplicated temperature 22.23 on lines 2, 3"):
        rs.load_resonator_table(p)
    p = write(tmp_path, "c.csv", TABLE + "2,1,2\n")
    with pytest.raises(DomainError, match=r"c.csv:4: 3 cells, but the header"):
        rs.load_resonator_table(p)


def test_measured_s21_sweep(dataset):
    sw = rs.load_s21_csv(dataset("scresonators_al_s21"))
    assert len(sw) == 20 and sw.f_Hz.shape == (20, 2001)
    np.testing.assert_allclose(sw.T_K[[0, -1]], [0.030, 0.315])
    assert np.all(np.abs(sw.s21) < 1) and np.all(np.diff(sw.f_Hz, axis=-1) > 0)


def test_measured_table(dataset):
    t = rs.load_resonator_table(dataset("levkrayzman_al_resonator", "fitresults_temp.csv"))
    assert len(t) == 29 and t.T_K[0] == pytest.approx(0.02223) and t.T_K[-1] > 1.2
    assert np.all(t.Qi_err > 0) and np.all(np.abs(t.fr_Hz / 5.288e9 - 1) < 1e-3)
