#include "descent/bilevel/lvhba.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "descent/bilevel/estimators.hpp"
#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/run.hpp"

namespace descent::bilevel {

void LvHbaOptions::validate() const {
  check::positive("alpha", alpha);
  check::positive("beta", beta);
  check::positive("eta", eta);
  check::positive("gamma1", gamma1);
  check::positive("gamma2", gamma2);
  check::positive("c_lower", c_lower);
  check::in_half_open("p", p, 0.0, 1.0);
  check::require(multiplier_bound > 0, "multiplier_bound", "must be > 0");
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::require(divergence_factor > 1, "divergence_factor", "must be > 1");
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

namespace {

// Λ: R^l_+ for inequalities, R^l for equalities, intersected with the optional clamp.
void project_multiplier(Vec& v, bool equality, double bound) {
  const double lo = equality ? -bound : 0.0;
  v = v.cwiseMax(lo).cwiseMin(bound);
}

double max_abs(const LvHbaState& s) {
  double m = 0;
  for (const Vec* v : {&s.x, &s.y, &s.z, &s.theta, &s.lambda})
    if (v->size()) m = std::max(m, v->cwiseAbs().maxCoeff());
  return m;
}

bool finite_state(const LvHbaState& s, double limit) {
  for (const Vec* v : {&s.x, &s.y, &s.z, &s.theta, &s.lambda})
    if (!all_finite(*v, limit)) return false;
  return true;
}

}  // namespace

LvHbaState LvHbaState::start(const ConstrainedBilevelProblem& problem, Vec x0, Vec y0) {
  if (x0.size() != problem.dim_x() || y0.size() != problem.dim_y())
    throw Error("LvHbaState::start: x0/y0 sizes do not match the problem");
  LvHbaState s;
  problem.project_c(x0, y0);
  s.x = std::move(x0);
  s.y = std::move(y0);
  s.theta = s.y;
  s.lambda = Vec::Zero(problem.num_constraints());
  s.z = Vec::Zero(problem.num_constraints());
  return s;
}

Summary minimize_lvhba(const ConstrainedBilevelProblem& problem, LvHbaState& s,
                       const LvHbaOptions& o, Callbacks callbacks, const LvHbaMonitor& monitor) {
  o.validate();
  const Eigen::Index l = problem.num_constraints();
  if (s.x.size() != problem.dim_x() || s.y.size() != problem.dim_y() ||
      s.theta.size() != problem.dim_y() || s.lambda.size() != l || s.z.size() != l)
    throw Error("minimize_lvhba: state sizes do not match the problem (use LvHbaState::start)");
  const bool eq = problem.equality_constraints();

  Run run("lvhba", static_cast<std::size_t>(s.x.size() + s.y.size()), o.max_iterations,
          {o.record_history, o.history_stride}, callbacks);
  Summary& summary = run.summary();
  const double limit = o.divergence_factor * std::max(1.0, max_abs(s));

  Vec fx_t, fy_t, gx_t, gy_t, Fx, Fy, fx, fy, fx1, fy1, gx1, gy1, dx, dy;
  double dnorm = std::nan("");
  Metric extras[] = {{"c_k", 0.0}, {"monitor", 0.0}};
  // The row of iteration k (built only when the Run wants it: upper() and the monitor cost).
  auto row = [&](std::size_t k, double ck) {
    extras[0].value = ck;
    extras[1].value = monitor ? monitor(s.x, s.y) : std::nan("");
    IterationInfo info;
    info.iteration = k;
    info.objective = problem.upper(s.x, s.y);
    info.gradient_norm = dnorm;
    info.step_size = o.alpha;
    info.x = std::span<const double>(s.x.data(), static_cast<std::size_t>(s.x.size()));
    info.extras = extras;
    return info;
  };
  for (std::size_t k = 0; k < o.max_iterations; ++k) {
    const double ck = o.c_lower * std::pow(double(k + 1), o.p);
    // Step 1: descent in θ, ascent in λ, both at (x^k, θ^k, λ^k).
    problem.lower_grad(s.x, s.theta, fx_t, fy_t);
    problem.constraint_vjp(s.x, s.theta, s.lambda, gx_t, gy_t);
    Vec theta1 = s.theta - o.eta * (fy_t + gy_t + (s.theta - s.y) / o.gamma1);
    problem.project_y(theta1);
    Vec lambda1 = s.lambda;
    if (l > 0) {
      lambda1 -= o.eta * (-problem.constraint(s.x, s.theta) + (s.lambda - s.z) / o.gamma2);
      project_multiplier(lambda1, eq, o.multiplier_bound);
    }
    // Step 2: gradient of φ_{c_k} at (x^k, y^k, z^k) using θ^{k+1}, λ^{k+1}.
    problem.upper_grad(s.x, s.y, Fx, Fy);
    problem.lower_grad(s.x, s.y, fx, fy);
    problem.lower_grad(s.x, theta1, fx1, fy1);
    problem.constraint_vjp(s.x, theta1, lambda1, gx1, gy1);
    dx = Fx / ck + fx - fx1 - gx1;
    dy = Fy / ck + fy - (s.y - theta1) / o.gamma1;
    dnorm = std::sqrt(dx.squaredNorm() + dy.squaredNorm());
    s.x -= o.alpha * dx;
    s.y -= o.alpha * dy;
    problem.project_c(s.x, s.y);
    if (l > 0) {
      s.z += o.beta * (lambda1 - s.z) / o.gamma2;
      project_multiplier(s.z, eq, o.multiplier_bound);
    }
    s.theta = std::move(theta1);
    s.lambda = std::move(lambda1);
    summary.gradient_evaluations += 4;

    if (!finite_state(s, limit) || !std::isfinite(dnorm)) {
      summary.iterations = k + 1;
      run.end(Status::diverged, "iterates exceeded " + check::show(limit) +
                                    " or became non-finite at iteration " + std::to_string(k + 1) +
                                    "; reduce alpha/eta or raise gamma");
      break;
    }
    if (!run.wants(k + 1)) {
      summary.iterations = k + 1;
      continue;
    }
    if (run.record(row(k + 1, ck))) break;
  }
  const bool diverged = run.ended() && summary.status == Status::diverged;
  if (!diverged && summary.iterations > 0 && run.keeps_history())
    run.keep_final(row(summary.iterations, o.c_lower * std::pow(double(summary.iterations), o.p)));
  return run.finish(diverged ? std::nan("") : problem.upper(s.x, s.y), dnorm);
}

ValueFunction proximal_value_function(const ConstrainedBilevelProblem& problem, const Vec& x,
                                      const Vec& y, const Vec& z, double gamma1, double gamma2,
                                      double step, std::size_t iterations) {
  const bool eq = problem.equality_constraints();
  const double inf = std::numeric_limits<double>::infinity();
  ValueFunction r;
  r.theta = y;
  r.lambda = z;
  Vec fx, fy, gx, gy;
  // Simultaneous projected gradient descent-ascent: the Lagrangian is strongly convex in θ
  // (1/γ1) and strongly concave in λ (1/γ2), so a small step converges linearly.
  for (std::size_t it = 0; it < iterations; ++it) {
    problem.lower_grad(x, r.theta, fx, fy);
    problem.constraint_vjp(x, r.theta, r.lambda, gx, gy);
    Vec th = r.theta - step * (fy + gy + (r.theta - y) / gamma1);
    problem.project_y(th);
    if (r.lambda.size()) {
      r.lambda += step * (problem.constraint(x, r.theta) - (r.lambda - z) / gamma2);
      project_multiplier(r.lambda, eq, inf);
    }
    r.theta = std::move(th);
  }
  const Vec g = r.lambda.size() ? problem.constraint(x, r.theta) : Vec();
  r.value = problem.lower(x, r.theta) + (r.lambda.size() ? r.lambda.dot(g) : 0.0) +
            (r.theta - y).squaredNorm() / (2 * gamma1) -
            (r.lambda.size() ? (r.lambda - z).squaredNorm() / (2 * gamma2) : 0.0);
  problem.lower_grad(x, r.theta, fx, fy);
  problem.constraint_vjp(x, r.theta, r.lambda, gx, gy);
  r.grad_x = fx + gx;
  r.grad_y = (y - r.theta) / gamma1;
  r.grad_z = (r.lambda - z) / gamma2;
  return r;
}

}  // namespace descent::bilevel
