// root_vjp / root_jvp and custom_root (jaxopt's implicit_diff.py, written from the paper).
#include "descent/implicit/root.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/error.hpp"

namespace descent::implicit {

void Optimality::validate() const {
  if (!value) throw Error("implicit::Optimality: value (F) is not set");
  if (!vjp_x) throw Error("implicit::Optimality: vjp_x is not set");
  if (!vjp_theta) throw Error("implicit::Optimality: vjp_theta is not set");
  if (dim_x <= 0) throw Error("implicit::Optimality: dim_x must be > 0");
  if (dim_theta <= 0) throw Error("implicit::Optimality: dim_theta must be > 0");
}

LinearOperator Optimality::jacobian_x(const Vec& x, const Vec& theta) const {
  std::function<Vec(const Vec&)> apply;
  if (jvp_x) {
    apply = [this, x, theta](const Vec& v) { return jvp_x(x, theta, v); };
  } else {
    apply = [this, x, theta](const Vec& v) -> Vec {
      const double vn = v.norm();
      if (vn == 0.0) return Vec::Zero(dim_x);
      const double h = 1e-6 * std::max(1.0, x.norm()) / vn;
      return (value(x + h * v, theta) - value(x - h * v, theta)) / (2 * h);
    };
  }
  return make_operator(dim_x, std::move(apply),
                       [this, x, theta](const Vec& u) { return vjp_x(x, theta, u); });
}

Optimality fixed_point(Optimality t) {
  Optimality f = t;
  f.value = [t](const Vec& x, const Vec& th) -> Vec { return t.value(x, th) - x; };
  f.vjp_x = [t](const Vec& x, const Vec& th, const Vec& u) -> Vec { return t.vjp_x(x, th, u) - u; };
  if (t.jvp_x)
    f.jvp_x = [t](const Vec& x, const Vec& th, const Vec& v) -> Vec {
      return t.jvp_x(x, th, v) - v;
    };
  return f;
}

namespace {
void check_point(const Optimality& f, const Vec& x, const Vec& theta, const char* who) {
  f.validate();
  if (x.size() != f.dim_x)
    throw Error(std::string(who) + ": x has size " + std::to_string(x.size()) + ", expected " +
                std::to_string(f.dim_x));
  if (theta.size() != f.dim_theta)
    throw Error(std::string(who) + ": theta has size " + std::to_string(theta.size()) +
                ", expected " + std::to_string(f.dim_theta));
}
}  // namespace

VjpResult root_vjp(const Optimality& f, const Vec& x, const Vec& theta, const Vec& w,
                   const LinearSolveOptions& options) {
  check_point(f, x, theta, "root_vjp");
  if (w.size() != f.dim_x)
    throw Error("root_vjp: cotangent has size " + std::to_string(w.size()) + ", expected " +
                std::to_string(f.dim_x));
  VjpResult r;
  // (∂₁F)ᵀ u = −w: the operator is the transpose of ∂₁F.
  r.solve = solve(f.jacobian_x(x, theta).transposed(), -w, options);
  r.value = f.vjp_theta(x, theta, r.solve.x);
  return r;
}

VjpResult root_jvp(const Optimality& f, const Vec& x, const Vec& theta, const Vec& t,
                   const LinearSolveOptions& options) {
  check_point(f, x, theta, "root_jvp");
  if (!f.jvp_theta) throw Error("root_jvp: the optimality function has no jvp_theta");
  if (t.size() != f.dim_theta)
    throw Error("root_jvp: tangent has size " + std::to_string(t.size()) + ", expected " +
                std::to_string(f.dim_theta));
  VjpResult r;
  r.solve = solve(f.jacobian_x(x, theta), -f.jvp_theta(x, theta, t), options);
  r.value = r.solve.x;
  return r;
}

JacobianResult root_jacobian(const Optimality& f, const Vec& x, const Vec& theta,
                             const LinearSolveOptions& options) {
  JacobianResult r;
  r.jacobian.resize(f.dim_x, f.dim_theta);
  Vec e = Vec::Zero(f.dim_theta);
  for (Eigen::Index j = 0; j < f.dim_theta; ++j) {
    e[j] = 1.0;
    VjpResult c = root_jvp(f, x, theta, e, options);
    e[j] = 0.0;
    r.jacobian.col(j) = c.value;
    const bool worse =
        (!c.solve.ok() && r.worst.ok()) ||
        (c.solve.ok() == r.worst.ok() && c.solve.relative_residual > r.worst.relative_residual);
    if (j == 0 || worse) r.worst = std::move(c.solve);
  }
  return r;
}

CustomRoot::CustomRoot(Solver solver, Optimality optimality, LinearSolveOptions options)
    : solver_(std::move(solver)), f_(std::move(optimality)), options_(options) {
  if (!solver_) throw Error("CustomRoot: the solver is not set");
  f_.validate();
  options_.validate();
}

const Vec& CustomRoot::run(const Vec& init, const Vec& theta) {
  if (theta.size() != f_.dim_theta)
    throw Error("CustomRoot::run: theta has size " + std::to_string(theta.size()) + ", expected " +
                std::to_string(f_.dim_theta));
  theta_ = theta;
  x_ = solver_(init, theta);
  if (x_.size() != f_.dim_x)
    throw Error("CustomRoot::run: the solver returned size " + std::to_string(x_.size()) +
                ", expected " + std::to_string(f_.dim_x));
  return x_;
}

double CustomRoot::residual() const {
  if (x_.size() == 0) throw Error("CustomRoot: call run() first");
  return f_.value(x_, theta_).norm();
}

VjpResult CustomRoot::vjp(const Vec& w) const {
  if (x_.size() == 0) throw Error("CustomRoot: call run() first");
  return root_vjp(f_, x_, theta_, w, options_);
}

VjpResult CustomRoot::jvp(const Vec& t) const {
  if (x_.size() == 0) throw Error("CustomRoot: call run() first");
  return root_jvp(f_, x_, theta_, t, options_);
}

}  // namespace descent::implicit
