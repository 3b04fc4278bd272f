"""Minimisation of Python objectives with descent's first-order methods, scipy-style.

    def f(x): return ((x - 3) ** 2).sum(), 2 * (x - 3)
    r = descent.optimize.minimize(f, np.zeros(5), jac=True, method="diffgrad",
                                  options={"lr": 0.1, "max_iterations": 500})
    r.x, r.fun, r.nit, r.status, r.message, r.history

methods(): "gd", "heavy-ball" and every update rule (sgd, momentum, nesterov, adam, adamw,
diffgrad, diffgrad1..5, normalized-momentum, ...); with hess=..., also the second-order
methods of descent.newton (gns, cubic, super-universal, ...). options use descent's names (lr, beta1,
max_iterations, gradient_tolerance, schedule, record_history, ...); methods()[name]["options"]
lists them with defaults. A diverged run is a result with status "diverged", not an exception.
"""

import numpy as np

from . import _core
from ._result import Result

__all__ = ["minimize", "methods", "OptimizeResult"]


class OptimizeResult(Result):
    """x, fun, gradient_norm, nit, nfev, njev, status, success, message, history (columns, when
    recorded), summary. Unlike scipy's integer status, status is a name: converged,
    max_iterations, diverged, stalled, stopped or failed (success is status == "converged")."""


def methods():
    return _core.minimize_methods()


def minimize(fun, x0, args=(), method="adam", jac=None, hess=None, *, callback=None,
             options=None):
    """Minimises fun from x0. jac: a callable returning the gradient, or True when fun returns
    (f, g) (scipy's convention); gradients are required. hess(x) -> n x n array, for the
    second-order methods of descent.newton (method="gns", "cubic", "super-universal").
    callback(info) receives a dict per iteration (iteration, objective, gradient_norm, x, ...);
    a truthy return stops the run."""
    if jac is None or jac is False:
        raise TypeError("descent.optimize.minimize needs gradients: pass jac=callable or "
                        "jac=True with fun returning (f, g)")
    if args:
        base_fun, base_jac, base_hess = fun, jac, hess
        fun = lambda x: base_fun(x, *args)  # noqa: E731
        if callable(base_jac):
            jac = lambda x: base_jac(x, *args)  # noqa: E731
        if callable(base_hess):
            hess = lambda x: base_hess(x, *args)  # noqa: E731
    if method in _core.newton_methods() and method not in _core.minimize_methods():
        if hess is None:
            raise TypeError(f"method '{method}' is second order: pass hess=callable")
        from . import newton
        fg = fun if jac is True else (lambda x: (fun(x), jac(x)))
        return newton.minimize(fg, hess, x0, method, callback=callback, **dict(options or {}))
    x0 = np.asarray(x0, dtype=np.float64)
    if x0.ndim != 1:
        raise ValueError(f"x0 must be 1-D, got shape {x0.shape}")
    x, s = _core.minimize(fun, x0, jac, method, dict(options or {}), callback)
    return result_from_summary(x, s)


def result_from_summary(x, s):
    """The OptimizeResult of a run: x and the fields of its summary dict."""
    out = OptimizeResult(x=x, fun=s["objective"], nit=s["iterations"],
                         nfev=s["function_evaluations"], njev=s["gradient_evaluations"],
                         status=s["status"], success=s["status"] == "converged",
                         message=s["message"], gradient_norm=s["gradient_norm"], summary=s)
    if "history" in s:
        out["history"] = s["history"]
    return out
