"""Notebook runs (``pytest --nbmake notebooks``): a missing measured data set is a skip.

A notebook reads measured data only through ``dissipax.datasets.fetch(name)``.  Where a data
set is unavailable, that call raises ``DatasetUnavailable`` in the notebook's data cell -- a
reader running the notebook by hand sees the message (name, URL, ``DISSIPAX_DATA_DIR``) --
and nbmake reports the notebook failed at that cell, after running every cell before it.
This hook turns exactly that failure into a skip whose reason names the data set, except
under ``CI=true`` (CI has the data), where it stays a failure.
"""

import os
import re

import pytest

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
