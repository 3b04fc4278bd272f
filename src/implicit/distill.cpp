// Dataset distillation with implicit hypergradients.
#include "descent/implicit/distill.hpp"

#include <cmath>
#include <limits>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/rng.hpp"
#include "descent/core/run.hpp"
#include "descent/implicit/inner.hpp"
#include "descent/implicit/objectives.hpp"

namespace descent::implicit {

void DistillOptions::validate() const {
  check::at_least("images_per_class", images_per_class, 1);
  check::positive("lambda", lambda);
  check::positive("init_scale", init_scale);
  check::positive("initial_step", initial_step);
  check::at_least("random_draws", static_cast<long long>(random_draws), 1);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

namespace {

// Trains softmax regression on (images, labels) and returns W.
Vec train(const Mat& images, const Eigen::VectorXi& labels, int k, double lambda, Vec w) {
  const SmoothObjective f = softmax_regression(images, labels, k, Reg::direct);
  solve_newton_cg(f, w, Vec::Constant(1, lambda), {1e-10, 100});
  return w;
}

}  // namespace

DistillResult distill(const Mat& xt, const Eigen::VectorXi& yt, const Mat& xs,
                      const Eigen::VectorXi& ys, int k, const DistillOptions& o,
                      Callbacks callbacks) {
  o.validate();
  if (xt.rows() != yt.size() || xs.rows() != ys.size() || xt.cols() != xs.cols())
    throw Error("distill: train/test shapes do not match");
  if (k < 2) throw InvalidOption("classes", "must be >= 2");
  const Eigen::Index p = xt.cols(), m = static_cast<Eigen::Index>(k) * o.images_per_class;
  Run run("distill-implicit", std::size_t(m * p), o.outer_steps,
          {o.record_history, o.history_stride}, callbacks);
  DistillResult r;
  r.labels.resize(m);
  for (Eigen::Index i = 0; i < m; ++i) r.labels[i] = static_cast<int>(i % k);
  Rng rng = make_rng(o.seed, {0xD157ULL});
  Vec theta = o.init_scale * normal_vector(rng, m * p);
  const SmoothObjective inner = softmax_regression_on_data(r.labels, k, p, o.lambda);
  const Optimality f = stationarity(inner);
  LinearSolveOptions lo;
  lo.solver = SolverKind::cg;
  lo.tolerance = 1e-10;
  Vec w = Vec::Zero(p * k);
  const auto solve_inner = [&](const Vec& th, Vec start) {
    solve_newton_cg(inner, start, th, {1e-10, 100});
    return start;
  };
  const auto outer_loss = [&](const Vec& wv, Vec* g) { return softmax_loss(xt, yt, wv, k, g); };
  w = solve_inner(theta, w);
  Vec gw;
  double loss = outer_loss(w, &gw);
  double step = o.initial_step;
  run.start(loss, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t it = 0; it < o.outer_steps; ++it) {
    r.outer_loss.push_back(loss);
    const VjpResult hg = root_vjp(f, w, theta, gw, lo);
    const Vec g = hg.value;
    if (!g.allFinite()) {
      run.end(Status::diverged, "non-finite hypergradient");
      break;
    }
    // Armijo backtracking on the outer loss; try a larger step first.
    step *= 2;
    bool accepted = false;
    for (int ls = 0; ls < 30; ++ls, step *= 0.5) {
      const Vec trial = theta - step * g;
      const Vec wt = solve_inner(trial, w);
      Vec gt;
      const double lt = outer_loss(wt, &gt);
      if (std::isfinite(lt) && lt <= loss - 1e-4 * step * g.squaredNorm()) {
        theta = trial;
        w = wt;
        loss = lt;
        gw = gt;
        accepted = true;
        break;
      }
    }
    IterationInfo info;
    info.iteration = it + 1;
    info.objective = loss;
    info.gradient_norm = g.norm();
    info.step_size = accepted ? step : 0.0;
    if (!accepted) {
      run.keep_final(info);
      run.summary().iterations = it + 1;
      run.end(Status::stalled, "outer line search failed");
      break;
    }
    if (run.record(info)) break;
  }
  // No convergence test: the step budget is the stopping rule, so a full run is
  // max_iterations (it used to say "converged").
  run.end(Status::max_iterations,
          "ran " + std::to_string(o.outer_steps) + " outer steps (the budget)");
  r.outer_loss.push_back(loss);
  r.images = Eigen::Map<const Mat>(theta.data(), m, p);
  r.acc_distilled =
      softmax_accuracy(xs, ys, train(r.images, r.labels, k, o.lambda, Vec::Zero(p * k)), k);
  // Baseline: random real training images, one per class (images_per_class per class).
  std::vector<std::vector<Eigen::Index>> by_class(k);
  for (Eigen::Index i = 0; i < yt.size(); ++i) by_class[yt[i]].push_back(i);
  for (int c = 0; c < k; ++c)
    if (by_class[c].empty()) throw Error("distill: class " + std::to_string(c) + " has no images");
  std::vector<double> accs;
  for (std::size_t d = 0; d < o.random_draws; ++d) {
    Mat real(m, p);
    for (Eigen::Index i = 0; i < m; ++i) {
      const auto& pool = by_class[r.labels[i]];
      std::uniform_int_distribution<std::size_t> pick(0, pool.size() - 1);
      real.row(i) = xt.row(pool[pick(rng)]);
    }
    accs.push_back(
        softmax_accuracy(xs, ys, train(real, r.labels, k, o.lambda, Vec::Zero(p * k)), k));
  }
  const Eigen::Map<const Vec> a(accs.data(), static_cast<Eigen::Index>(accs.size()));
  r.acc_random_real = a.mean();
  r.acc_random_real_best = a.maxCoeff();
  r.acc_random_real_std = std::sqrt((a.array() - a.mean()).square().mean());
  r.summary = run.finish(loss, std::numeric_limits<double>::quiet_NaN());
  return r;
}

}  // namespace descent::implicit
