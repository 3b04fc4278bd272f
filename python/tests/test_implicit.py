import numpy as np
import pytest

import descent


@pytest.fixture
def ridge(rng):
    X = rng.normal(size=(40, 6))
    y = rng.normal(size=40)

    def solve(init, theta):
        return np.linalg.solve(X.T @ X + theta[0] * np.eye(6), X.T @ y)

    F = lambda x, th: X.T @ (X @ x - y) + th[0] * x  # noqa: E731
    vjp_x = lambda x, th, u: X.T @ (X @ u) + th[0] * u  # noqa: E731
    vjp_theta = lambda x, th, u: np.array([x @ u])  # noqa: E731
    jvp_theta = lambda x, th, t: x * t[0]  # noqa: E731
    return X, y, solve, F, vjp_x, vjp_theta, jvp_theta


def test_ridge_hypergradient_matches_the_closed_form(ridge):
    X, y, solve, F, vjp_x, vjp_theta, jvp_theta = ridge
    theta = np.array([0.7])
    x = solve(None, theta)
    K = X.T @ X + theta[0] * np.eye(6)
    dx = -np.linalg.solve(K, x)  # dx*/dtheta
    w = np.arange(1.0, 7.0)
    g, info = descent.implicit.root_vjp(F, x, theta, w, vjp_x, vjp_theta, info=True)
    assert info.status == "converged"
    assert g[0] == pytest.approx(w @ dx, rel=1e-8)
    jt = descent.implicit.root_jvp(F, x, theta, np.array([1.0]), vjp_x, vjp_theta, jvp_theta)
    np.testing.assert_allclose(jt, dx, rtol=1e-8)
    # LU forms dF/dx from jvp_x products: exact when given, a central difference of F without.
    J = descent.implicit.root_jacobian(F, x, theta, vjp_x, vjp_theta, jvp_theta, jvp_x=vjp_x,
                                       solver="lu")
    np.testing.assert_allclose(J[:, 0], dx, rtol=1e-10)
    J = descent.implicit.root_jacobian(F, x, theta, vjp_x, vjp_theta, jvp_theta, solver="lu")
    np.testing.assert_allclose(J[:, 0], dx, rtol=1e-6)


def test_custom_root_against_finite_differences(ridge):
    X, y, solve, F, vjp_x, vjp_theta, jvp_theta = ridge
    root = descent.implicit.CustomRoot(solve, F, vjp_x, vjp_theta, jvp_theta=jvp_theta,
                                       solver="cg")
    theta = np.array([0.3])
    x = root.run(None, theta)
    assert root.residual() < 1e-10
    w = np.ones(6)
    h = 1e-6
    fd = (w @ solve(None, theta + h) - w @ solve(None, theta - h)) / (2 * h)
    assert root.vjp(w)[0] == pytest.approx(fd, rel=1e-6)
    assert root.last_solve.status == "converged"
    np.testing.assert_allclose(root.jacobian()[:, 0], root.jvp(np.array([1.0])), rtol=1e-8)
    assert np.array_equal(x, root.x)


def test_errors(ridge):
    X, y, solve, F, vjp_x, vjp_theta, jvp_theta = ridge
    x, theta = solve(None, [1.0]), np.array([1.0])
    with pytest.raises(ValueError, match="length 6"):
        descent.implicit.root_vjp(F, x, theta, np.ones(6), lambda x, t, u: np.ones(3),
                                  vjp_theta)
    with pytest.raises(descent.InvalidOption):
        descent.implicit.root_vjp(F, x, theta, np.ones(6), vjp_x, vjp_theta, solver="magic")
    with pytest.raises(RuntimeError, match="run"):
        descent.implicit.CustomRoot(solve, F, vjp_x, vjp_theta).vjp(np.ones(6))
