"""dissipax.datasets: registry, lookup order, checksums, errors, the ``dataset`` fixture.

No network: downloads go through ``file://`` URLs of a temporary "origin" directory (the
same pooch.retrieve path as HTTP), and the one HTTP test replaces pooch's downloader.
"""

import hashlib
import re
from pathlib import Path
from types import MappingProxyType

import pytest

from dissipax import datasets
from dissipax.cli import main

FILES = {"a.csv": b"1,2,3\n4,5,6\n", "b.txt": b"notes\n"}


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A registered data set ``fake`` whose originals live in tmp_path/origin (file:// URLs).

    DISSIPAX_DATA_DIR is unset and the cache is tmp_path/cache; returns (origin, cache).
    """
    origin = tmp_path / "origin"
    origin.mkdir()
    for f, b in FILES.items():
        (origin / f).write_bytes(b)
    ds = datasets.Dataset(
        name="fake",
        description="a test data set",
        files={f: _sha(b) for f, b in FILES.items()},
        urls={f: (origin / f).as_uri() for f in FILES},
        source="tests",
        licence="CC0",
        citation="nobody",
    )
    monkeypatch.setattr(datasets, "REGISTRY", MappingProxyType({**datasets.REGISTRY, "fake": ds}))
    monkeypatch.delenv(datasets.DATA_DIR_VAR, raising=False)
    monkeypatch.setenv(datasets.CACHE_DIR_VAR, str(tmp_path / "cache"))
    return origin, tmp_path / "cache"


def _copy_set(dst: Path, files=FILES) -> Path:
    dst.mkdir(parents=True)
    for f, b in files.items():
        (dst / f).write_bytes(b)
    return dst


def test_registry_is_complete_and_pinned():
    assert set(datasets.REGISTRY) == {
        "triumf_nb_hwr_rs_vs_bp",
        "scresonators_al_s21",
        "levkrayzman_al_resonator",
    }
    url = re.compile(r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[0-9a-f]{40}/\S+$")
    for name, ds in datasets.REGISTRY.items():
        assert ds.name == name and ds.description and "\n" not in ds.description
        assert ds.licence and ds.citation and ds.source.startswith("https://github.com/")
        assert set(ds.files) == set(ds.urls) and ds.files
        for f, h in ds.files.items():
            assert re.fullmatch(r"[0-9a-f]{64}", h), (name, f)
            assert url.match(ds.urls[f]) and ds.urls[f].endswith("/" + f), ds.urls[f]
    assert len(datasets.REGISTRY["scresonators_al_s21"].files) == 21  # 20 temperatures + LICENSE


@pytest.mark.parametrize("name", ["triumf_nb_hwr_rs_vs_bp", "levkrayzman_al_resonator"])
def test_registered_checksums_match_the_data(dataset, name):
    d = dataset(name)  # fetch verifies every file's SHA-256
    assert sorted(p.name for p in d.iterdir() if p.is_file()) >= sorted(datasets.info(name).files)
    for f, h in datasets.info(name).files.items():
        assert _sha((d / f).read_bytes()) == h


def test_list_and_info():
    table = datasets.list()
    assert isinstance(table, dict)
    assert table["scresonators_al_s21"] == datasets.REGISTRY["scresonators_al_s21"].description
    assert "levkrayzman_al_resonator" in repr(table) and "<table>" in table._repr_html_()
    ds = datasets.info("triumf_nb_hwr_rs_vs_bp")
    text = str(ds)
    assert "sf_data.csv" in text and "licence" in text and ds.urls["sf_data.csv"] in text
    assert "<table>" in ds._repr_html_()
    with pytest.raises(ValueError, match="unknown data set 'nope'.*triumf_nb_hwr_rs_vs_bp"):
        datasets.info("nope")
    with pytest.raises(ValueError, match="has no file 'x.csv'.*sf_data.csv"):
        datasets.fetch("triumf_nb_hwr_rs_vs_bp", "x.csv")


def test_data_dir_first(fake, tmp_path, monkeypatch):
    origin, cache = fake
    mine = _copy_set(tmp_path / "mine" / "fake")
    _copy_set(cache / "fake")
    monkeypatch.setenv(datasets.DATA_DIR_VAR, str(tmp_path / "mine"))
    assert datasets.fetch("fake") == mine
    assert datasets.fetch("fake", "b.txt") == mine / "b.txt"
    assert datasets.locate("fake") == mine


def test_cache_second_without_download(fake, tmp_path, monkeypatch):
    origin, cache = fake
    cached = _copy_set(cache / "fake")
    for f in FILES:
        (origin / f).unlink()  # a download attempt would fail
    monkeypatch.setenv(datasets.DATA_DIR_VAR, str(tmp_path / "empty"))  # set, but lacks fake/
    assert datasets.fetch("fake") == cached
    assert datasets.fetch("fake", "a.csv") == cached / "a.csv"


def test_download_last_then_cached(fake):
    origin, cache = fake
    assert datasets.locate("fake") is None
    assert datasets.fetch("fake", "b.txt") == cache / "fake" / "b.txt"
    assert not (cache / "fake" / "a.csv").exists()  # one file asked, one file fetched
    d = datasets.fetch("fake")
    assert d == cache / "fake"
    assert {f: (d / f).read_bytes() for f in FILES} == FILES
    for f in FILES:
        (origin / f).unlink()
    assert datasets.fetch("fake") == d  # from the cache now
    assert datasets.locate("fake") == d


def test_incomplete_data_dir_falls_back_to_the_cache(fake, tmp_path, monkeypatch):
    origin, cache = fake
    _copy_set(tmp_path / "mine" / "fake", {"a.csv": FILES["a.csv"]})
    monkeypatch.setenv(datasets.DATA_DIR_VAR, str(tmp_path / "mine"))
    assert datasets.fetch("fake", "a.csv") == tmp_path / "mine" / "fake" / "a.csv"
    assert datasets.fetch("fake") == cache / "fake"  # the directory must hold every file


def test_checksum_mismatch_names_the_file(fake, tmp_path, monkeypatch):
    origin, cache = fake
    mine = _copy_set(tmp_path / "mine" / "fake")
    (mine / "a.csv").write_bytes(b"1,2,3\n4,5,7\n")
    monkeypatch.setenv(datasets.DATA_DIR_VAR, str(tmp_path / "mine"))
    with pytest.raises(datasets.ChecksumError, match=r"a\.csv.*differs.*data set 'fake'"):
        datasets.fetch("fake")
    with pytest.raises(datasets.ChecksumError, match=r"a\.csv"):
        datasets.fetch("fake", "a.csv")
    assert issubclass(datasets.ChecksumError, ValueError)
    # a corrupted original: the download is rejected and not kept
    monkeypatch.delenv(datasets.DATA_DIR_VAR)
    (origin / "b.txt").write_bytes(b"other notes\n")
    with pytest.raises(datasets.ChecksumError, match=r"'b\.txt' of data set 'fake'"):
        datasets.fetch("fake", "b.txt")
    assert not (cache / "fake" / "b.txt").exists()


def test_unavailable_names_set_url_and_variable(fake):
    origin, cache = fake
    (origin / "a.csv").unlink()
    with pytest.raises(datasets.DatasetUnavailable) as e:
        datasets.fetch("fake")
    msg = str(e.value)
    assert "data set 'fake' is unavailable" in msg
    assert (origin / "a.csv").as_uri() in msg and "DISSIPAX_DATA_DIR" in msg
    assert isinstance(e.value, FileNotFoundError)


def test_unavailable_over_http(monkeypatch, tmp_path):
    """The real registry, offline: pooch's HTTP downloader fails as requests does."""
    import pooch
    import requests

    def offline(self, url, output_file, pooch_obj, check_only=False):
        raise requests.exceptions.ConnectionError(f"no network for {url}")

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", offline)
    monkeypatch.delenv(datasets.DATA_DIR_VAR, raising=False)
    monkeypatch.setenv(datasets.CACHE_DIR_VAR, str(tmp_path / "cache"))
    url = datasets.info("levkrayzman_al_resonator").urls["fitresults_temp.csv"]
    with pytest.raises(datasets.DatasetUnavailable, match="levkrayzman_al_resonator") as e:
        datasets.fetch("levkrayzman_al_resonator")
    assert url in str(e.value) and "DISSIPAX_DATA_DIR=(unset)" in str(e.value)


def test_fixture_skips_outside_ci_and_fails_under_ci(fake, dataset, monkeypatch):
    origin, cache = fake
    (origin / "a.csv").unlink()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: data set 'fake' unavailable"):
        dataset("fake")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="data set 'fake' unavailable.*a.csv"):
        dataset("fake")


def test_cli_info_shows_data_locations(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(datasets.DATA_DIR_VAR, str(tmp_path / "mine"))
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert f"DISSIPAX_DATA_DIR={tmp_path / 'mine'}" in out
    assert str(tmp_path / "cache") in out and "fake" in out
