"""Sparse linear solvers with scipy.sparse.linalg's calling convention.

    x, info = descent.linalg.cg(A, b, tol=1e-8)            # info: 0 converged, >0 iterations
    x, info = descent.linalg.pcg(A, b, M="ic")             # preconditioner by name
    x, info = descent.linalg.ssor_cg(A, b, omega=1.4)      # ICLR 2024's SSOR-preconditioned CG
    r = descent.linalg.solve(A, b, method="sor", omega="optimal")   # full result, any method

A is a scipy.sparse matrix (any format; converted to CSR by scipy if needed) or a dense 2-D
numpy array. descent keeps one CSR copy of A per call (O(nnz)). Stopping: ||b - A x|| <=
max(tol * ||b||, atol), as scipy 1.10's cg. maxiter=None uses the library's cap (10,000).
"""

import numpy as np

from . import _core
from ._result import Result

__all__ = ["solve", "cg", "pcg", "sor", "ssor", "ssor_cg", "SolveSequence", "methods"]

# scipy's info: 0 converged, > 0 the iterations run without converging, < 0 breakdown.
_BREAKDOWN = {"diverged": -1, "failed": -2, "stalled": -3}


def methods():
    """descent's linear solvers: {name: {"summary", "paper", "options": {...}}}."""
    return _core.linalg_methods()


def _csr_arrays(A):
    if hasattr(A, "tocsr"):  # scipy.sparse (csr, csc, coo, ...)
        A = A.tocsr()
        if A.nnz >= 2**31 or max(A.shape) >= 2**31:
            raise ValueError(f"A ({A.shape}, {A.nnz} entries) is too large: descent's CSR "
                             f"indices are 32-bit")
        return (np.asarray(A.data, dtype=np.float64), np.asarray(A.indices, dtype=np.int32),
                np.asarray(A.indptr, dtype=np.int32), tuple(int(s) for s in A.shape))
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2:
        raise ValueError(f"A must be a 2-D array or a scipy.sparse matrix, got shape {A.shape}")
    if max(A.shape) >= 2**31:
        raise ValueError("A is too large: descent's CSR indices are 32-bit")
    rows, cols = np.nonzero(A)
    indptr = np.zeros(A.shape[0] + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=A.shape[0]), out=indptr[1:])
    return (A[rows, cols].copy(), cols.astype(np.int32), indptr, tuple(int(s) for s in A.shape))


def _options(tol, atol, maxiter, b, options):
    options = dict(options)
    if atol:  # scipy: ||r|| <= max(tol ||b||, atol): one absolute threshold for this b
        threshold = max(tol * float(np.linalg.norm(b)), float(atol))
        options.setdefault("tolerance", threshold)
        options.setdefault("tolerance_mode", "absolute")
    else:
        options.setdefault("tolerance", tol)
        options.setdefault("tolerance_mode", "rhs")  # scipy's ||r|| <= tol ||b||, for every method
    if maxiter is not None:
        options.setdefault("max_iterations", int(maxiter))
    return options


def solve(A, b, x0=None, method="cg", callback=None, **options):
    """Solves A x = b with any descent linear solver (see methods()) and returns a Result:
    x, status, message, niter, residual (final ||r||) and summary. options by descent name
    (tolerance, tolerance_mode, max_iterations, omega, record_history, ...).
    callback(info) gets a dict per iteration; a truthy return stops the run."""
    data, indices, indptr, shape = _csr_arrays(A)
    b = np.asarray(b, dtype=np.float64)
    if b.ndim != 1:
        raise ValueError(f"b must be 1-D, got shape {b.shape}")
    x0 = np.zeros(shape[1]) if x0 is None else np.asarray(x0, dtype=np.float64)
    x, s = _core.linalg_solve(data, indices, indptr, shape, b, x0, method, options, callback)
    return Result(x=x, status=s["status"], message=s["message"], niter=s["iterations"],
                  residual=s["gradient_norm"], summary=s)


def _scipy_style(A, b, x0, tol, maxiter, atol, callback, method, options):
    b = np.asarray(b, dtype=np.float64)
    r = solve(A, b, x0, method, _iterate_callback(callback), **_options(tol, atol, maxiter, b,
                                                                          options))
    if r.status == "converged":
        return r.x, 0
    return r.x, _BREAKDOWN.get(r.status, max(int(r.niter), 1))


