#include "descent/surrogate/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/run.hpp"

namespace descent::surrogate {

BatchStream::BatchStream(Eigen::Index samples, std::size_t batch_size, std::uint64_t seed)
    : n_(samples), b_(batch_size), rng_(make_rng(seed, {0xba7c4})), pos_(0) {
  if (n_ < 1 || b_ < 1 || Eigen::Index(b_) > n_)
    throw Error("BatchStream: need 1 <= batch_size <= samples");
  perm_ = permutation(rng_, n_);
}

const std::vector<Eigen::Index>& BatchStream::next() {
  batch_.clear();
  while (batch_.size() < b_) {
    if (pos_ == perm_.size()) {
      perm_ = permutation(rng_, n_);
      pos_ = 0;
    }
    batch_.push_back(perm_[pos_++]);
  }
  return batch_;
}

void TrainOptions::validate() const {
  check::at_least("batch_size", static_cast<long long>(batch_size), 1);
  check::at_least("outer_steps", static_cast<long long>(outer_steps), 1);
  check::at_least("eval_every", static_cast<long long>(eval_every), 1);
  history.validate();
  check::require(std::isfinite(divergence_factor) && divergence_factor > 1, "divergence_factor",
                 "must be a finite number > 1, got " + check::show(divergence_factor));
}

double full_loss(const TargetModel& model, const TargetLoss& loss, const Eigen::VectorXd& theta) {
  // In chunks, so an MLP on 10k samples does not allocate one huge activation matrix.
  const Eigen::Index n = model.samples(), chunk = 2048;
  double total = 0;
  std::vector<Eigen::Index> rows;
  Eigen::MatrixXd z;
  for (Eigen::Index start = 0; start < n; start += chunk) {
    const Eigen::Index len = std::min(chunk, n - start);
    rows.resize(std::size_t(len));
    std::iota(rows.begin(), rows.end(), start);
    model.forward(theta, rows, z, nullptr);
    total += loss.value(z, rows) * double(len);
  }
  return total / double(n);
}

Summary train(Stepper& stepper, const TargetModel& model, const TargetLoss& loss,
              Eigen::VectorXd& theta, const TrainOptions& options, Callbacks callbacks) {
  options.validate();
  if (theta.size() != model.parameters())
    throw Error("train: theta has " + std::to_string(theta.size()) + " entries, the model " +
                std::to_string(model.parameters()));
  if (Eigen::Index(options.batch_size) > model.samples())
    throw InvalidOption("batch_size", "exceeds the number of samples");
  Run run(stepper.name(), std::size_t(theta.size()), options.outer_steps, options.history,
          callbacks);
  BatchStream batches(model.samples(), options.batch_size, options.seed);
  // A row's extras: the cost counters at that point, so curves can be drawn against them.
  Metric extras[6];
  const auto info_at = [&](std::size_t t, double f, double eta, double batch_loss) {
    const CostCounters& c = stepper.costs();
    extras[0] = {"expensive", double(c.expensive)};
    extras[1] = {"cheap", double(c.cheap())};
    extras[2] = {"loss_values", double(c.loss_values)};
    extras[3] = {"eta", eta};
    extras[4] = {"inner_steps", double(c.inner_steps)};
    extras[5] = {"batch_loss", batch_loss};
    IterationInfo info;
    info.iteration = t;
    info.objective = f;
    info.step_size = eta;
    info.extras = extras;
    return info;
  };
  double f = full_loss(model, loss, theta);
  const double blowup = options.divergence_factor * std::max(1.0, std::abs(f));
  run.start(info_at(0, f, 0.0, f));
  for (std::size_t t = 1; t <= options.outer_steps; ++t) {
    const OuterStep st = stepper.step(theta, batches.next());
    const bool bad = !std::isfinite(st.batch_loss) || !theta.allFinite();
    // The full loss is evaluated every eval_every steps, at the last and at a blow-up; only
    // then are there a row, callbacks and a divergence check.
    if (t % options.eval_every != 0 && t != options.outer_steps && !bad) continue;
    f = full_loss(model, loss, theta);
    const IterationInfo info = info_at(t, f, st.eta, st.batch_loss);
    if (!std::isfinite(f) || bad) {
      run.keep_final(info);
      run.end(Status::diverged, "the loss became non-finite at outer step " + std::to_string(t));
      break;
    }
    if (f > blowup) {
      run.keep_final(info);
      run.end(Status::diverged, "the loss grew to " + check::show(f) +
                                    " (more than divergence_factor x its start) at outer step " +
                                    std::to_string(t) + "; lower the step size");
      break;
    }
    if (run.record(info)) break;
  }
  run.end(Status::max_iterations, "ran " + std::to_string(run.iterations()) + " outer steps");
  const CostCounters& c = stepper.costs();
  Summary& s = run.summary();
  s.gradient_evaluations = c.expensive;
  s.function_evaluations = c.model_forward;
  s.counters = {{"expensive_evaluations", double(c.expensive)},
                {"cheap_evaluations", double(c.cheap())},
                {"model_forward", double(c.model_forward)},
                {"model_backward", double(c.model_backward)},
                {"loss_value_evaluations", double(c.loss_values)},
                {"inner_steps", double(c.inner_steps)}};
  return run.finish(f, std::numeric_limits<double>::quiet_NaN());
}

}  // namespace descent::surrogate
