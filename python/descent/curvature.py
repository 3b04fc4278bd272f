"""Curvature of an operator known through products: Lanczos, SLQ spectral density and
Hutchinson's trace (PyHessian's tools, on any symmetric matvec).

    eig = descent.curvature.lanczos(lambda v: H @ v, n, steps=30)
    eig.eigenvalues[-1]                       # the largest Ritz value
    descent.curvature.hutchinson(H, max_probes=200).trace

`A` is a callable v -> A v, a numpy matrix, or anything with .matvec or @ (scipy's
LinearOperator, sparse matrices). A failed product ends the run as "diverged" and re-raises
the Python error.
"""

import numpy as np

from . import _core
from ._result import Result

__all__ = ["lanczos", "slq", "hutchinson"]


def _matvec(A, n):
    if callable(A) and not hasattr(A, "shape"):
        if n is None:
            raise ValueError("n (the dimension) is required when A is a callable")
        return A, int(n)
    shape = getattr(A, "shape", None)
    if shape is None or len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError("A must be a square matrix, an operator with .matvec, or a callable")
    if hasattr(A, "matvec"):
        return (lambda v: np.asarray(A.matvec(v), dtype=np.float64).ravel()), int(shape[0])
    return (lambda v: np.asarray(A @ v, dtype=np.float64).ravel()), int(shape[0])


def lanczos(A, n=None, steps=20, reorthogonalize=True, vectors=False, seed=0, v0=None):
    """m = steps Lanczos iterations: eigenvalues (Ritz values, ascending), weights (SLQ
    quadrature), residuals (||A u - theta u|| per pair), alpha/beta of T, eigenvectors (n x m,
    with vectors=True) and status."""
    f, n = _matvec(A, n)
    return Result(_core.lanczos(f, n, int(steps), bool(reorthogonalize), bool(vectors), int(seed),
                                None if v0 is None else np.asarray(v0, dtype=np.float64)))


def slq(A, n=None, steps=30, probes=1, seed=0, sigma=None, grid=None):
    """Stochastic Lanczos quadrature: nodes and weights of the spectral density (weights sum to
    1) and the trace estimate; with sigma, also density on grid (Gaussian-smoothed)."""
    f, n = _matvec(A, n)
    r = Result(_core.slq(f, n, int(steps), int(probes), int(seed)))
    if sigma is not None:
        if grid is None:
            lo, hi = r.nodes.min() - 3 * sigma, r.nodes.max() + 3 * sigma
            grid = np.linspace(lo, hi, 400)
        grid = np.asarray(grid, dtype=np.float64)
        diff = grid[:, None] - r.nodes[None, :]
        r["grid"] = grid
        r["density"] = (np.exp(-0.5 * (diff / sigma) ** 2) @ r.weights) / (sigma * np.sqrt(2 * np.pi))
    return r


def hutchinson(A, n=None, max_probes=1000, min_probes=10, rtol=0.0, seed=0):
    """Hutchinson's trace estimate with Rademacher probes: trace, standard_error, probes,
    status (converged when rtol is met)."""
    f, n = _matvec(A, n)
    return Result(_core.hutchinson(f, n, int(max_probes), int(min_probes), float(rtol),
                                   int(seed)))
