import numpy as np
import pytest

from dissipax import DomainError
from dissipax.rf.cavity_data import load_rs_vs_bp, pad_ramps

TRIUMF = ("triumf_nb_hwr_rs_vs_bp", "sf_data.csv")  # dissipax.datasets name, file


def _write(tmp_path, text):
    p = tmp_path / "rs.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_synthetic_blocks_ramps_and_header_parsing(tmp_path):
    text = (
        "/x/2021_05_26_08h21_QoData_HWR_389MHz_cooldown_2K_ZFC_pruned.txt\n"
        "10,1e-8,2.2\n20,2e-8,2.1\n5,1.5e-8,2.0\n15,1.6e-8,2.0\n"
        "/x/2021_05_28_08h32_QoData_HWR_1167MHz_cooldown_10uTVert.txt\n"
        "10,3e-8,2.3\n"
    )
    ramps = load_rs_vs_bp(_write(tmp_path, text))
    assert [len(r) for r in ramps] == [2, 2, 1]
    assert ramps[0].f_Hz == 389e6 and ramps[2].f_Hz == 1167e6
    assert ramps[0].condition == "2K_ZFC" and ramps[2].condition == "10uTVert"
    assert ramps[0].date == "2021-05-26 08:21" and ramps[0].cavity == "HWR"
    assert (ramps[1].block, ramps[1].ramp) == (0, 1)
    np.testing.assert_array_equal(ramps[1].Bp_mT, [5.0, 15.0])
    np.testing.assert_array_equal(ramps[0].Rs_ohm, [1e-8, 2e-8])
    assert ramps[0].T0_K == pytest.approx(2.15)


def test_repeated_ramps_dropped_or_kept(tmp_path):
    block = "/x/a_389MHz_cooldown_2K_ZFC.txt\n10,1e-8,2.2\n20,2e-8,2.1\n"
    scaled = "/x/a_389MHz_cooldown_2K_ZFC.txt\n10,2e-8,2.2\n20,4e-8,2.1\n"
    p = _write(tmp_path, block + block + scaled)
    assert len(load_rs_vs_bp(p)) == 1
    assert len(load_rs_vs_bp(p, drop_repeated=False)) == 3


@pytest.mark.parametrize(
    "text, match",
    [
        ("10,1e-8,2.2\n", "before any block header"),
        ("/x/a_cooldown.txt\n10,1e-8,2.2\n", "names no frequency"),
        ("/x/a_389MHz.txt\n10,abc\n", "expected 'Bp, Rs, T'"),
        ("/x/a_389MHz.txt\n10,nan,2.2\n", "non-finite"),
    ],
)
def test_malformed_files_name_the_line(tmp_path, text, match):
    with pytest.raises(DomainError, match=match):
        load_rs_vs_bp(_write(tmp_path, text))


def test_missing_file(tmp_path):
    with pytest.raises(DomainError, match="no such file"):
        load_rs_vs_bp(tmp_path / "absent.csv")


def test_triumf_file(dataset):
    csv = dataset(*TRIUMF)
    ramps = load_rs_vs_bp(csv)
    freqs = sorted({r.f_Hz for r in ramps})
    assert freqs == [389e6, 778e6, 1167e6]
    assert {r.condition for r in ramps} == {"2K_ZFC", "10uTVert", "10uTHor"}
    # 21 distinct ramps; the 42 ramps of the file include exact and rescaled copies.
    assert len(ramps) == 21
    assert len(load_rs_vs_bp(csv, drop_repeated=False)) == 42
    for r in ramps:
        assert np.all(np.diff(r.Bp_mT) > 0), r.label  # each ramp increases in field
        assert np.all((r.T_K > 2.1) & (r.T_K < 2.4))
        assert np.all((r.Rs_ohm > 1e-9) & (r.Rs_ohm < 1e-6))
    first = ramps[0]
    assert first.Bp_mT[0] == pytest.approx(9.986399969)
    assert first.Rs_ohm[0] == pytest.approx(1.4714936172835922e-08)
    assert first.T_K[0] == pytest.approx(2.273)


def test_pad_ramps(dataset):
    ramps = load_rs_vs_bp(dataset(*TRIUMF))[:3]
    padded = pad_ramps(ramps)
    n_max = max(len(r) for r in ramps)
    assert padded["Bp_mT"].shape == (3, n_max)
    assert padded["mask"].sum() == sum(len(r) for r in ramps)
    np.testing.assert_array_equal(padded["Bp_mT"][1, : len(ramps[1])], ramps[1].Bp_mT)
    assert np.all(padded["Rs_ohm"][1, len(ramps[1]) :] == ramps[1].Rs_ohm[-1])
    np.testing.assert_array_equal(padded["f_Hz"], [389e6] * 3)
