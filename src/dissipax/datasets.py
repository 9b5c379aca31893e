"""Measured data sets: a registry, checksum-verified local copies, and downloads with pooch.

Every measured data set the project's tests, notebooks and examples use is registered here
with the original public URL of each file (pinned to a commit), its SHA-256, its licence, a
citation and a one-line description.  Nothing measured is read any other way::

    import dissipax as dx

    dx.datasets.list()                                   # names and descriptions
    d = dx.datasets.fetch("triumf_nb_hwr_rs_vs_bp")      # pathlib.Path of a directory
    ramps = dx.rf.cavity_data.load_rs_vs_bp(d / "sf_data.csv")
    csv = dx.datasets.fetch("triumf_nb_hwr_rs_vs_bp", "sf_data.csv")   # one file
    print(dx.datasets.info("scresonators_al_s21"))       # source, licence, citation, files

Where the files are looked for, in this order (every file is checked against its SHA-256
wherever it is found):

1. ``$DISSIPAX_DATA_DIR/<name>/<file>`` -- a directory you keep yourself (CI points it at
   its copy of the data);
2. the download cache, ``$DISSIPAX_CACHE_DIR/<name>/<file>`` when that variable is set,
   else ``pooch.os_cache("dissipax")`` (``~/.cache/dissipax`` on Linux);
3. a download of the original file into the cache, verified by its SHA-256.

With neither a local copy nor a network, :func:`fetch` raises :class:`DatasetUnavailable`
(a :class:`FileNotFoundError`) naming the data set, the URL and the variable to set; a file
whose content differs from the registry raises :class:`ChecksumError` (a :class:`ValueError`)
naming the file.  No data file ships with dissipax: two of the three sources state no
licence, so only their original URLs are recorded here.
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import html
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from urllib.parse import unquote, urlparse

__all__ = [
    "REGISTRY",
    "ChecksumError",
    "Dataset",
    "DatasetUnavailable",
    "cache_dir",
    "data_dir",
    "fetch",
    "info",
    "list",
    "locate",
]

DATA_DIR_VAR = "DISSIPAX_DATA_DIR"
CACHE_DIR_VAR = "DISSIPAX_CACHE_DIR"
DOWNLOAD_TIMEOUT_S = 30  # per request; an unreachable host fails at once (DNS)


class DatasetUnavailable(FileNotFoundError):
    """A registered data set is neither on disk nor downloadable (no network, no write access).

    Attributes ``dataset`` (the name) and ``url`` (the download that failed) come with it.
    """

    def __init__(self, message: str, *, dataset: str, url: str):
        super().__init__(message)
        self.dataset, self.url = dataset, url

    def __str__(self) -> str:
        return self.args[0]


class ChecksumError(ValueError):
    """A data file's SHA-256 differs from the registry's (a changed, truncated or wrong file)."""


@dataclasses.dataclass(frozen=True)
class Dataset:
    """One registered data set: its files with their SHA-256 and URLs, and where it comes from.

    Attributes
    ----------
    name : str
        Registry key, also the sub-directory name under ``$DISSIPAX_DATA_DIR`` and the cache.
    description : str
        One line: what was measured, on what, in which units.
    files : Mapping[str, str]
        File name -> SHA-256 (hex) of its content.
    urls : Mapping[str, str]
        File name -> original public URL, pinned to a commit.
    source : str
        The repository the files come from, with the commit(s).
    licence : str
        The licence the source states (or that it states none).
    citation : str
        How to cite the data.
    """

    name: str
    description: str
    files: Mapping[str, str]
    urls: Mapping[str, str]
    source: str
    licence: str
    citation: str

    def __str__(self) -> str:
        lines = [
            f"{self.name}: {self.description}",
            f"  source:   {self.source}",
            f"  licence:  {self.licence}",
            f"  citation: {self.citation}",
            f"  files ({len(self.files)}):",
        ]
        lines += [f"    {f}  sha256:{h[:12]}...  {self.urls[f]}" for f, h in self.files.items()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(
            f"<tr><td><a href='{e(self.urls[f])}'><code>{e(f)}</code></a></td>"
            f"<td><code>{h[:12]}…</code></td></tr>"
            for f, h in self.files.items()
        )
        return (
            f"<b>{e(self.name)}</b>: {e(self.description)}<br>"
            f"source: {e(self.source)}<br>licence: {e(self.licence)}<br>"
            f"citation: {e(self.citation)}<br>"
            f"<table><tr><th>file</th><th>sha256</th></tr>{rows}</table>"
        )


class DatasetTable(dict):
    """Data set name -> one-line description, as :func:`list` returns it (a plain dict).

    Prints as an aligned table and renders as an HTML table in notebooks.
    """

    def __repr__(self) -> str:
        w = max(map(len, self), default=0)
        return "\n".join(f"{k:<{w}s}  {v}" for k, v in self.items())

    __str__ = __repr__

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(v)}</td></tr>"
            for k, v in self.items()
        )
        return f"<table><tr><th>data set</th><th>description</th></tr>{rows}</table>"


def _github(repo: str, files: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """URLs of ``files`` (name -> (commit, path in the repository)) on raw.githubusercontent.com."""
    return {f: f"https://raw.githubusercontent.com/{repo}/{c}/{p}" for f, (c, p) in files.items()}


def _register(*datasets: Dataset) -> Mapping[str, Dataset]:
    for d in datasets:
        if set(d.files) != set(d.urls):
            raise AssertionError(f"registry entry {d.name}: files and urls differ")
    return MappingProxyType({d.name: d for d in datasets})


_TRIUMF_REPO = "RRGregory/Cooldown-Data-Analysis"
_TRIUMF_COMMITS = {
    "sf_data.csv": "13f60de5b864eabfd9997401de3b3cafe2ec27d8",
    "Rres.txt": "989794481ede625df0841a4a8917924e4d05e8dc",
    "fit_params.txt": "00f0c98198238331096304710660c6c84cd672aa",
}

_S21_REPO = "Boulder-Cryogenic-Quantum-Testbed/scresonators"
_S21_COMMIT = "9d8894e5ebd182f9de026c24dc06fff592b3a2e1"
_S21_DIR = "fit_resonator/Resources/sample_temperature_data"
_S21_FILE = "NYU2D_AL_INP_220131_7.7182GHz_-20.0dB_{}mK.csv"
_S21_SHA256 = {  # temperature [mK] -> sha256 of its file
    "30.0": "45100e48b7c2159bde9ac4c7015a41478d0fa42a5beb8dc6c7ce426fc7a34bdb",
    "45.0": "48d6ee015955f01f7b64220800b3b827b3588eac22fee1a831b799e93795745d",
    "60.0": "740ccfaeb762e0f179022f6cbf3154db1029634aec11aa7382d5744fe20ce315",
    "75.0": "8a92406f057156ff938de441e960189e003751dfa02c927326683022979ba6f0",
    "90.0": "aa11582cb499d1ac275451bb3e1157a6ef5d4c0aa4ce5a304b43d2649e84e4f8",
    "105.0": "390ac8bfe5216e10f7eaa71af9c0b0e05ded87e803f43f4c7dc13a4617170cb5",
    "120.0": "cd17948c67326dbe39e86406ae988b26c5d86b5cef2bb0b1a504918d6a323540",
    "135.0": "71262ba546082d05e5f4047ba558e636aa2020c2e43794cac16de855745c0ea5",
    "150.0": "4b703e063c70868d80ee13918efec85e6ed4c49fe89a8fe22e1bd7cb887474ad",
    "165.0": "2d7ff40390e4173c49a636bb3a6ad683cb3cd85ed27bc270ae9ed97778aa53e3",
    "180.0": "d318658217bd51f05ac06744e4001c1474d1280a67c11d2a2e114c60596f7c50",
    "195.0": "531032cd7e8139c26ddf84cbcfa2360f5cdd9d980a788a90b6a565efcb737e1f",
    "210.0": "3fa031aec0f151fd664df6537a3018b1626fdf81b47a7a6388dab49c72ac2283",
    "225.0": "d9e782ffbea084d5f84c2db896f14f8289a87734bd223cb730b7fa2713121246",
    "240.0": "dd935a3f2fcdbb022e2313689423d222cdb35e9d4a49294e6e68c54d38b6698f",
    "255.0": "7048749eccbb6b8ae7b1827f3ed4ee3abae50fe8993f685c3ca5f20bc8e4d190",
    "270.0": "5de50543f1cea018e8e68265f7d74f51add016cec506e0cc879c524703de62a7",
    "285.0": "b65ae2d4a891350e89cff3ace1ff050efd6cd89ef81a0399ea71e08833630895",
    "300.0": "ac24ed59683b99c64fb8c92bf66ce4d81bc9f93db8f7a7ebedb13d191677fff9",
    "315.0": "e649faa585905482a00d3a3059863c85dd7588a35f9b399fc1cb1fccffd2de0d",
}

_LEV_REPO = "levkrayzman/MattisBardeenFit"
_LEV_COMMIT = "8b526fdf92fbc5f6453eb1875e1bc92e78793a20"
_LEV_SHA256 = "1ae4f185aa84fde488351bf03923555af5d7549d082259d758f8cfcf0ff079f7"

REGISTRY: Mapping[str, Dataset] = _register(
    Dataset(
        name="triumf_nb_hwr_rs_vs_bp",
        description=(
            "Rs(Bp) of TRIUMF niobium half-wave resonators at 389/778/1167 MHz, 2021 "
            "cool-downs: blocks of Bp [mT], Rs [ohm], T [K]"
        ),
        files={
            "sf_data.csv": "3f25b2b899379024b6893c8cc48e575fcde5af8c398166c56a2f7a6cfa31cdc6",
            "Rres.txt": "95bda432c5a69f0a7fdd9b8e758804a9e586ad06a9712110b3dc83985d59d081",
            "fit_params.txt": "19503e238eb6e2ebf39746e0503b529abcc85cd08059f7fb22a5afdde221ea07",
        },
        urls=_github(_TRIUMF_REPO, {f: (c, f) for f, c in _TRIUMF_COMMITS.items()}),
        source=(
            f"https://github.com/{_TRIUMF_REPO} (sf_data.csv at 13f60de, Rres.txt at 9897944, "
            "fit_params.txt at 00f0c98)"
        ),
        licence="none stated by the source (not redistributed with dissipax)",
        citation=(
            "R. Gregory, Cooldown-Data-Analysis: TRIUMF niobium cavity cool-down data, "
            f"https://github.com/{_TRIUMF_REPO} (2021-2022)"
        ),
    ),
    Dataset(
        name="scresonators_al_s21",
        description=(
            "raw notch-type S21 of an Al-on-InP resonator (7.718 GHz, -20 dB) at 20 "
            "temperatures 30-315 mK: frequency [Hz], |S21| [dB], phase [deg]"
        ),
        files={
            **{_S21_FILE.format(t): h for t, h in _S21_SHA256.items()},
            "LICENSE": "9f10e27322f5d7348df55947fd1dc5109a2f08f09e9e40686b5d9adfacbd9dd8",
        },
        urls=_github(
            _S21_REPO,
            {
                **{
                    _S21_FILE.format(t): (_S21_COMMIT, f"{_S21_DIR}/{_S21_FILE.format(t)}")
                    for t in _S21_SHA256
                },
                "LICENSE": (_S21_COMMIT, "LICENSE"),
            },
        ),
        source=f"https://github.com/{_S21_REPO} ({_S21_DIR}/ at 9d8894e)",
        licence="MIT (Copyright (c) 2023 Corey Rae McRae; the LICENSE file is part of the set)",
        citation=(
            "Boulder Cryogenic Quantum Testbed, scresonators, "
            f"https://github.com/{_S21_REPO} (2023)"
        ),
    ),
    Dataset(
        name="levkrayzman_al_resonator",
        description=(
            "circle-fit results fr [Hz], Qi, Qc, Qtot (with stderr) of a 5.288 GHz Al "
            "resonator from 22 mK to 1.5 K, through Tc"
        ),
        files={"fitresults_temp.csv": _LEV_SHA256},
        urls=_github(_LEV_REPO, {"fitresults_temp.csv": (_LEV_COMMIT, "fitresults_temp.csv")}),
        source=f"https://github.com/{_LEV_REPO} (commit 8b526fd)",
        licence="none stated by the source (not redistributed with dissipax)",
        citation=f"L. Krayzman, MattisBardeenFit, https://github.com/{_LEV_REPO} (2022)",
    ),
)


def data_dir() -> Path | None:
    """Return the directory named by ``$DISSIPAX_DATA_DIR`` (``<dir>/<name>/<file>``), or None."""
    d = os.environ.get(DATA_DIR_VAR, "").strip()
    return Path(d).expanduser() if d else None


def cache_dir() -> Path:
    """Return the download cache: ``$DISSIPAX_CACHE_DIR``, else ``pooch.os_cache("dissipax")``."""
    d = os.environ.get(CACHE_DIR_VAR, "").strip()
    if d:
        return Path(d).expanduser()
    import pooch

    return Path(pooch.os_cache("dissipax"))


def list() -> DatasetTable:  # noqa: A001  (the module's public name, as in the design)
    """Names and one-line descriptions of every registered data set.

    Returns
    -------
    DatasetTable
        A ``dict`` name -> description that prints as a table (HTML in notebooks).
    """
    return DatasetTable({k: d.description for k, d in REGISTRY.items()})


def info(name: str) -> Dataset:
    """Return the registry entry of ``name``: files, SHA-256, URLs, source, licence, citation.

    Raises
    ------
    ValueError
        If ``name`` is not registered (the message lists the registered names).
    """
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(REGISTRY)
        raise ValueError(f"unknown data set {name!r}; registered: {known}") from None


def locate(name: str) -> Path | None:
    """Return the local directory holding every file of ``name`` (verified), or None.

    Never downloads.

    Looks in ``$DISSIPAX_DATA_DIR/<name>`` and then in the cache (see :func:`fetch`).

    Raises
    ------
    ChecksumError
        If a file found there differs from the registry.
    """
    ds = info(name)
    for d in _local_dirs(ds):
        if all((d / f).is_file() for f in ds.files):
            for f in ds.files:
                _verify(ds, d / f)
            return d
    return None


def fetch(name: str, file: str | None = None) -> Path:
    """Local path of a registered data set (a directory) or of one of its files.

    Looks in ``$DISSIPAX_DATA_DIR/<name>/``, then in the cache (:func:`cache_dir`), then
    downloads the missing files into the cache; every file is checked against its SHA-256.

    Parameters
    ----------
    name : str
        A registered name (see :func:`list`), e.g. ``"triumf_nb_hwr_rs_vs_bp"``.
    file : str, optional
        One file of the set (e.g. ``"sf_data.csv"``); only that file is located or
        downloaded.

    Returns
    -------
    pathlib.Path
        Without ``file``: a directory holding every file of the set.  With ``file``: the file.

    Raises
    ------
    DatasetUnavailable
        No local copy and the download failed (offline, or the cache is not writable); the
        message names the data set, the URL and ``DISSIPAX_DATA_DIR``.
    ChecksumError
        A file (local or downloaded) differs from the registry; the message names it.
    ValueError
        Unknown ``name`` or ``file``.
    """
    ds = info(name)
    if file is not None:
        if file not in ds.files:
            raise ValueError(
                f"data set {name!r} has no file {file!r}; its files: {', '.join(ds.files)}"
            )
        for d in _local_dirs(ds):
            if (d / file).is_file():
                return _verify(ds, d / file)
        return _download(ds, file)
    found = locate(name)
    if found is not None:
        return found
    for f in ds.files:
        _download(ds, f)
    return cache_dir() / name


# --- internals --------------------------------------------------------------------------

_HASHES: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256


def _sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _HASHES[key] = h.hexdigest()
    return _HASHES[key]


def _verify(ds: Dataset, path: Path) -> Path:
    got, want = _sha256(path), ds.files[path.name]
    if got != want:
        raise ChecksumError(
            f"{path}: SHA-256 {got} differs from the registry's {want} for file "
            f"{path.name!r} of data set {ds.name!r} (original: {ds.urls[path.name]}); "
            "replace or delete the file"
        )
    return path


def _local_dirs(ds: Dataset) -> builtins.list[Path]:
    dirs = [cache_dir() / ds.name]
    d = data_dir()
    if d is not None:
        dirs.insert(0, d / ds.name)
    return dirs


def _copy_file_url(url: str, output_file, pooch_obj) -> None:  # noqa: ARG001
    """Copy a ``file://`` URL: a pooch downloader (mirrors on a shared disk; the tests)."""
    src = Path(unquote(urlparse(url).path))
    with open(src, "rb") as fin:
        if isinstance(output_file, (str, os.PathLike)):
            with open(output_file, "wb") as fout:
                shutil.copyfileobj(fin, fout)
        else:
            shutil.copyfileobj(fin, output_file)


