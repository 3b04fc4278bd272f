import numpy as np
import pytest

import descent


def test_synthetic_measurements_are_consistent():
    p = descent.recovery.synthetic(d=8, r=2, m=50, noise="none", seed=3)
    assert p["A"].shape == (50, 8, 8)
    np.testing.assert_allclose(p["A"], np.transpose(p["A"], (0, 2, 1)))
    np.testing.assert_allclose(np.einsum("ijk,jk->i", p["A"], p["X_star"]), p["y"],
                               rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(p["U_star"] @ p["U_star"].T, p["X_star"], atol=1e-12)


def test_subgm_recovers_under_outliers_where_l2_fails():
    p = descent.recovery.synthetic(d=15, r=2, m=600, noise="outliers:p=0.2", seed=1)
    sub = descent.recovery.subgm(p["A"], p["y"], rank=2, X_star=p["X_star"],
                                 max_iterations=800)
    l2 = descent.recovery.solve(p["A"], p["y"], rank=2, method="l2-gd", X_star=p["X_star"],
                                max_iterations=800)

    def err(U):
        return np.linalg.norm(U @ U.T - p["X_star"]) / np.linalg.norm(p["X_star"])

    assert err(sub.U) < 1e-3
    assert err(l2.U) > 10 * err(sub.U)


def test_bad_input():
    with pytest.raises(ValueError, match="m, d, d"):
        descent.recovery.subgm(np.ones((5, 3, 4)), np.ones(5), rank=1)
    with pytest.raises(ValueError, match="one entry per measurement"):
        descent.recovery.subgm(np.ones((5, 3, 3)), np.ones(4), rank=1)
    with pytest.raises(ValueError, match="rank"):
        descent.recovery.subgm(np.ones((5, 3, 3)), np.ones(5))
    with pytest.raises(ValueError):
        descent.recovery.synthetic(noise="sideways")
