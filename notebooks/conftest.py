"""Notebook runs (``pytest --nbmake notebooks``): a missing measured data set is a skip.

A notebook reads measured data only through ``dissipax.datasets.fetch(name)``.  Where a data
set is unavailable, that call raises ``DatasetUnavailable`` in the notebook's data cell -- a
reader running the notebook by hand sees the message (name, URL, ``DISSIPAX_DATA_DIR``) --
and nbmake reports the notebook failed at that cell, after running every cell before it.
This hook turns exactly that failure into a skip whose reason names the data set, except
under ``CI=true`` (CI has the data), where it stays a failure.

With ``DISSIPAX_NB_OUT=DIR`` set (``make test`` sets ``build/notebooks``), every notebook
nbmake runs is also written, with its outputs, to ``DIR/<name>.ipynb`` -- the copies the
documentation renders, so CI executes each notebook once.  The sources stay output-free.
"""

import copy
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbmake import nb_run

_UNAVAILABLE = re.compile(r"DatasetUnavailable\W+data set '([^']+)' is unavailable")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed or not str(item.path).endswith(".ipynb"):
        return
    if os.environ.get("CI", "").lower() == "true":
        return
    m = _UNAVAILABLE.search(_ANSI.sub("", rep.longreprtext))
    if m:
        rep.outcome = "skipped"
        rep.longrepr = (
            str(item.path),
            0,
            f"Skipped: data set {m[1]!r} unavailable (cells before its data cell ran); "
            "set DISSIPAX_DATA_DIR or connect to the network",
        )


_OUT = os.environ.get("DISSIPAX_NB_OUT", "").strip()


def _frontend_noise(output) -> bool:
    return (
        output.get("output_type") == "stream"
        and output.get("name") == "stderr"
        and "TqdmWarning: IProgress not found" in "".join(output.get("text", ""))
    )


if _OUT and not getattr(nb_run.NotebookRun.execute, "_dissipax_saves", False):
    _execute = nb_run.NotebookRun.execute

    def _execute_and_save(self):
        res = _execute(self)
        out = Path(_OUT)
        out.mkdir(parents=True, exist_ok=True)
        nb = copy.deepcopy(res.nb)
        for cell in nb.cells:  # tqdm's note that this kernel has no ipywidgets: not content
            if cell.cell_type == "code":
                cell.outputs = [o for o in cell.outputs if not _frontend_noise(o)]
        nbformat.write(nb, str(out / Path(self.filename).name))
        return res

    _execute_and_save._dissipax_saves = True
    nb_run.NotebookRun.execute = _execute_and_save
