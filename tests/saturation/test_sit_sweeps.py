"""SIT tables: loader, the two views, duplicates, crossing point, duality (no fits here).

References: the generating formula of :class:`dissipax.saturation.SITSample` (noise-free
tables are exact on the measured points), and hand-written CSV files.
"""

import numpy as np
import pytest

import dissipax.saturation as sat
from dissipax._checks import DomainError

FIELDS = np.linspace(250.0, 550.0, 13)  # 400 Oe (= H_c) on the grid, 25 Oe steps


def test_csv_round_trip_and_units(tmp_path):
    sw = sat.generate_sit(fields=FIELDS, n_T=10, ragged=True, seed=2)
    p = sw.to_csv(tmp_path / "sit.csv", comments=(sw.source,))
    assert p.read_text().startswith("# synthetic")
    back = sat.load_sit_csv(p)
    for k in ("H", "T", "R", "sigma"):
        np.testing.assert_allclose(getattr(back, k), getattr(sw, k), rtol=1e-9)
    # the same numbers in tesla, mK and kOhm/sq
    q = tmp_path / "sit_units.csv"
    lines = ["B [T],T [mK],R [kOhm/sq]"]
    lines += [
        f"{h * 1e-4:.10g},{t * 1e3:.10g},{r * 1e-3:.10g}" for h, t, r in zip(sw.H, sw.T, sw.R)
    ]
    q.write_text("\n".join(lines) + "\n")
    conv = sat.load_sit_csv(q)
    np.testing.assert_allclose(conv.H, sw.H, rtol=1e-9)
    np.testing.assert_allclose(conv.T, sw.T, rtol=1e-9)
    np.testing.assert_allclose(conv.R, sw.R, rtol=1e-9)
    assert conv.sigma is None


def test_loader_keeps_the_validation(tmp_path):
    q = tmp_path / "bad.csv"
    q.write_text("field [Oe],T [K],R [Ohm]\n100,0.1,5000\n100,0.2,-3\n")
    with pytest.raises(sat.DataError, match="resistances must be > 0"):
        sat.load_sit_csv(q)
    q.write_text("field [Oe],T [K],R\n100,0.1,5000\n")
    with pytest.raises(sat.DataError, match="no unit"):
        sat.load_sit_csv(q)


def test_isotherm_view_exact_on_a_grid_and_back():
    sw = sat.generate_sit(fields=FIELDS, n_T=8, noise=0.0)
    iso = sw.isotherms()
    assert not iso.interpolated and len(iso) == 8
    for t, h, r in zip(iso.T, iso.H, iso.R):
        np.testing.assert_allclose(r, sw.truth.sample.resistance(t, h), rtol=1e-12)
    fs = iso.to_field_curves()
    assert fs.n_fields == len(FIELDS)
    for h, t, r, _ in fs:
        np.testing.assert_allclose(r, sw.truth.sample.resistance(t, h), rtol=1e-12)


def test_isotherms_of_a_ragged_table_interpolate():
    sw = sat.generate_sit(fields=FIELDS, n_T=60, noise=0.0, ragged=True, seed=4)
    iso = sw.isotherms(T=[0.2, 0.5])
    assert iso.interpolated
    for t, h, r in zip(iso.T, iso.H, iso.R):
        # linear in (log T, log R) between points ~6 % apart in T: error ~1e-3 here
        np.testing.assert_allclose(r, sw.truth.sample.resistance(t, h), rtol=5e-3)
    # ragged R(T) curves at each field, each with its own temperatures
    fs = sw.field_curves()
    assert len({len(t) for t in fs.T}) > 1


