"""Second-order methods: Gradient-Normalized Smoothness Newton (Semenov, Jaggi, Doikov, 2025)
and its peers (cubic Newton, Super-Universal Newton, adaptive gradient methods).

    def fun(x):  return f(x), grad(x)
    def hess(x): return H(x)                       # n x n array
    r = descent.newton.gns(fun, hess, x0)           # r.x, r.fun, r.status, r.nit, ...
    r = descent.newton.minimize(fun, hess, x0, method="cubic")
    r = descent.newton.minimize_instance("logsumexp:n=50,m=50", method="gns")

methods() lists the methods with their options (gamma0, max_trials, tolerance, ...; pass them
as keyword arguments). B (optional, n x n SPD) is the metric of the primal norm.
"""

import numpy as np

from . import _core
from .optimize import result_from_summary as _result

__all__ = ["minimize", "gns", "minimize_instance", "methods", "instances"]


def methods():
    return _core.newton_methods()


def instances():
    """The built-in problem names (logsumexp, nle, chebyshev, rosenbrock, logreg, softmax)."""
    return _core.newton_instances()


def minimize(fun, hess, x0, method="gns", B=None, callback=None, **options):
    """Minimises f from x0; fun(x) -> (f, g), hess(x) -> the n x n Hessian (or the
    approximation you want the method to use). A Python objective has no known optimal value,
    so the library's f - f* stop cannot apply: gradient_tolerance defaults to 1e-8 here (the
    library's default, 0, would always run max_iterations)."""
    x0 = np.asarray(x0, dtype=np.float64)
    options.setdefault("gradient_tolerance", 1e-8)
    x, s = _core.newton_minimize(fun, hess, x0, B, method, options, callback)
    return _result(x, s)


def gns(fun, hess, x0, B=None, callback=None, **options):
    """Algorithm 1 of Semenov, Jaggi, Doikov (arXiv:2506.13710): Newton steps regularised by
    the gradient norm, with an adaptive constant."""
    return minimize(fun, hess, x0, "gns", B, callback, **options)


def minimize_instance(spec, method="gns", seed=0, callback=None, **options):
    """Runs a method on a built-in instance (e.g. "logsumexp:n=500,m=500", "nle:p=4"), with the
    instance's start point, metric and Hessian approximation, as `descent newton` does.
    The summary adds "problem" and, when known, "optimal_value"."""
    x, s = _core.newton_minimize_instance(spec, int(seed), method, options, callback)
    return _result(x, s)
