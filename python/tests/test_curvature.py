import numpy as np
import pytest

import descent


@pytest.fixture
def spd(rng):
    q, _ = np.linalg.qr(rng.normal(size=(60, 60)))
    values = np.concatenate([np.linspace(0.1, 1.0, 57), [5.0, 8.0, 20.0]])
    return q @ np.diag(values) @ q.T, values


def test_lanczos_finds_the_extreme_eigenvalues(spd):
    H, values = spd
    r = descent.curvature.lanczos(H, steps=40, vectors=True)
    assert r.status == "converged"
    np.testing.assert_allclose(r.eigenvalues[-3:], [5.0, 8.0, 20.0], rtol=1e-10)
    u = r.eigenvectors[:, -1]
    assert np.linalg.norm(H @ u - 20.0 * u) < 1e-8
    callable_r = descent.curvature.lanczos(lambda v: H @ v, 60, steps=40)
    np.testing.assert_array_equal(callable_r.eigenvalues, r.eigenvalues)


def test_trace_estimators(spd):
    H, values = spd
    h = descent.curvature.hutchinson(H, max_probes=400)
    assert abs(h.trace - values.sum()) < 4 * h.standard_error
    s = descent.curvature.slq(H, steps=40, probes=8, sigma=0.05)
    assert s.weights.sum() == pytest.approx(1.0)
    assert s.trace == pytest.approx(values.sum(), rel=0.15)
    area = np.trapz(s.density, s.grid)
    assert area == pytest.approx(1.0, abs=0.02)


def test_scipy_operator(spd):
    sla = pytest.importorskip("scipy.sparse.linalg")
    H, _ = spd
    op = sla.aslinearoperator(H)
    r = descent.curvature.lanczos(op, steps=40)
    assert r.eigenvalues[-1] == pytest.approx(20.0, rel=1e-10)


def test_matvec_errors_propagate():
    def broken(v):
        raise ArithmeticError("matvec failed")

    with pytest.raises(ArithmeticError, match="matvec failed"):
        descent.curvature.lanczos(broken, 10)
    with pytest.raises(ValueError, match="length 10"):
        descent.curvature.hutchinson(lambda v: np.ones(3), 10)
    with pytest.raises(ValueError, match="n"):
        descent.curvature.lanczos(lambda v: v)