def _iterate_callback(callback):
    # scipy calls callback(xk) and ignores what it returns; xk is a copy of the iterate.
    if callback is None:
        return None

    def call(info):
        callback(info["x"])
        return False

    return call


def cg(A, b, x0=None, tol=1e-5, maxiter=None, M=None, callback=None, atol=None, **options):
    """Conjugate gradients, like scipy.sparse.linalg.cg: returns (x, info). M: None or a
    preconditioner name ("jacobi", "ic", "ssor"); a matrix or LinearOperator is not accepted
    (descent builds its preconditioners itself). callback(xk) as in scipy."""
    method = "cg"
    if M is not None:
        if not isinstance(M, str):
            raise TypeError("M must be a preconditioner name: 'jacobi', 'ic' or 'ssor'")
        method = {"jacobi": "pcg-jacobi", "ic": "pcg-ic", "ssor": "ssor-cg"}.get(M)
        if method is None:
            raise ValueError(f"unknown preconditioner '{M}' (known: jacobi, ic, ssor)")
    return _scipy_style(A, b, x0, tol, maxiter, atol, callback, method, options)


def pcg(A, b, x0=None, tol=1e-5, maxiter=None, M="jacobi", callback=None, atol=None, **options):
    """Preconditioned CG (M = "jacobi" by default, or "ic", "ssor"); returns (x, info)."""
    return cg(A, b, x0, tol, maxiter, M, callback, atol, **options)


def ssor_cg(A, b, x0=None, tol=1e-5, maxiter=None, omega="optimal", callback=None, atol=None,
            **options):
    """CG preconditioned by SSOR(omega) (Khodak et al., ICLR 2024); omega a number in (0, 2)
    or "optimal" (Young's formula). Returns (x, info)."""
    return _scipy_style(A, b, x0, tol, maxiter, atol, callback, "ssor-cg",
                        dict(options, omega=omega))


def sor(A, b, x0=None, tol=1e-5, maxiter=None, omega="optimal", callback=None, atol=None,
        **options):
    """Successive over-relaxation with weight omega (a number in (0, 2) or "optimal").
    Returns (x, info)."""
    return _scipy_style(A, b, x0, tol, maxiter, atol, callback, "sor",
                        dict(options, omega=omega))


def ssor(A, b, x0=None, tol=1e-5, maxiter=None, omega="optimal", callback=None, atol=None,
         **options):
    """Symmetric SOR as an iteration; returns (x, info)."""
    return _scipy_style(A, b, x0, tol, maxiter, atol, callback, "ssor",
                        dict(options, omega=omega))


class SolveSequence:
    """A sequence of systems A_t x = b_t with omega chosen per system by a policy (Khodak et
    al., "Learning to Relax", ICLR 2024): "fixed", "optimal", "tsallis" (Tsallis-INF over a grid),
    "tsallis-cb" or "chebcb" (contextual: pass a scalar context per system, within
    [context_lo, context_hi]).

        seq = descent.linalg.SolveSequence(solver="ssor-cg", policy="tsallis", seed=0)
        for A, b in systems:
            x, record = seq.step(A, b)          # record: omega, iterations, status, ...
        seq.total_iterations
    """

    def __init__(self, solver="ssor-cg", policy="tsallis", omega=1.0, grid=None, context_lo=0.0,
                 context_hi=0.0, bins=5, features=6, tol=1e-8, tolerance_mode="rhs",
                 maxiter=10000, seed=0):
        self._runner = _core.SolveSequence(solver, policy, float(omega), list(grid or []),
                                           float(context_lo), float(context_hi), int(bins),
                                           int(features), float(tol), tolerance_mode,
                                           int(maxiter), int(seed))

    def step(self, A, b, x0=None, context=0.0):
        """Chooses omega, solves from x0 (zeros if None: a cold start), learns from the
        iteration count. Returns (x, record)."""
        data, indices, indptr, shape = _csr_arrays(A)
        x0 = np.zeros(shape[1]) if x0 is None else np.asarray(x0, dtype=np.float64)
        x, record = self._runner._step(data, indices, indptr, shape,
                                       np.asarray(b, dtype=np.float64), x0, float(context))
        return x, Result(record)

    @property
    def records(self):
        return [Result(r) for r in self._runner.records]

    @property
    def total_iterations(self):
        return self._runner.total_iterations
