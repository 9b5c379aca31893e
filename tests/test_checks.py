import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dissipax._checks import DomainError, check, check_broadcast, check_choice, check_same_shape


def test_bounds_name_argument_value_and_range():
    with pytest.raises(
        DomainError, match=r"argument 'T' must be > 0 \(valid range: \(0, inf\)\).*-1"
    ):
        check("T", np.array([1.0, -1.0]), gt=0)
    with pytest.raises(DomainError, match=r"index \(1,\)"):
        check("T", np.array([1.0, -1.0]), gt=0)
    with pytest.raises(DomainError, match=r"'omega' must be < 2"):
        check("omega", 2.0, gt=0, lt=2.0, valid="ω < 2Δ")
    assert check("x", 1.0, ge=1.0, le=1.0) == 1.0


def test_finite_real_numeric():
    with pytest.raises(DomainError, match="must be finite"):
        check("rho", [1.0, np.nan])
    with pytest.raises(DomainError, match="must be real"):
        check("f_s", 1.0 + 2j)
    with pytest.raises(DomainError, match="number"):
        check("f_s", "1.0")
    with pytest.raises(DomainError, match="number"):
        check("f_s", True)
    assert check("z", 1 + 1j, real=False) == 1 + 1j


def test_tracers_pass_through_but_complex_is_still_rejected():
    @jax.jit
    def f(x):
        return check("x", x, gt=0) * 2

    assert f(-1.0) == -2.0  # value checks need concrete input
    with pytest.raises(DomainError, match="must be real"):
        jax.jit(lambda z: check("z", z))(jnp.asarray(1j))


def test_shapes_and_choices():
    assert check_broadcast(a=np.ones(3), b=np.ones((2, 1))) == (2, 3)
    with pytest.raises(DomainError, match=r"a\(3,\), b\(4,\)"):
        check_broadcast(a=np.ones(3), b=np.ones(4))
    with pytest.raises(DomainError, match="same shape"):
        check_same_shape(T=np.ones(3), rho=np.ones(4))
    assert check_choice("law", "auto", ("insulator", "auto")) == "auto"
    with pytest.raises(DomainError, match="'law' must be one of"):
        check_choice("law", "metal", ("insulator", "auto"))


@pytest.mark.parametrize(
    "bounds",
    [dict(gt=0.0), dict(ge=0.0), dict(lt=1.0), dict(le=1.0), dict(gt=0.0, le=1.0), {}],
)
@pytest.mark.parametrize("finite", [True, False])
def test_large_arrays_decided_by_min_max_as_element_by_element(bounds, finite):
    # arrays from _REDUCE_FROM elements on are first tested by their min and max; the outcome
    # and the message must be those of the element-wise test (below the threshold)
    from dissipax import _checks

    rng = np.random.default_rng(1)
    base = rng.uniform(0.01, 0.99, 2 * _checks._REDUCE_FROM)
    cases = [base, base.astype(np.float32), (base * 100).astype(int)]
    for bad_value in (np.nan, np.inf, -np.inf, 0.0, 1.0, -0.5, 2.0):
        a = base.copy()
        a[37] = bad_value
        cases.append(a)
    for a in cases:
        outcomes = []
        for arr in (a, a[: _checks._REDUCE_FROM - 1]):  # fast path, element-wise path
            arr = arr.copy()
            arr[-1] = a[37]  # the same bad value in both, at the end
            try:
                check("v", arr, finite=finite, **bounds)
                outcomes.append(None)
            except DomainError as err:
                outcomes.append(str(err).split(";")[0])
        assert outcomes[0] == outcomes[1], (a[37], bounds, finite, outcomes)
