"""Test configuration: float64 on, strict dtype promotion, the slow-test switch, measured data.

Default run: fast but real.  ``pytest --slow`` (or ``make test-slow``) also runs the tests
marked ``@pytest.mark.slow`` (exhaustive accuracy and convergence studies).
"""

import os

os.environ.setdefault("DISSIPAX_QUIET", "1")  # no progress bars in test logs
os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

import dissipax  # noqa: E402,F401  (turns on x64)

jax.config.update("jax_enable_x64", True)

# The default run is derandomised (the same examples every run: CI never flakes on a new
# draw); --slow draws 1000 fresh examples per test to search for counterexamples.
settings.register_profile(
    "default",
    deadline=None,
    max_examples=25,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "slow", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow]
)


def pytest_addoption(parser):
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="also run tests marked slow (exhaustive accuracy studies)",
    )


def pytest_configure(config):
    settings.load_profile("slow" if config.getoption("--slow") else "default")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def strict_promotion():
    """Run a test body under JAX's strict dtype promotion."""
    with jax.numpy_dtype_promotion("strict"):
        yield


@pytest.fixture(scope="session")
def dataset():
    """``dataset(name, file=None) -> Path``: a registered measured data set, via dissipax.datasets.

    Where the data set is unavailable (no ``$DISSIPAX_DATA_DIR`` copy, no cache, no network)
    the test is skipped with a reason naming the data set -- except under ``CI=true``, where
    that is a failure (CI has the data).  One attempt per data set and session.
    """
    from dissipax import datasets

    missing: dict[str, str] = {}

    def get(name: str, file: str | None = None):
        if name not in missing:
            try:
                return datasets.fetch(name, file)
            except datasets.DatasetUnavailable as e:
                missing[name] = e
        e = missing[name]
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: data set {name!r} unavailable: {e}", pytrace=False)
        pytest.skip(
            f"data set {name!r} unavailable (no {datasets.DATA_DIR_VAR} copy, no cache, "
            f"download of {e.url} failed)"
        )

    return get
