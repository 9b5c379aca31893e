"""The fixed-node Mattis-Bardeen rules of rf.quadrature against closed forms (SciPy special)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special

from dissipax.rf import quadrature as q


@pytest.mark.parametrize("tol", [1e-6, 1e-10])
@pytest.mark.parametrize("a", [1e-5, 1e-2, 1.0])
def test_boltzmann_rule_meets_tol_on_the_k0_integral(tol, a):
    """int_0^inf e^{-y} dy / sqrt(y (y + a)) = e^{a/2} K0(a/2): edge, scale a, Boltzmann tail."""
    span = q.CUTOFF / a
    rule = q.boltzmann_rule(q.boltzmann_node_count(tol, span), span)
    got = float(jnp.sum(rule.a * rule.boltzmann / jnp.sqrt(rule.y + a)))
    want = special.k0e(a / 2)  # K0(x) e^x, x = a/2
    assert abs(got / want - 1) < tol
    # the rule's Boltzmann factors are those of its nodes
    np.testing.assert_allclose(rule.boltzmann, np.exp(-np.asarray(rule.y)), rtol=1e-15)


def test_boltzmann_node_count_grows_with_span_and_accuracy():
    c = q.boltzmann_node_count
    assert c(1e-6, 1e4) < c(1e-10, 1e4) < c(1e-14, 1e4)
    assert c(1e-8, 1e2) < c(1e-8, 1e6) < c(1e-8, 1e10)
    assert all(c(t, s) % 8 == 0 for t in (1e-6, 1e-9) for s in (1.0, 1e5))


@pytest.mark.parametrize("tol", [1e-8, 1e-12])
@pytest.mark.parametrize("g_over_L", [1e-8, 1e-4, 1e-2, 1.0, 100.0])
def test_edge_rules_meet_tol_on_the_elliptic_integral(tol, g_over_L):
    """2 int_0^{pi/2} dphi / sqrt(g + L sin^2 phi) = 2 K(L/(L+g))/sqrt(L+g) (third edge at -g).

    Lower half graded by phi_g = asinh(sqrt(g/L)) (the node count from tol), upper half
    ungraded (PHI_MAX), as sigma2 uses them.
    """
    L, g = 1.0, g_over_L
    phi_g = min(math.asinh(math.sqrt(g / L)), q.PHI_MAX)
    low = q.edge_rule(q.edge_node_count(tol, phi_g), phi_g)
    high = q.edge_rule(q.edge_node_count(tol, q.PHI_MAX), q.PHI_MAX)
    got = 2 * float(
        jnp.sum(low.weight / jnp.sqrt(g + L * low.u))
        + jnp.sum(high.weight / jnp.sqrt(g + L * (1 - high.u)))
    )
    want = 2 * special.ellipkm1(g / (L + g)) / math.sqrt(L + g)  # K(m), 1 - m exact
    if g_over_L < tol:  # below tol the third edge is not resolved (sigma2 floors g/L at tol)
        pytest.skip("outside the rule's range")
    assert abs(got / want - 1) < tol


def test_edge_node_count_grows_as_the_third_edge_approaches():
    c = q.edge_node_count
    assert c(1e-8, 1.0) < c(1e-8, 1e-2) < c(1e-8, 1e-4)
    assert c(1e-6, 1e-3) < c(1e-12, 1e-3)
    assert c(1e-8, 10.0) == c(1e-8, q.PHI_MAX)  # clipped


def test_rules_from_traced_parameters_under_jit():
    """The node positions follow a traced span / grading (one executable for all values)."""
    f = jax.jit(lambda s, p: (q.boltzmann_rule(16, s).y[-1], q.edge_rule(4, p).u[-1]))
    y_end, u_end = f(1e4, 0.1)
    assert abs(float(y_end) / q.CUTOFF - 1) < 1e-12
    assert 0.4 < float(u_end) < 0.5  # last node below phi = pi/4 (u = 1/2)
    y_end2, _ = f(1e6, 0.01)
    assert abs(float(y_end2) / q.CUTOFF - 1) < 1e-12


def test_host_rules_sum_unrolled_and_traced_rules_scan():
    """A host-built rule (NumPy) is marked unroll, a traced one is not, and both sums agree:
    the unrolled sum adds the same terms in the same order as the scan (a few ulp apart)."""
    host = q.boltzmann_rule(40, 1e3, np)
    assert host.unroll and q.edge_rule(8, 0.3, np).unroll
    traced = jax.jit(lambda s: q.boltzmann_rule(40, s))(1e3)
    assert not traced.unroll and not q.edge_rule(8, 0.3).unroll
    np.testing.assert_allclose(np.asarray(traced.y), host.y, rtol=1e-14)
    x = jnp.asarray(np.linspace(0.1, 3.0, 101))

    def total(rule, unroll):
        def f(x):
            return q.node_sum(lambda y, a: a * jnp.sqrt(x + y), (rule.y, rule.a), unroll=unroll)

        return np.asarray(jax.jit(f)(x))

    unrolled, scanned = total(host, True), total(host, False)
    np.testing.assert_allclose(unrolled, scanned, rtol=1e-14)
    # beyond UNROLL_MAX the unrolled request falls back to the scan (same values)
    big = q.boltzmann_rule(q.UNROLL_MAX + 8, 1e3, np)
    np.testing.assert_allclose(total(big, True), total(big, False), rtol=0)
    # the rules are pytrees with a static unroll flag: a jit sees two different structures
    assert jax.tree_util.tree_structure(host) != jax.tree_util.tree_structure(traced)
    assert len(jax.tree_util.tree_leaves(host)) == 3
