import numpy as np
import pytest

import descent
from conftest import poisson2d

sp = pytest.importorskip("scipy.sparse")
sla = pytest.importorskip("scipy.sparse.linalg")


def counted(solver, *args, **kwargs):
    calls = []

    def record(xk):
        assert isinstance(xk, np.ndarray)
        calls.append(np.copy(xk))
        return True  # scipy ignores the return value; so must descent

    x, info = solver(*args, callback=record, **kwargs)
    return x, info, calls


@pytest.mark.parametrize("n", [10, 25, 40])
def test_cg_matches_scipy_iterations(n, rng):
    A = poisson2d(n)
    b = rng.normal(size=n * n)
    x_ref, info_ref, it_ref = counted(sla.cg, A, b, tol=1e-8, maxiter=10000, atol=0.0)
    x, info, it = counted(descent.linalg.cg, A, b, tol=1e-8, maxiter=10000)
    assert info == 0 and info_ref == 0
    assert abs(len(it) - len(it_ref)) <= 1
    # The same iterates (CG is deterministic up to rounding in the first steps).
    for ours, theirs in zip(it[:5], it_ref[:5]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(x, x_ref, rtol=1e-6, atol=1e-8)
    assert np.linalg.norm(A @ x - b) <= 1e-8 * np.linalg.norm(b) * (1 + 1e-9)


def test_atol_follows_scipy(rng):
    A = poisson2d(12)
    b = rng.normal(size=144)
    _, _, it_ref = counted(sla.cg, A, b, tol=0.0, atol=1e-6)
    x, info, it = counted(descent.linalg.cg, A, b, tol=0.0, atol=1e-6)
    assert info == 0 and abs(len(it) - len(it_ref)) <= 1
    assert np.linalg.norm(A @ x - b) <= 1e-6


def test_preconditioners_and_relaxation_solve_the_system(rng):
    A = poisson2d(20)
    b = rng.normal(size=400)
    its = {}
    for name, call in {
        "cg": lambda: descent.linalg.cg(A, b, tol=1e-10),
        "jacobi": lambda: descent.linalg.pcg(A, b, tol=1e-10),
        "ic": lambda: descent.linalg.pcg(A, b, tol=1e-10, M="ic"),
        "ssor-cg": lambda: descent.linalg.ssor_cg(A, b, tol=1e-10),
        "sor": lambda: descent.linalg.sor(A, b, tol=1e-10, maxiter=20000),
    }.items():
        x, info = call()
        assert info == 0, name
        assert np.linalg.norm(A @ x - b) <= 1.01e-10 * np.linalg.norm(b), name
    r_cg = descent.linalg.solve(A, b, method="cg", tolerance=1e-10)
    r_ic = descent.linalg.solve(A, b, method="pcg-ic", tolerance=1e-10)
    assert r_ic.niter < r_cg.niter  # IC(0) pays off on the Laplacian


def test_relaxation_stops_on_the_rhs_rule_from_a_warm_start(rng):
    # scipy's rule ||r|| <= tol ||b|| for every method, also when x0 is not 0 (the library's
    # SOR default is relative to the initial residual).
    A = poisson2d(10)
    b = rng.normal(size=100)
    x0 = np.linalg.solve(A.toarray(), b) + 1e-3 * rng.normal(size=100)
    x, info = descent.linalg.sor(A, b, x0=x0, tol=1e-8, maxiter=20000)
    assert info == 0
    assert np.linalg.norm(A @ x - b) <= 1e-8 * np.linalg.norm(b) * (1 + 1e-9)


def test_dense_input_and_x0(rng):
    A = poisson2d(6).toarray()
    b = rng.normal(size=36)
    x, info = descent.linalg.cg(A, b, tol=1e-12)
    np.testing.assert_allclose(x, np.linalg.solve(A, b), rtol=1e-9, atol=1e-10)
    r = descent.linalg.solve(A, b, x0=x, tolerance=1e-12)
    assert r.niter <= 1  # warm start at the solution


def test_unconverged_info_is_the_iteration_count(rng):
    A = poisson2d(20)
    b = rng.normal(size=400)
    x, info = descent.linalg.cg(A, b, tol=1e-12, maxiter=5)
    assert info == 5
    r = descent.linalg.solve(A, b, max_iterations=5, tolerance=1e-12, record_history=True)
    assert r.status == "max_iterations" and len(r.summary["history"]["gradient_norm"]) >= 5


def test_results_equal_the_solver_registry_path(rng):
    # Two bindings of the same registry entry: scipy-style and full results agree bitwise.
    A = poisson2d(15)
    b = rng.normal(size=225)
    x, _ = descent.linalg.ssor_cg(A, b, tol=1e-9, omega=1.3)
    r = descent.linalg.solve(A, b, method="ssor-cg", omega=1.3, tolerance=1e-9)
    assert np.array_equal(x, r.x)


def test_not_positive_definite_is_a_status():
    A = sp.diags([1.0, -1.0, 2.0]).tocsr()
    x, info = descent.linalg.cg(A, np.ones(3))
    assert info < 0


def test_bad_input():
    with pytest.raises(ValueError, match="length"):
        descent.linalg.cg(poisson2d(3), np.ones(8))
    with pytest.raises(ValueError):
        descent.linalg.cg(np.ones((3, 4)), np.ones(3))
    with pytest.raises(TypeError, match="preconditioner name"):
        descent.linalg.cg(poisson2d(3), np.ones(9), M=np.eye(9))
    with pytest.raises(descent.InvalidOption) as e:
        descent.linalg.sor(poisson2d(3), np.ones(9), omega=2.5)
    assert e.value.field == "omega"


def test_solve_sequence_learns_omega(rng):
    A = poisson2d(15)
    seq = descent.linalg.SolveSequence(solver="ssor-cg", policy="tsallis", seed=0)
    for t in range(12):
        x, rec = seq.step(A, rng.normal(size=225))
        assert rec.status == "converged" and 1.0 <= rec.omega <= 1.95
    assert len(seq.records) == 12
    assert seq.total_iterations == sum(r.iterations for r in seq.records)
    fixed = descent.linalg.SolveSequence(policy="fixed", omega=1.5)
    _, rec = fixed.step(A, np.ones(225))
    assert rec.omega == 1.5
    with pytest.raises(descent.InvalidOption):
        descent.linalg.SolveSequence(policy="nope")
