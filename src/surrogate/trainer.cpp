#include "descent/surrogate/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/timer.hpp"

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

namespace {
HistoryRow row(std::size_t t, double f, double seconds, const CostCounters& c, double eta,
               double batch_loss) {
  HistoryRow r;
  r.iteration = t;
  r.objective = f;
  r.seconds = seconds;
  r.step_size = eta;
  r.extras = {{"expensive", double(c.expensive)},     {"cheap", double(c.cheap())},
              {"loss_values", double(c.loss_values)}, {"eta", eta},
              {"inner_steps", double(c.inner_steps)}, {"batch_loss", batch_loss}};
  return r;
}
}  // namespace

Summary train(Stepper& stepper, const TargetModel& model, const TargetLoss& loss,
              Eigen::VectorXd& theta, const TrainOptions& options, Callbacks callbacks) {
  options.validate();
  if (theta.size() != model.parameters())
    throw Error("train: theta has " + std::to_string(theta.size()) + " entries, the model " +
                std::to_string(model.parameters()));
  if (Eigen::Index(options.batch_size) > model.samples())
    throw InvalidOption("batch_size", "exceeds the number of samples");
  Summary s;
  s.method = stepper.name();
  s.status = Status::max_iterations;
  Stopwatch clock;
  callbacks.begin({s.method, std::size_t(theta.size()), options.outer_steps});
  BatchStream batches(model.samples(), options.batch_size, options.seed);
  double f = full_loss(model, loss, theta);
  const double blowup = options.divergence_factor * std::max(1.0, std::abs(f));
  s.history.push_back(row(0, f, 0.0, stepper.costs(), 0.0, f));
  for (std::size_t t = 1; t <= options.outer_steps; ++t) {
    const OuterStep st = stepper.step(theta, batches.next());
    s.iterations = t;
    const bool last = t == options.outer_steps;
    const bool bad = !std::isfinite(st.batch_loss) || !theta.allFinite();
    if (t % options.eval_every == 0 || last || bad) {
      f = full_loss(model, loss, theta);
      s.history.push_back(row(t, f, clock.seconds(), stepper.costs(), st.eta, st.batch_loss));
      IterationInfo info;
      info.iteration = t;
      info.objective = f;
      info.step_size = st.eta;
      info.seconds = clock.seconds();
      if (!std::isfinite(f) || bad) {
        s.status = Status::diverged;
        s.message = "the loss became non-finite at outer step " + std::to_string(t);
        break;
      }
      if (f > blowup) {
        s.status = Status::diverged;
        s.message = "the loss grew to " + check::show(f) + " (more than divergence_factor x " +
                    "its start) at outer step " + std::to_string(t) + "; lower the step size";
        break;
      }
      if (callbacks.iteration(info)) {
        s.status = Status::stopped;
        s.message = callbacks.stop_reason();
        break;
      }
    }
  }
  if (s.status == Status::max_iterations)
    s.message = "ran " + std::to_string(options.outer_steps) + " outer steps";
  const CostCounters& c = stepper.costs();
  s.objective = f;
  s.seconds = clock.seconds();
  s.gradient_evaluations = c.expensive;
  s.function_evaluations = c.model_forward;
  s.counters = {{"expensive_evaluations", double(c.expensive)},
                {"cheap_evaluations", double(c.cheap())},
                {"model_forward", double(c.model_forward)},
                {"model_backward", double(c.model_backward)},
                {"loss_value_evaluations", double(c.loss_values)},
                {"inner_steps", double(c.inner_steps)}};
  callbacks.end(s);
  return s;
}

}  // namespace descent::surrogate
