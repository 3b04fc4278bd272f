// Newton-CG and (accelerated) fixed-point iteration for the inner problems.
#include "descent/implicit/inner.hpp"

#include <Eigen/Dense>
#include <chrono>
#include <cmath>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"

namespace descent::implicit {

void NewtonOptions::validate() const {
  check::positive("tolerance", tolerance);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
}

void FixedPointOptions::validate() const {
  check::positive("tolerance", tolerance);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
}

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

Summary newton_solve(const SmoothObjective& f, Vec& x, const Vec& theta, const NewtonOptions& o) {
  o.validate();
  f.validate();
  if (!f.value) throw Error("newton_solve: the objective has no value (needed by line search)");
  if (x.size() != f.dim_x) throw Error("newton_solve: x has the wrong size");
  const auto t0 = std::chrono::steady_clock::now();
  Summary s;
  s.method = "newton-cg";
  s.status = Status::max_iterations;
  double fx = f.value(x, theta);
  for (std::size_t k = 0; k < o.max_iterations; ++k) {
    const Vec g = f.grad(x, theta);
    s.gradient_norm = g.norm();
    s.objective = fx;
    if (!std::isfinite(fx) || !g.allFinite()) {
      s.status = Status::diverged;
      s.message = "non-finite objective or gradient";
      break;
    }
    if (s.gradient_norm <= o.tolerance) {
      s.status = Status::converged;
      break;
    }
    LinearSolveOptions lo;
    lo.solver = SolverKind::cg;
    lo.check_symmetry = false;
    lo.tolerance = std::min(0.1, std::sqrt(s.gradient_norm)) * 1e-2;
    const LinearOperator h =
        make_operator(f.dim_x, [&](const Vec& v) { return f.hvp(x, theta, v); });
    const LinearSolveResult d = solve(h, -g, lo);
    Vec dir = d.x;
    if (!dir.allFinite() || dir.dot(g) >= 0) dir = -g;  // fall back to steepest descent
    double step = 1.0, fn = f.value(x + dir, theta);
    while (!(fn <= fx + 1e-4 * step * g.dot(dir)) && step > 1e-12) {
      step *= 0.5;
      fn = f.value(x + step * dir, theta);
    }
    if (step <= 1e-12) {
      // At round-off level the Armijo test can fail although x is optimal.
      s.status = s.gradient_norm < 1e3 * o.tolerance ? Status::converged : Status::stalled;
      s.message = "line search failed";
      break;
    }
    x += step * dir;
    fx = fn;
    ++s.iterations;
  }
  if (s.status == Status::max_iterations || s.status == Status::converged) {
    s.gradient_norm = f.grad(x, theta).norm();
    s.objective = fx;
  }
  s.seconds = seconds_since(t0);
  return s;
}

Summary fixed_point_solve(const Optimality& f, Vec& x, const Vec& theta,
                          const FixedPointOptions& o) {
  o.validate();
  if (!f.value) throw Error("fixed_point_solve: F is not set");
  if (x.size() != f.dim_x) throw Error("fixed_point_solve: x has the wrong size");
  const auto t0 = std::chrono::steady_clock::now();
  Summary s;
  s.method = o.accelerate ? "fista" : "fixed-point";
  s.status = Status::max_iterations;
  Vec y = x, x_prev = x;
  double t = 1.0, prev_res = INFINITY;
  for (std::size_t k = 0; k < o.max_iterations; ++k) {
    const Vec fy = f.value(y, theta);
    const Vec x_new = y + fy;
    if (!x_new.allFinite()) {
      s.status = Status::diverged;
      s.message = "non-finite iterate";
      break;
    }
    x_prev = x;
    x = x_new;
    ++s.iterations;
    // ||F(y)|| is the residual at the extrapolated point; check the true one at x when small.
    const double res_y = fy.norm();
    if (res_y <= o.tolerance || (o.accelerate && res_y <= 100 * o.tolerance)) {
      const double res_x = f.value(x, theta).norm();
      s.gradient_norm = res_x;
      if (res_x <= o.tolerance) {
        s.status = Status::converged;
        break;
      }
    }
    if (o.accelerate) {
      if (res_y > prev_res) {  // adaptive restart
        t = 1.0;
        y = x;
      } else {
        const double t_new = 0.5 * (1 + std::sqrt(1 + 4 * t * t));
        y = x + ((t - 1) / t_new) * (x - x_prev);
        t = t_new;
      }
    } else {
      y = x;
    }
    prev_res = res_y;
    s.gradient_norm = res_y;
  }
  if (s.status != Status::diverged) s.gradient_norm = f.value(x, theta).norm();
  if (s.status == Status::max_iterations && s.gradient_norm <= o.tolerance)
    s.status = Status::converged;
  s.seconds = seconds_since(t0);
  return s;
}

}  // namespace descent::implicit

