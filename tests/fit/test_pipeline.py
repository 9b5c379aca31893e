"""The one fit pipeline: batch axis, masks, buckets, one result type, hooks, one status enum."""

from __future__ import annotations

import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dissipax as dx
import dissipax.fit.minimize  # noqa: F401  (the module, not the function)
from dissipax import _cache
from dissipax.fit import (
    Check,
    FitResult,
    Parameter,
    Retry,
    Status,
    least_squares,
    pack_ragged,
)
from dissipax.fit import _problem as PB

TRACES = {"n": 0}


def activated(T, lp, lb, E):
    """Log of Eq. (1) (a module-level model: the compiled fit is reused)."""
    TRACES["n"] += 1  # counts Python traces of the model (each compile traces it)
    return -jnp.logaddexp(lp, lb - E / T)


def curve(n, seed=0, lp=-9.2, lb=-6.9, E=0.5, noise=0.01):
    T = np.linspace(0.08, 2.0, n)
    y = np.asarray(activated(T, lp, lb, E))
    y = y + noise * np.random.default_rng(seed).standard_normal(n)
    return T, y


PARAMS = {"lp": Parameter(-8.5), "lb": Parameter(-7.6), "E": Parameter(0.3, min=0.0)}


def _close(a, b, rtol):
    for k in a.params:
        np.testing.assert_allclose(a.params[k], b.params[k], rtol=rtol, atol=0)
        np.testing.assert_allclose(a.stderr[k], b.stderr[k], rtol=rtol, atol=0)
    np.testing.assert_allclose(a.chi2, b.chi2, rtol=rtol)
    np.testing.assert_allclose(a.redchi, b.redchi, rtol=rtol)


def test_bucket_sizes():
    assert [PB.bucket(n, 8) for n in (1, 8, 9, 40, 41, 48, 49)] == [8, 8, 12, 48, 48, 48, 64]
    assert [PB.bucket(n) for n in (1, 2, 3, 5, 1000)] == [1, 2, 3, 6, 1024]
    # at most 50 % padding; above FINE_BUCKETS_ABOVE four buckets per octave (<= 25 %)
    n = np.arange(1, 5000)
    b = np.array([PB.bucket(k) for k in n])
    assert np.all(b >= n) and np.all(b <= 1.5 * n + 1)
    big = n > PB.FINE_BUCKETS_ABOVE
    assert np.all(b[big] <= 1.25 * n[big]) and len(set(b[big])) == 9  # 1025..4999: 4 + 4 + 1
    assert [PB.bucket(n) for n in (1025, 2002, 2049)] == [1280, 2048, 2560]


def test_batch_of_one_equals_single_fit():
    T, y = curve(40)
    single = least_squares(activated, PARAMS, T, y, 0.01)
    batch = least_squares(activated, PARAMS, T, y[None], 0.01, batched=True)
    assert not single.batched and batch.batched and len(batch) == 1
    _close(single, batch[0], rtol=1e-12)
    assert single.success and single.status == Status.OK


def test_ragged_fit_equals_separate_fits():
    lengths = (40, 33, 47)
    curves = [curve(n, seed=i) for i, n in enumerate(lengths)]
    Tp, yp, mask = pack_ragged([c[0] for c in curves], [c[1] for c in curves])
    joint = least_squares(activated, PARAMS, Tp, yp, 0.01, mask=mask, batched=True, batch_x=True)
    assert list(joint.ndata) == list(lengths)
    for i, (T, y) in enumerate(curves):
        sep = least_squares(activated, PARAMS, T, y, 0.01)
        assert sep.ndata == lengths[i]
        _close(joint[i], sep, rtol=1e-10)


def test_masked_points_change_nothing():
    T, y = curve(40)
    mask = np.ones(40, bool)
    mask[::7] = False
    garbage = y.copy()
    garbage[~mask] = 1e6
    masked = least_squares(activated, PARAMS, T, garbage, 0.01, mask=mask)
    dropped = least_squares(activated, PARAMS, T[mask], y[mask], 0.01)
    assert masked.ndata == mask.sum()
    _close(masked, dropped, rtol=1e-10)