def _download(ds: Dataset, file: str) -> Path:
    import pooch

    url, target = ds.urls[file], cache_dir() / ds.name
    if url.startswith("file://"):
        downloader = _copy_file_url
    else:
        downloader = pooch.HTTPDownloader(timeout=DOWNLOAD_TIMEOUT_S, progressbar=False)
    try:
        path = pooch.retrieve(
            url,
            known_hash=f"sha256:{ds.files[file]}",
            fname=file,
            path=target,
            downloader=downloader,
        )
    except ValueError as e:  # pooch: the downloaded file's hash differs
        raise ChecksumError(
            f"downloaded {url}: content differs from the registry's SHA-256 "
            f"{ds.files[file]} for file {file!r} of data set {ds.name!r} ({e})"
        ) from None
    except OSError as e:  # no network (requests' errors are OSErrors), unwritable cache
        where = data_dir()
        reason = f"{type(e).__name__}: {e}"
        if len(reason) > 300:
            reason = reason[:300] + "..."
        raise DatasetUnavailable(
            f"data set {ds.name!r} is unavailable: {file!r} is not in "
            f"{DATA_DIR_VAR}={'(unset)' if where is None else where / ds.name} nor in the "
            f"cache {target}, and downloading {url} failed ({reason}). Set {DATA_DIR_VAR} "
            f"to a directory holding {ds.name}/{file}, or connect to the network.",
            dataset=ds.name,
            url=url,
        ) from e
    return _verify(ds, Path(path))