namespace descent::implicit {
namespace {
std::vector<Eigen::Index> support_of(const Vec& w) {
  std::vector<Eigen::Index> s;
  for (Eigen::Index i = 0; i < w.size(); ++i)
    if (w[i] != 0.0) s.push_back(i);
  return s;
}
Mat columns(const Mat& x, const std::vector<Eigen::Index>& s) {
  Mat r(x.rows(), static_cast<Eigen::Index>(s.size()));
  for (std::size_t j = 0; j < s.size(); ++j) r.col(static_cast<Eigen::Index>(j)) = x.col(s[j]);
  return r;
}
}  // namespace

Vec lasso_refit_on_support(const Mat& x, const Vec& y, double lambda, const Vec& w) {
  const auto s = support_of(w);
  if (s.empty()) return w;
  const auto n = static_cast<double>(x.rows());
  const Mat xs = columns(x, s);
  Vec sg(static_cast<Eigen::Index>(s.size()));
  for (std::size_t j = 0; j < s.size(); ++j)
    sg[static_cast<Eigen::Index>(j)] = w[s[j]] > 0 ? 1 : -1;
  const Vec ws = (xs.transpose() * xs / n).ldlt().solve(xs.transpose() * y / n - lambda * sg);
  Vec r = Vec::Zero(w.size());
  for (std::size_t j = 0; j < s.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    if (ws[jj] * sg[jj] <= 0) return w;  // a sign flipped: not the same support
    r[s[j]] = ws[jj];
  }
  // Optimality off the support: |x_jᵀ(y − Xw)/n| <= λ.
  const Vec corr = x.transpose() * (y - x * r) / n;
  if (corr.cwiseAbs().maxCoeff() > lambda * (1 + 1e-9)) return w;
  return r;
}

Vec lasso_support_jacobian(const Mat& x, const Vec& w) {
  const auto s = support_of(w);
  Vec j = Vec::Zero(w.size());
  if (s.empty()) return j;
  const auto n = static_cast<double>(x.rows());
  const Mat xs = columns(x, s);
  Vec sg(static_cast<Eigen::Index>(s.size()));
  for (std::size_t k = 0; k < s.size(); ++k)
    sg[static_cast<Eigen::Index>(k)] = w[s[k]] > 0 ? 1 : -1;
  const Vec js = -(xs.transpose() * xs / n).ldlt().solve(sg);
  for (std::size_t k = 0; k < s.size(); ++k) j[s[k]] = js[static_cast<Eigen::Index>(k)];
  return j;
}

double least_squares_lipschitz(const Mat& x) {
  const Mat g = x.rows() <= x.cols() ? Mat(x * x.transpose()) : Mat(x.transpose() * x);
  return Eigen::SelfAdjointEigenSolver<Mat>(g, Eigen::EigenvaluesOnly).eigenvalues().maxCoeff() /
         static_cast<double>(x.rows());
}

}  // namespace descent::implicit