def test_new_length_in_the_same_bucket_does_not_recompile():
    T1, y1 = curve(40)
    least_squares(activated, PARAMS, T1, y1, 0.01)
    n_first = TRACES["n"]
    T2, y2 = curve(41, seed=3)  # bucket 48 as well
    before = TRACES["n"]
    least_squares(activated, PARAMS, T2, y2, 0.01)
    # one trace: the shape check of the input validation; the solver is not traced again
    assert TRACES["n"] - before == 1
    before = TRACES["n"]
    least_squares(activated, PARAMS, T2, y2 * 1.01, 0.01)  # the same shapes: no trace at all
    assert TRACES["n"] == before
    T3, y3 = curve(60, seed=4)  # bucket 64: a new executable, the model traced again
    least_squares(activated, PARAMS, T3, y3, 0.01)
    assert TRACES["n"] - before > 1
    assert n_first > 1


def test_fit_result_is_a_pytree_with_a_batch_axis():
    T, y = curve(40)
    res = least_squares(activated, PARAMS, T, np.stack([y, y + 0.01]), 0.01, batched=True)
    assert isinstance(res, FitResult)
    leaves = jax.tree.leaves(res)
    assert leaves and all(np.shape(a)[0] == 2 for a in leaves)
    same = jax.jit(lambda r: r)(res)  # passes through jit
    np.testing.assert_array_equal(np.asarray(same.params["E"]), res.params["E"])
    assert same.message == res.message
    one = res[1]
    assert isinstance(one.params["E"], float) and isinstance(one.success, bool)
    assert isinstance(one.message, str) and isinstance(one.chi2, float)
    assert res.take([1]).params["E"][0] == one.params["E"]
    d = one.to_dict()
    assert d["status"] == int(Status.OK) and d["ndata"] == 40


def test_fast_assembly_equals_the_equinox_constructor():
    # from_arrays builds its result without equinox's per-leaf warnings (FitResult._of); the
    # object must be the one the ordinary constructor builds
    import dataclasses

    T, y = curve(40)
    res = least_squares(activated, PARAMS, T, np.stack([y, y + 0.01]), 0.01, batched=True)
    fields = {f.name: getattr(res, f.name) for f in dataclasses.fields(FitResult)}
    plain = FitResult(**fields)
    assert jax.tree.structure(plain) == jax.tree.structure(res)
    for a, b in zip(jax.tree.leaves(plain), jax.tree.leaves(res)):
        np.testing.assert_array_equal(a, b)
    assert all(getattr(plain, k) is getattr(res, k) for k in fields)  # the same objects
    assert plain.report() == res.report()
    with pytest.raises(TypeError, match="unknown FitResult fields"):
        FitResult._of(**fields, nonsense=1)
    with pytest.raises(TypeError, match="'arrays' was not given"):
        FitResult._of(**{k: v for k, v in fields.items() if k != "arrays"})
    # the per-fit counts a problem computes once are read-only
    prob = PB.prepare(activated, PARAMS, T, np.stack([y, y]), 0.01, batched=True, batch_x=False)
    with pytest.raises(ValueError, match="read-only"):
        prob.ndata_each[0] = 1


def test_any_of_few_columns_equals_numpy():
    from dissipax.fit.result import _any_last

    rng = np.random.default_rng(0)
    for shape in [(0, 3), (5, 1), (1000, 3), (7, 8), (4, 9), (6,)]:
        a = rng.uniform(size=shape) < 0.2
        np.testing.assert_array_equal(_any_last(a), np.any(a, axis=-1))


def test_status_has_one_definition():
    values = [s.value for s in Status]
    assert len(values) == len(set(values))
    # minimize and least squares report through the same enumeration (no colliding codes)
    mz = sys.modules["dissipax.fit.minimize"]
    assert mz.STALLED == Status.STALLED != Status.BOUND_OK
    assert mz.OK is Status.OK and mz.NONFINITE is Status.NONFINITE


def test_retry_policy_rescues_a_bad_start():
    # from this start the plateau runs off to 0 (log plateau -> -1e11): a stationary point
    # at infinity that a Check rejects; the Retry re-fits it from a good start
    T, y = curve(40)
    bad = {"lp": Parameter(0.0), "lb": Parameter(40.0), "E": Parameter(1e-8, min=0.0)}
    gone = Check(lambda p, x, m: p["lp"] < -50, "plateau vanished")
    plain = least_squares(activated, bad, T, y, 0.01, max_steps=20, checks=(gone,))
    assert not plain.success and plain.status == Status.DEGENERATE
    res = least_squares(
        activated,
        bad,
        T,
        y,
        0.01,
        max_steps=20,
        checks=(gone,),
        retry=Retry(4, params=PARAMS, label="(again)"),
    )
    ref = least_squares(activated, PARAMS, T, y, 0.01)
    assert res.success and res.extra["retried"]
    assert res.message.startswith("(again)")
    np.testing.assert_allclose(res.params["E"], ref.params["E"], rtol=1e-8)
    # the original result is not edited
    assert not plain.success and not plain.extra["retried"]


