"""Optimal transport with POT's names: sinkhorn, sinkhorn2, emd, emd2, dist.

    import descent, numpy as np
    P = descent.ot.sinkhorn(a, b, M, reg=1e-2)                 # log-domain Sinkhorn
    P = descent.ot.sinkhorn(a, b, M, reg=1e-3, method="sns")   # Sinkhorn-Newton-Sparse
    P, log = descent.ot.sinkhorn(a, b, M, 1e-2, log=True)      # log["err"], log["niter"], ...

Differences from POT, on purpose:
  * stopThr is compared with the L1 error of *both* marginals, every iteration (POT's
    sinkhorn_log checks the L2 error of the second marginal every 10 iterations);
  * numItermax=None uses the solver's own cap (sinkhorn: 100,000);
  * any solver option passes through by its descent name (descent.ot.methods() lists them),
    e.g. sinkhorn(..., method="sns", sparsity=2.0, warmup_steps=30).
"""

import warnings

import numpy as np

from . import _core
from ._result import Result

__all__ = ["sinkhorn", "sinkhorn2", "sinkhorn_clouds", "emd", "emd2", "dist", "solve", "methods"]

# POT's method names and ours.
_METHODS = {
    "log": "sinkhorn",
    "sinkhorn": "sinkhorn",
    "sinkhorn_log": "sinkhorn",
    "sns": "sns",
    "eps_scaling": "sinkhorn-eps",
    "sinkhorn_epsilon_scaling": "sinkhorn-eps",
}

_METRICS = {
    "sqeuclidean": "sqeuclidean",
    "euclidean": "euclidean",
    "cityblock": "l1",
    "l1": "l1",
}


def methods():
    """descent's OT solvers: {name: {"summary", "paper", "options": {key: (default, help)}}}."""
    return _core.ot_methods()


def _weights(w, n, name):
    w = np.asarray(w, dtype=np.float64)
    if w.size == 0:
        return np.full(n, 1.0 / n)
    if w.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of weights (histograms in columns are not "
                         f"supported), got shape {w.shape}")
    return w


def solve(a, b, M, method="sinkhorn", callback=None, **options):
    """Runs any descent OT solver by its descent name and returns a Result with plan, x, y
    (the potentials: P = exp(eta (-M + x 1^T + 1 y^T) - 1)), cost (<M, P>), marginal_error,
    err (per iteration), status, message, niter and summary. options: the solver's keys
    (see methods()). callback(info) receives a dict per iteration; a truthy return stops."""
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2:
        raise ValueError(f"M must be a 2-D cost matrix, got shape {M.shape}")
    a = _weights(a, M.shape[0], "a")
    b = _weights(b, M.shape[1], "b")
    name = _METHODS.get(method, method)
    r = _core.ot_solve(a, b, M, name, options, callback)
    s = r["summary"]
    out = Result(plan=r.get("plan"), x=r["x"], y=r["y"], cost=r["cost"], mass=r["mass"],
                 setup_seconds=r["setup_seconds"],
                 marginal_error=r["marginal_error"], err=r["err"], status=s["status"],
                 message=s["message"], niter=s["iterations"], summary=s)
    if "plan_csr" in r:
        data, indices, indptr, shape = r["plan_csr"]
        try:
            import scipy.sparse
            out["plan"] = scipy.sparse.csr_matrix((data, indices, indptr), shape=shape)
        except ImportError:  # scipy is optional: give the CSR arrays
            out["plan"] = (data, indices, indptr, shape)
    return out


def _entropic(a, b, M, reg, method, numItermax, stopThr, warn, callback, options):
    if not reg > 0:
        raise ValueError(f"reg must be > 0, got {reg}")
    if method not in _METHODS and method not in ("sinkhorn-eps",):
        known = ", ".join(sorted(_METHODS))
        raise ValueError(f"unknown method '{method}' (known: {known})")
    options = dict(options)
    options.setdefault("eta", 1.0 / reg)
    options.setdefault("tolerance", stopThr)
    if numItermax is not None:
        options.setdefault("max_iterations", int(numItermax))
    r = solve(a, b, M, method, callback, **options)
    if warn and r.status != "converged":
        warnings.warn(f"descent.ot: {r.status} after {r.niter} iterations "
                      f"(marginal error {r.marginal_error:.3g}): {r.message}", UserWarning,
                      stacklevel=3)
    return r


def _pot_log(r, reg):
    # POT's log_u/log_v: P = exp(log_u + (-M / reg) + log_v); ours, for unit mass,
    # P = exp((x + y - M)/reg - 1), and the returned plan is scaled by the total mass.
    log = Result(r)
    shift = 0.5 * np.log(r.mass) - 0.5
    log["log_u"] = r.x / reg + shift
    log["log_v"] = r.y / reg + shift
    with np.errstate(over="ignore", under="ignore"):  # at small reg u, v leave float range:
        log["u"] = np.exp(log["log_u"])                # use log_u, log_v there (as with POT)
        log["v"] = np.exp(log["log_v"])
    return log