def test_duplicates_policy():
    H = np.array([100.0, 100.0, 100.0, 200.0])
    T = np.array([0.1, 0.1, 0.2, 0.1])
    R = np.array([1000.0, 1100.0, 900.0, 2000.0])
    with pytest.warns(sat.DuplicatePointsWarning, match="duplicates='mean'"):
        sw = sat.sit_sweep(H, T, R)
    assert sw.n_points == 4
    with pytest.raises(sat.DataError, match="occur more than once with different R"):
        sat.sit_sweep(H, T, R, duplicates="error")
    m = sat.sit_sweep(H, T, R, sigma=np.full(4, 10.0), duplicates="mean")
    assert m.n_points == 3
    assert m.R[0] == pytest.approx(1050.0) and m.sigma[0] == pytest.approx(10 / np.sqrt(2))


def test_bad_arrays():
    with pytest.raises(DomainError, match="same length"):
        sat.sit_sweep([1.0, 2.0], [0.1], [1.0, 2.0])
    with pytest.raises(DomainError, match="'T' must be > 0"):
        sat.sit_sweep([1.0], [0.0], [1.0])
    with pytest.raises(DomainError, match="'R' must be > 0"):
        sat.sit_sweep([1.0], [0.1], [-1.0])


def test_crossing_point_recovers_Hc():
    for ragged in (False, True):
        sw = sat.generate_sit(ragged=ragged, seed=5)
        c = sat.crossing_point(sw, T_min=0.1)
        assert abs(c.H_c - 400.0) < 4 * c.stderr["H_c"] and abs(c.H_c - 400.0) < 4.0
        assert abs(c.R_c / sw.truth.sample.R_c - 1) < 0.02
        assert len(c.H_x) > 10


def test_crossing_point_bad_input():
    sw = sat.generate_sit(fields=FIELDS[FIELDS > 410], n_T=10)
    with pytest.raises(DomainError, match="insulating side.*do not bracket H_c"):
        sat.crossing_point(sw)
    one = sat.generate_sit(fields=FIELDS, n_T=10).select(T_max=0.031)
    with pytest.raises(DomainError, match="at least 2 temperatures"):
        sat.crossing_point(one)


def test_duality_exact_on_noise_free_tables():
    # delta on measured fields (25 Oe steps about H_c = 400 Oe): no interpolation error
    delta = np.array([25.0, 50.0, 100.0, 150.0])
    for b in (0.0, 0.05):
        sample = sat.SITSample(b=b)
        sw = sat.generate_sit(sample, fields=FIELDS, n_T=12, noise=0.0)
        d = sat.duality(sw, center=(sample.H_c, sample.R_c), delta=delta)
        truth = sample.duality_deviation(d.T[:, None], delta[None, :])
        np.testing.assert_allclose(d.deviation, truth, atol=1e-12)
        np.testing.assert_allclose(d.ratio_plus * d.ratio_minus_inv**-1, np.exp(truth), rtol=1e-12)
        if b == 0:
            np.testing.assert_allclose(d.ratio_plus, d.ratio_minus_inv, rtol=1e-12)
    # between measured fields the interpolation error is second order and small
    d = sat.duality(sw, center=(400.0, sample.R_c), delta=np.array([37.5, 112.5]))
    truth = sample.duality_deviation(d.T[:, None], d.delta[None, :])
    assert np.max(np.abs(d.deviation - truth)) < 0.01


def test_duality_with_noise_has_errors_and_crossing_center():
    sw = sat.generate_sit(seed=6)
    c = sat.crossing_point(sw, T_min=0.1)
    d = sat.duality(sw, center=c, T_min=0.1, n_delta=6)
    assert d.H_c == c.H_c and d.deviation.shape == (len(d.T), 6)
    assert np.all(np.isfinite(d.deviation_err))
    truth = sw.truth.sample.duality_deviation(d.T[:, None], d.delta[None, :])
    z = (d.deviation - truth) / d.deviation_err
    # errors of D (interpolated points, R_c from the crossing held fixed): pulls O(1)
    assert np.nanstd(z) < 2.0
    with pytest.raises(DomainError, match="both sides of H_c"):
        sat.duality(sw, center=(900.0, 6000.0))