def test_check_hook_marks_degenerate_fits():
    T, y = curve(40)
    y2 = np.stack([y, y])

    def reject_second(params, x, mask):
        return np.array([False, True])

    res = least_squares(
        activated, PARAMS, T, y2, 0.01, batched=True, checks=(Check(reject_second, "rejected"),)
    )
    assert list(res.success) == [True, False]
    assert res.status[1] == Status.DEGENERATE and res.message[1].startswith("rejected")


def test_extras_hook_adds_per_fit_diagnostics():
    T, y = curve(40)
    res = least_squares(activated, PARAMS, T, y, 0.01, extras=lambda p: {"twice_E": 2 * p["E"]})
    assert res.extra["twice_E"] == pytest.approx(2 * res.params["E"], rel=1e-15)


def test_pack_ragged_errors_name_the_argument():
    with pytest.raises(dx.DomainError, match="'y\\[1\\]' has 3 points but 'T\\[1\\]' has 4"):
        pack_ragged([np.ones(5), np.ones(4)], [np.ones(5), np.ones(3)], names=("T", "y"))
    with pytest.raises(dx.DomainError, match="must be a list of 2 arrays"):
        pack_ragged([np.ones(5), np.ones(4)], np.ones(5), names=("T", "y"))


def test_persistent_cache_location(monkeypatch, tmp_path):
    monkeypatch.setenv("DISSIPAX_JAX_CACHE", str(tmp_path / "c"))
    assert _cache.default_dir() == tmp_path / "c"
    monkeypatch.setenv("DISSIPAX_JAX_CACHE", "0")
    assert _cache.default_dir() is None
    monkeypatch.delenv("DISSIPAX_JAX_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if not __import__("sys").platform == "darwin":
        assert _cache.default_dir() == tmp_path / "dissipax" / "jax"


def test_codegen_choice_and_agreement(monkeypatch):
    """Fast-compiling and optimised code give the same fit; the automatic choice."""
    from dissipax.fit import _codegen

    assert _codegen.choose("auto", 1) == (
        "fast-compile" if jax.default_backend() == "cpu" else "fast-run"
    )
    assert _codegen.choose("auto", _codegen.FAST_COMPILE_MAX_JOBS + 1) == "fast-run"
    # a few jobs with much data: run time, not compile time, dominates
    many = _codegen.FAST_COMPILE_MAX_RESIDUALS + 1
    assert _codegen.choose("auto", 2, n_residuals=many) == "fast-run"
    assert _codegen.choose("fast-run", 1) == "fast-run"
    with pytest.raises(dx.DomainError, match="codegen"):
        least_squares(activated, PARAMS, *curve(40), codegen="fast")
    T, y = curve(40, seed=7)
    a = least_squares(activated, PARAMS, T, y, sigma=0.01, codegen="fast-compile")
    b = least_squares(activated, PARAMS, T, y, sigma=0.01, codegen="fast-run")
    assert a.success and b.success
    _close(a, b, 1e-10)
    # the two executables are separate: each compiled once, neither evicts the other
    solve = dx.fit.lm._SOLVE
    assert solve.fast_compile is not solve.fast_run


def test_iterative_model_gets_optimised_code():
    """A model with a loop of its own (here a fixed-point iteration) is detected."""

    def looped(T, lp, lb, E):
        def body(c):
            i, v = c
            return i + 1, 0.5 * (v + activated(T, lp, lb, E))

        return jax.lax.while_loop(lambda c: c[0] < 60, body, (0, jnp.zeros_like(T)))[1]

    T, y = curve(40, seed=3)
    prob = PB.prepare(looped, PARAMS, T, y, None, batched=False, batch_x=False)
    assert prob.iterative
    assert not PB.prepare(activated, PARAMS, T, y, None, batched=False, batch_x=False).iterative
    from dissipax.fit import _codegen

    assert _codegen.choose("auto", 1, iterative=True) == "fast-run"
    res = least_squares(looped, PARAMS, T, y, sigma=0.01)
    ref = least_squares(activated, PARAMS, T, y, sigma=0.01)
    assert res.success
    _close(res, ref, 1e-8)


def test_chunked_batch_equals_whole_batch(monkeypatch):
    """A large CPU batch runs in chunks (cache-sized working sets): the same fits."""
    from dissipax.fit import _codegen

    rng = np.random.default_rng(5)
    T = np.linspace(0.08, 2.0, 30)
    E = rng.uniform(0.3, 0.8, 12)
    y = np.stack([curve(30, seed=i, E=e)[1] for i, e in enumerate(E)])
    whole = least_squares(activated, PARAMS, T, y, 0.01, batched=True, codegen="fast-run")
    monkeypatch.setattr(_codegen, "CHUNK_JOBS", 4)
    if jax.default_backend() == "cpu":
        assert _codegen.chunk_size(12, 1) == 4
        assert _codegen.chunk_size(12, 3) == 0  # one fit (3 starts) per chunk: none
    assert _codegen.chunk_size(12, 1, devices=jax.devices()[:1]) == 0
    chunked = least_squares(activated, PARAMS, T, y, 0.01, batched=True, codegen="fast-run")
    assert np.all(whole.success) and np.all(chunked.success)
    _close(chunked, whole, 1e-12)


def test_step_variants_agree_and_auto_choice():
    """LM's "qr" and "normal" steps reach the same optimum; "auto" picks by the codegen."""
    from dissipax.fit import LevenbergMarquardt, _codegen

    lm_auto = LevenbergMarquardt()
    assert _codegen.choose_step(lm_auto, "fast-run", False).step == "normal"
    assert _codegen.choose_step(lm_auto, "fast-compile", False).step == "qr"
    assert _codegen.choose_step(lm_auto, "fast-run", True).step == "qr"  # a model with loops
    with jax.enable_x64(False):  # float32: normal equations square cond(J)
        assert _codegen.choose_step(lm_auto, "fast-run", False).step == "qr"
    with pytest.raises(dx.DomainError, match="step"):
        LevenbergMarquardt(step="cholesky")
    rng = np.random.default_rng(11)
    T = np.linspace(0.08, 2.0, 30)
    E = rng.uniform(0.3, 0.8, 12)
    y = np.stack([curve(30, seed=i, E=e)[1] for i, e in enumerate(E)])
    fits = {
        step: least_squares(
            activated, PARAMS, T, y, 0.01, batched=True, solver=LevenbergMarquardt(step=step)
        )
        for step in ("qr", "normal")
    }
    assert all(np.all(f.success) for f in fits.values())
    # both end with Gauss-Newton steps by QR: the optimum at working precision
    _close(fits["qr"], fits["normal"], 1e-10)
    for i in range(12):
        assert fits["qr"].message[i].startswith("converged")


def test_assessment_in_the_graph_equals_the_host(monkeypatch):
    """Covariance, status and messages: the same from the compiled solve and from NumPy.

    The "normal" step assesses its fits inside the compiled call (_assess.in_graph, with
    the Cholesky screen); with the screen off (SCREEN_MAX = 0) every fit is assessed on
    the host by the eigen-decomposition.  One fit of the batch is degenerate (a parameter
    without effect: singular covariance), one is pinned at a bound.
    """
    from dissipax.fit import LevenbergMarquardt
    from dissipax.fit import lm as LM

    def model(x, lp, lb, E, a):
        return activated(x["T"], lp, lb, E) + a * x["g"]

    T = np.linspace(0.08, 2.0, 30)
    y = np.stack([curve(30, seed=i, E=0.4 + 0.02 * i)[1] for i in range(8)])
    g = np.tile(T - 1.0, (8, 1))
    g[3] = 0.0  # fit 3: 'a' has no effect, its covariance is singular
    x = {"T": np.tile(T, (8, 1)), "g": g}
    params = {**PARAMS, "a": Parameter(0.01)}
    solver = LevenbergMarquardt(step="normal")

    def run():
        return least_squares(model, params, x, y, 0.01, batched=True, batch_x=True, solver=solver)

    graph = run()
    monkeypatch.setattr(LM, "SCREEN_MAX", 0)
    host = run()
    assert np.array_equal(graph.status, host.status)
    assert list(graph.message) == list(host.message)
    assert bool(graph.extra["singular"][3]) and not np.any(np.delete(graph.extra["singular"], 3))
    ok = ~np.isnan(host.covariance)
    assert np.array_equal(ok, ~np.isnan(graph.covariance))
    np.testing.assert_allclose(graph.covariance[ok], host.covariance[ok], rtol=1e-9, atol=0)
    # (two executables: the solves round differently at ~1e-14)
    np.testing.assert_allclose(graph.redchi, host.redchi, rtol=1e-12)
    np.testing.assert_allclose(
        graph.extra["relative_offset"], host.extra["relative_offset"], rtol=1e-6, atol=1e-12
    )
