"""Implicit differentiation of solutions x*(theta) of F(x, theta) = 0 (jaxopt's design, Blondel
et al., NeurIPS 2022), on numpy functions: the products of the optimality function are given
as callables, descent solves the linear systems.

    # ridge regression: F(x, theta) = X^T (X x - y) + theta * x
    F = lambda x, th: X.T @ (X @ x - y) + th[0] * x
    vjp_x = lambda x, th, u: X.T @ (X @ u) + th[0] * u          # (dF/dx)^T u
    vjp_theta = lambda x, th, u: np.array([x @ u])              # (dF/dtheta)^T u
    root = descent.implicit.CustomRoot(ridge_solver, F, vjp_x, vjp_theta)
    x = root.run(init, theta)
    g_theta = root.vjp(w)                                       # w^T dx*/dtheta

Solver options: solver ("normal-cg" default, "cg", "gmres", "bicgstab", "lu", "cholesky"),
tol (1e-10), maxiter, ridge, restart, check_symmetry. jvp_x may be omitted (a central finite
difference of F stands in); jvp_theta is needed for jvp() and jacobian().
"""

import numpy as np

from . import _core
from ._result import Result

__all__ = ["root_vjp", "root_jvp", "root_jacobian", "CustomRoot", "solvers"]


def solvers():
    return _core.implicit_solvers()


def _run(kind, F, vjp_x, vjp_theta, jvp_x, jvp_theta, x, theta, direction, options):
    x = np.asarray(x, dtype=np.float64)
    theta = np.asarray(theta, dtype=np.float64)
    direction = None if direction is None else np.asarray(direction, dtype=np.float64)
    value, info = _core.implicit_root(kind, F, vjp_x, vjp_theta, jvp_x, jvp_theta, x, theta,
                                      direction, options)
    return value, Result(info)


def root_vjp(F, x, theta, cotangent, vjp_x, vjp_theta, jvp_x=None, info=False, **options):
    """w^T dx*/dtheta at a root x of F(., theta); (value, solve info) with info=True."""
    v, i = _run("vjp", F, vjp_x, vjp_theta, jvp_x, None, x, theta, cotangent, options)
    return (v, i) if info else v


def root_jvp(F, x, theta, tangent, vjp_x, vjp_theta, jvp_theta, jvp_x=None, info=False,
             **options):
    """dx*/dtheta t at a root x of F(., theta)."""
    v, i = _run("jvp", F, vjp_x, vjp_theta, jvp_x, jvp_theta, x, theta, tangent, options)
    return (v, i) if info else v


def root_jacobian(F, x, theta, vjp_x, vjp_theta, jvp_theta, jvp_x=None, info=False, **options):
    """The full Jacobian dx*/dtheta (dim_x x dim_theta), one JVP per column."""
    v, i = _run("jacobian", F, vjp_x, vjp_theta, jvp_x, jvp_theta, x, theta, None, options)
    return (v, i) if info else v


class CustomRoot:
    """A solver made differentiable (jaxopt's custom_root): run(init, theta) calls
    root_solver(init, theta) for x*(theta); vjp(w), jvp(t) and jacobian() then differentiate at that
    solution. residual() is ||F(x*, theta)||, how well the solver met the condition."""

    def __init__(self, root_solver, F, vjp_x, vjp_theta, jvp_x=None, jvp_theta=None, **options):
        self.root_solver, self.F = root_solver, F
        self.vjp_x, self.vjp_theta, self.jvp_x, self.jvp_theta = vjp_x, vjp_theta, jvp_x, jvp_theta
        self.options = options
        self.x = self.theta = None
        self.last_solve = None

    def run(self, init, theta):
        self.theta = np.asarray(theta, dtype=np.float64)
        self.x = np.asarray(self.root_solver(init, self.theta), dtype=np.float64)
        return self.x

    def _need_run(self):
        if self.x is None:
            raise RuntimeError("call run(init, theta) first")

    def residual(self):
        self._need_run()
        return float(np.linalg.norm(self.F(self.x, self.theta)))

    def vjp(self, cotangent):
        self._need_run()
        v, self.last_solve = _run("vjp", self.F, self.vjp_x, self.vjp_theta, self.jvp_x, None,
                                  self.x, self.theta, cotangent, self.options)
        return v

    def jvp(self, tangent):
        self._need_run()
        v, self.last_solve = _run("jvp", self.F, self.vjp_x, self.vjp_theta, self.jvp_x,
                                  self.jvp_theta, self.x, self.theta, tangent, self.options)
        return v

    def jacobian(self):
        self._need_run()
        v, self.last_solve = _run("jacobian", self.F, self.vjp_x, self.vjp_theta, self.jvp_x,
                                  self.jvp_theta, self.x, self.theta, None, self.options)
        return v
