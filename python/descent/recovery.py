"""Low-rank matrix recovery from linear measurements y_i = <A_i, X*> + s_i with X* = U* U*^T,
robust to outliers: SubGM (Ma & Fattahi, JMLR 2023) on the l1 loss, and l2 gradient descent.

    p = descent.recovery.synthetic(d=20, r=2, m=400, noise="outliers:p=0.1", seed=0)
    r = descent.recovery.subgm(p["A"], p["y"], rank=2, X_star=p["X_star"])
    r.U, r.status, r.summary["counters"]

A is an (m, d, d) array of measurement matrices (only their symmetric parts matter).
"""

import numpy as np

from . import _core
from ._result import Result

__all__ = ["solve", "subgm", "synthetic", "methods"]


def methods():
    return _core.recovery_methods()


def synthetic(d=50, r=3, m=1500, noise="none", ensemble="gaussian", seed=0):
    """A synthetic problem as in the paper's experiments: A (m, d, d), y, noise, U_star,
    X_star. noise: "none", "outliers:p=0.1[,scale=10]" or "gaussian:p=0.5[,nu=1]"."""
    return _core.recovery_synthetic(int(d), int(r), int(m), noise, ensemble, int(seed))


def solve(A, y, rank=None, U0=None, method="subgm", X_star=None, seed=0, callback=None,
          **options):
    """Recovers U (d x rank) with U U^T ~ X* from the measurements. U0: the start (default:
    a small random d x rank matrix from seed, the over-parameterised small initialisation).
    X_star (optional) adds the relative error to the history and counters."""
    A = np.ascontiguousarray(A, dtype=np.float64)
    if A.ndim != 3:
        raise ValueError(f"A must be an (m, d, d) array, got shape {A.shape}")
    d = A.shape[1]
    if U0 is None:
        if rank is None:
            raise ValueError("give rank or U0")
        U0 = 1e-3 * np.random.default_rng(seed).standard_normal((d, int(rank)))
    U, s = _core.recovery_solve(A, np.asarray(y, dtype=np.float64),
                                np.asarray(U0, dtype=np.float64), X_star, method, options,
                                callback)
    return Result(U=U, status=s["status"], message=s["message"], niter=s["iterations"],
                  summary=s)


def subgm(A, y, rank=None, U0=None, X_star=None, seed=0, callback=None, **options):
    """SubGM: sub-gradient method with geometric step decay on the l1 loss."""
    return solve(A, y, rank, U0, "subgm", X_star, seed, callback, **options)