def sinkhorn(a, b, M, reg, method="log", numItermax=None, stopThr=1e-9, verbose=False, log=False,
             warn=True, callback=None, **options):
    """Entropic OT plan, like ot.sinkhorn. method: "log" (log-domain Sinkhorn), "sns"
    (Sinkhorn-Newton-Sparse, ICLR 2024) or "eps_scaling". reg is POT's regulariser (descent's
    eta = 1 / reg). Returns the plan, or (plan, log) with log=True. A run that does not
    converge warns (warn=True) and still returns its plan; the log's "status" says why."""
    del verbose  # progress goes through callback
    r = _entropic(a, b, M, reg, method, numItermax, stopThr, warn, callback, options)
    return (r.plan, _pot_log(r, reg)) if log else r.plan


def sinkhorn2(a, b, M, reg, method="log", numItermax=None, stopThr=1e-9, verbose=False,
              log=False, warn=True, callback=None, **options):
    """The transport cost <M, P> of the entropic plan (POT's sinkhorn2), or (cost, log).
    Unlike POT's sinkhorn2 (warn=False), a run that does not converge warns by default."""
    del verbose
    options.setdefault("plan", "none")  # the cost is computed streaming, without the plan
    r = _entropic(a, b, M, reg, method, numItermax, stopThr, warn, callback, options)
    return (r.cost, _pot_log(r, reg)) if log else r.cost


def sinkhorn_clouds(xs, xt, reg, a=None, b=None, metric="sqeuclidean", method="sinkhorn",
                    numItermax=None, stopThr=1e-9, warn=True, callback=None, **options):
    """Entropic OT between two point clouds (rows of xs and xt) without forming the cost
    matrix: memory O((n + m) d), so n = m = 1e5 fits where POT's n x n matrices (80 GB each)
    do not. Returns a Result with x, y (P = exp((-M + x 1^T + 1 y^T) / reg - 1)), cost
    (<M, P>), marginal_error, err, status, niter and summary; no plan unless plan="dense" is
    passed. method: "sinkhorn" or "eps_scaling"; metric: "sqeuclidean", "euclidean",
    "cityblock". Empty a/b mean uniform weights."""
    if not reg > 0:
        raise ValueError(f"reg must be > 0, got {reg}")
    if metric not in _METRICS:
        raise ValueError(f"unknown metric '{metric}' (known: {', '.join(_METRICS)})")
    name = _METHODS.get(method, method)
    if name not in ("sinkhorn", "sinkhorn-eps"):
        raise ValueError(f"method '{method}' needs the cost matrix (use sinkhorn or eps_scaling)")
    xs = np.asarray(xs, dtype=np.float64)
    xt = np.asarray(xt, dtype=np.float64)
    if xs.ndim == 1:
        xs = xs[:, None]
    if xt.ndim == 1:
        xt = xt[:, None]
    empty = np.zeros(0)
    a = empty if a is None else _weights(a, xs.shape[0], "a")
    b = empty if b is None else _weights(b, xt.shape[0], "b")
    options = dict(options)
    options.setdefault("eta", 1.0 / reg)
    options.setdefault("tolerance", stopThr)
    if numItermax is not None:
        options.setdefault("max_iterations", int(numItermax))
    r = _core.ot_solve_clouds(xs, xt, a, b, _METRICS[metric], name, options, callback)
    s = r["summary"]
    out = Result(plan=r.get("plan"), x=r["x"], y=r["y"], cost=r["cost"], mass=r["mass"],
                 marginal_error=r["marginal_error"], err=r["err"], status=s["status"],
                 message=s["message"], niter=s["iterations"], summary=s)
    if warn and out.status != "converged":
        warnings.warn(f"descent.ot: {out.status} after {out.niter} iterations "
                      f"(marginal error {out.marginal_error:.3g}): {out.message}", UserWarning,
                      stacklevel=2)
    return out


def emd(a, b, M, numItermax=None, log=False, **options):
    """Exact OT plan (network simplex), like ot.emd; (plan, log) with log=True, where log has
    "cost", "u", "v" (dual potentials: u_i + v_j <= M_ij) and "status". numItermax is accepted
    for POT's signature and ignored: the network simplex always runs to the optimum."""
    del numItermax
    r = solve(a, b, M, "exact", **options)
    if r.status != "converged":
        warnings.warn(f"descent.ot.emd: {r.status}: {r.message}", UserWarning, stacklevel=2)
    if log:
        return r.plan, Result(cost=r.cost, u=r.x, v=r.y, status=r.status, message=r.message,
                              summary=r.summary)
    return r.plan


def emd2(a, b, M, processes=1, numItermax=None, log=False, **options):
    """Exact OT cost <M, P*> (POT's emd2), or (cost, log). processes and numItermax are
    accepted for POT's signature and ignored."""
    del processes, numItermax
    r = solve(a, b, M, "exact", **options)
    if log:
        return r.cost, Result(u=r.x, v=r.y, status=r.status, plan=r.plan, summary=r.summary)
    return r.cost


def dist(x1, x2=None, metric="sqeuclidean"):
    """Cost matrix between the rows of x1 and x2 (x1 itself when x2 is None), like ot.dist.
    metric: "sqeuclidean" (default), "euclidean" or "cityblock"."""
    x1 = np.asarray(x1, dtype=np.float64)
    x2 = x1 if x2 is None else np.asarray(x2, dtype=np.float64)
    if metric not in _METRICS:
        raise ValueError(f"unknown metric '{metric}' (known: {', '.join(_METRICS)})")
    if x1.ndim == 1:
        x1 = x1[:, None]
    if x2.ndim == 1:
        x2 = x2[:, None]
    return _core.ot_cost_matrix(x1, x2, _METRICS[metric])
