#include "descent/bilevel/borep.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "descent/bilevel/estimators.hpp"
#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/run.hpp"

namespace descent::bilevel {

void BoRepOptions::validate() const {
  check::positive("eta", eta);
  check::in_half_open("beta", beta, 0.0, 1.0);
  check::positive("nu", nu);
  check::positive("lower_step", lower_step);
  check::at_least("update_period", static_cast<long long>(update_period), 1);
  check::at_least("lower_steps", static_cast<long long>(lower_steps), 1);
  check::require(z_radius > 0, "z_radius", "must be > 0");
  check::positive("refine_step", refine_step);
  check::at_least("refine_epoch_length", static_cast<long long>(refine_epoch_length), 1);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::non_negative("gradient_tolerance", gradient_tolerance);
  check::positive("divergence_threshold", divergence_threshold);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

BoRepOptions soba_options(double step, double lower_step) {
  BoRepOptions o;
  o.eta = step;
  o.beta = 0.0;
  o.normalized = false;
  o.update_period = 1;
  o.lower_steps = 1;
  o.lower_step = lower_step;
  o.nu = lower_step;
  return o;
}

BoRepState BoRepState::start(const BilevelProblem& problem, Vec x0, Vec y0) {
  if (x0.size() != problem.dim_x() || y0.size() != problem.dim_y())
    throw Error("BoRepState::start: x0/y0 sizes do not match the problem");
  BoRepState s;
  s.x = std::move(x0);
  s.y = std::move(y0);
  s.z = Vec::Zero(problem.dim_y());
  s.m = Vec::Zero(problem.dim_x());
  return s;
}

Vec epoch_sgd(BilevelProblem& problem, const Vec& x, Vec y, double step, std::size_t length,
              std::size_t epochs, Rng& rng, std::vector<std::size_t>* lengths,
              std::vector<double>* steps) {
  Vec g, avg = y;
  for (std::size_t e = 0; e < epochs; ++e) {
    if (lengths) lengths->push_back(length);
    if (steps) steps->push_back(step);
    avg.setZero();
    for (std::size_t j = 0; j < length; ++j) {
      problem.sample(rng);
      problem.lower_grad_y(x, y, g);
      y -= step * g;
      avg += y;
    }
    y = avg / double(length);  // the next epoch starts from this epoch's average
    step *= 0.5;
    length *= 2;
  }
  return y;
}

Summary minimize_borep(BilevelProblem& problem, BoRepState& s, const BoRepOptions& o,
                       Callbacks callbacks) {
  o.validate();
  if (s.x.size() != problem.dim_x() || s.y.size() != problem.dim_y() ||
      s.z.size() != problem.dim_y() || s.m.size() != problem.dim_x())
    throw Error("minimize_borep: state sizes do not match the problem (use BoRepState::start)");
  Run run(o.normalized ? "borep" : (o.beta == 0 ? "soba" : "unnormalized-momentum"),
          static_cast<std::size_t>(s.x.size()), o.max_iterations,
          {o.record_history, o.history_stride}, callbacks);
  Summary& summary = run.summary();
  Rng rng = make_rng(o.seed, {0xB0BE9});

  std::size_t lower_updates = 0, lower_steps = 0, hvps = 0;
  if (o.refine_epochs > 0) {
    s.y = epoch_sgd(problem, s.x, s.y, o.refine_step, o.refine_epoch_length, o.refine_epochs, rng);
    lower_steps += o.refine_epoch_length * ((std::size_t(1) << o.refine_epochs) - 1);
  }
  Vec gy, hz, fx, fy, jz, ghat, truth;
  double min_true = std::numeric_limits<double>::infinity();
  double gnorm = std::nan(""), fval = std::nan("");
  const bool has_truth = problem.true_hypergradient(s.x, truth);
  Metric extras[] = {{"estimate_norm", 0.0}, {"z_norm", 0.0}};
  // The row of iteration t (built only when the Run wants it: upper() costs a pass over data).
  auto row = [&](std::size_t t) {
    fval = problem.upper(s.x, s.y);
    extras[0].value = ghat.norm();
    extras[1].value = s.z.norm();
    IterationInfo info;
    info.iteration = t;
    info.objective = fval;
    info.gradient_norm = gnorm;
    info.step_size = o.eta;
    info.x = std::span<const double>(s.x.data(), static_cast<std::size_t>(s.x.size()));
    info.extras = extras;
    return info;
  };

  for (std::size_t t = 0; t < o.max_iterations; ++t) {
    if (t % o.update_period == 0) {  // periodic LL update: N SGD steps
      for (std::size_t j = 0; j < o.lower_steps; ++j) {
        problem.sample(rng);
        problem.lower_grad_y(s.x, s.y, gy);
        s.y -= o.lower_step * gy;
      }
      ++lower_updates;
      lower_steps += o.lower_steps;
    }
    problem.sample(rng);
    problem.lower_hvp_yy(s.x, s.y, s.z, hz);
    problem.upper_grad(s.x, s.y, fx, fy);
    s.z -= o.nu * (hz - fy);
    project_ball(s.z, o.z_radius);
    ++hvps;
    problem.sample(rng);  // an independent sample for the cross term
    problem.upper_grad(s.x, s.y, fx, fy);
    problem.lower_jvp_xy(s.x, s.y, s.z, jz);
    ghat = fx - jz;
    s.m = o.beta * s.m + (1.0 - o.beta) * ghat;
    if (o.normalized)
      normalized_step(s.x, s.m, o.eta);
    else
      s.x -= o.eta * s.m;
    summary.iterations = t + 1;
    summary.gradient_evaluations += 2;

    if (!all_finite(s.x, o.divergence_threshold) || !all_finite(s.y, o.divergence_threshold) ||
        !all_finite(s.z, o.divergence_threshold) || !all_finite(s.m, o.divergence_threshold)) {
      run.end(Status::diverged, "iterates overflowed or became non-finite at iteration " +
                                    std::to_string(t + 1) +
                                    "; reduce eta (or use normalized steps)");
      break;
    }
    gnorm = ghat.norm();
    if (has_truth) {
      problem.true_hypergradient(s.x, truth);
      gnorm = truth.norm();
      if (!std::isfinite(gnorm)) {
        run.end(Status::diverged, "hypergradient overflowed at iteration " + std::to_string(t + 1));
        break;
      }
      min_true = std::min(min_true, gnorm);
      if (o.gradient_tolerance > 0 && gnorm <= o.gradient_tolerance)
        run.end(Status::converged, "|grad Phi| = " + check::show(gnorm) + " <= gradient_tolerance");
    }
    if ((run.wants(t + 1) || (run.ended() && run.keeps_history())) && run.record(row(t + 1))) break;
    if (run.ended()) break;
  }
  const bool diverged = run.ended() && summary.status == Status::diverged;
  if (!diverged && summary.iterations > 0 && run.keeps_history())
    run.keep_final(row(summary.iterations));
  summary.counters["lower_updates"] = double(lower_updates);
  summary.counters["lower_steps"] = double(lower_steps);
  summary.counters["hvp"] = double(hvps);
  if (has_truth) summary.counters["min_true_gradient_norm"] = min_true;
  return run.finish(diverged ? std::nan("") : problem.upper(s.x, s.y), gnorm);
}

}  // namespace descent::bilevel
