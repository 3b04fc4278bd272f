#include "engine.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/parallel.hpp"
#include "descent/privacy/mechanism.hpp"

namespace descent::privacy {

void TrainingOptions::validate() const {
  check::at_least("rounds", static_cast<long long>(rounds), 1);
  budget.validate();
  check::require(divergence_factor > 1, "divergence_factor", "must be > 1");
  check::at_least("threads", threads, 1);
}

namespace detail {
namespace {
constexpr std::uint64_t kNoiseKey = 0x6e01'5e00ULL;
constexpr std::uint64_t kOutputKey = 0x0a7b'0000ULL;
constexpr std::uint64_t kCentralKey = 0xce07'0000ULL;  // not a worker index (those are < 2^31)
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

Engine::Engine(const WorkerSet& set, const TrainingOptions& options, std::string method)
    : set_(set), options_(options), comm_(set.comm ? set.comm : &serial_) {
  options.validate();
  if (set.workers < 1) throw InvalidOption("workers", "must be >= 1");
  range_ = dist::worker_range(set.workers, comm_->rank(), comm_->size());
  if (static_cast<int>(set.local.size()) != range_.count)
    throw Error(method + ": rank " + std::to_string(comm_->rank()) + " hosts " +
                std::to_string(range_.count) + " of " + std::to_string(set.workers) +
                " workers but was given " + std::to_string(set.local.size()) + " objectives");
  for (const auto* f : set.local) {
    if (f == nullptr) throw Error(method + ": null worker objective");
    if (d_ == 0) d_ = f->dimension();
    if (f->dimension() != d_) throw Error(method + ": workers disagree on the dimension");
    if (f->samples() < 1) throw Error(method + ": a worker has no records");
  }
  if (set.test && set.test->dimension() != d_)
    throw Error(method + ": the test objective has another dimension");
}

void Engine::for_each_local(const std::function<void(int)>& f) const {
  // Worker t takes the local records t, t + k, ...; an exception reaches the caller.
  parallel_strided(static_cast<std::size_t>(range_.count), options_.threads,
                   [&](std::size_t j) { f(static_cast<int>(j)); });
}

Rng Engine::noise_rng(int j, std::size_t round) const {
  return make_rng(options_.seed, {kNoiseKey, static_cast<std::uint64_t>(range_.first + j),
                                  static_cast<std::uint64_t>(round)});
}

void Engine::mean(const Eigen::MatrixXd& local, Eigen::VectorXd& out) {
  dist::ordered_mean(*comm_, set_.workers, range_, local, out);
}

void Engine::noisy_mean(Eigen::MatrixXd& messages, double noise_std, std::size_t round,
                        Eigen::VectorXd& out) {
  const bool central = options_.noise_model == NoiseModel::central;
  if (!central) {
    for (int j = 0; j < range_.count; ++j) {
      Rng rng = noise_rng(j, round);
      add_gaussian_noise(
          std::span<double>(messages.col(j).data(), static_cast<std::size_t>(messages.rows())),
          noise_std, rng);
    }
  }
  mean(messages, out);
  if (central) {
    Rng rng = make_rng(options_.seed, {kNoiseKey, kCentralKey, static_cast<std::uint64_t>(round)});
    add_gaussian_noise(std::span<double>(out.data(), static_cast<std::size_t>(out.size())),
                       noise_std, rng);
  }
}

double Engine::average_noise_scale() const noexcept {
  return options_.noise_model == NoiseModel::central ? 1.0 : 1.0 / std::sqrt(double(set_.workers));
}

Evaluation Engine::evaluate(const Eigen::VectorXd& x) {
  Eigen::MatrixXd cols(d_ + 1, range_.count);
  for_each_local([&](int j) {
    Eigen::VectorXd g;
    const double f = local(j).loss_and_gradient(x, g);
    cols.col(j).head(d_) = g;
    cols(d_, j) = f;
  });
  Eigen::VectorXd m;
  mean(cols, m);
  Evaluation e;
  e.train_loss = m[d_];
  e.grad_norm2 = m.head(d_).squaredNorm();
  e.test_loss = set_.test ? set_.test->loss(x) : kNaN;
  return e;
}

void Engine::warn(const std::string& message) const {
  if (options_.on_warning) {
    options_.on_warning(message);
  } else if (comm_->is_root()) {
    std::fprintf(stderr, "descent: warning: %s\n", message.c_str());
  }
}

IterationInfo Engine::info_for(std::size_t r, const Evaluation* e, double noise_std, double eps) {
  IterationInfo info;
  info.iteration = r;
  info.step_size = step_;
  // The same four columns every round (loggers write one header); a round without an
  // evaluation has NaN for the evaluated ones.
  if (e) {
    info.objective = e->train_loss;
    info.gradient_norm = std::sqrt(e->grad_norm2);
  }
  extras_[0] = {"grad_norm2", e ? e->grad_norm2 : kNaN};
  extras_[1] = {"test_loss", e ? e->test_loss : kNaN};
  extras_[2] = {"noise_std", noise_std};
  extras_[3] = {"epsilon", eps};
  info.extras = std::span<const Metric>(extras_, 4);
  return info;
}

void Engine::begin(Summary& s, Callbacks& callbacks, const Eigen::VectorXd& x0, double step_size) {
  if (x0.size() != d_)
    throw Error(s.method + ": x has " + std::to_string(x0.size()) + " entries but the model has " +
                std::to_string(d_) + " parameters");
  step_ = step_size;
  double local_n = std::numeric_limits<double>::infinity();
  for (const auto* f : set_.local) local_n = std::min(local_n, double(f->samples()));
  n_ = dist::global_min(*comm_, local_n);
  if (options_.output == OutputIterate::uniform) {
    Rng rng = make_rng(options_.seed, {kOutputKey});
    std::uniform_int_distribution<std::size_t> pick(0, options_.rounds - 1);
    output_round_ = pick(rng);
  }
  // History rows are the evaluated rounds: every eval_every-th (all but 0 and R when 0).
  const std::size_t stride = options_.eval_every > 0 ? options_.eval_every : options_.rounds;
  run_.emplace(s.method, static_cast<std::size_t>(d_), options_.rounds,
               HistoryOptions{options_.record_history, stride},
               comm_->is_root() ? callbacks : none_);
  last_ = evaluate(x0);
  blowup_ = options_.divergence_factor * std::max(1.0, last_.train_loss);
  run_->start(info_for(0, &last_, 0.0, 0.0));
  if (options_.output == OutputIterate::uniform && output_round_ == 0) {
    output_ = x0;
    have_output_ = true;
  }
  s.status = Status::max_iterations;
}

bool Engine::end_round(std::size_t r, const Eigen::VectorXd& x, double noise_std,
                       double epsilon_so_far, Summary& s) {
  s.iterations = r;
  run_->summary().iterations = r;
  last_noise_ = noise_std;
  last_eps_ = epsilon_so_far;
  if (!x.allFinite()) {
    run_->keep_final(info_for(r, nullptr, noise_std, epsilon_so_far));
    run_->end(Status::diverged, "the iterate became non-finite in round " + std::to_string(r));
    return true;
  }
  if (options_.output == OutputIterate::uniform && r == output_round_) {
    output_ = x;
    have_output_ = true;
  }
  const bool eval =
      (options_.eval_every > 0 && r % options_.eval_every == 0) || r == options_.rounds;
  if (eval) {
    last_ = evaluate(x);
    evaluated_round_ = r;
    if (!std::isfinite(last_.train_loss) || last_.train_loss > blowup_) {
      run_->keep_final(info_for(r, &last_, noise_std, epsilon_so_far));
      run_->end(Status::diverged, "train loss " + check::show(last_.train_loss) + " in round " +
                                      std::to_string(r) +
                                      " exceeds divergence_factor * max(1, f(x0))");
      return true;
    }
  }
  double stop =
      run_->record(info_for(r, eval ? &last_ : nullptr, noise_std, epsilon_so_far)) ? 1 : 0;
  comm_->broadcast(std::span<double>(&stop, 1));
  if (stop != 0) {
    run_->end(Status::stopped, "stopped by rank 0");  // rank 0's Run has its callback's reason
    return true;
  }
  return false;
}

void Engine::finish(Summary& s, Eigen::VectorXd& x, const Spent& spent) {
  const std::size_t r = run_->summary().iterations;
  // A run stopped between evaluations: its last row and the Summary describe the final iterate.
  if (r > 0 && r != evaluated_round_ && x.allFinite()) {
    last_ = evaluate(x);
    evaluated_round_ = r;
    run_->keep_final(info_for(r, &last_, last_noise_, last_eps_));
  }
  if (!run_->ended())
    run_->end(Status::max_iterations, "ran all " + std::to_string(options_.rounds) + " rounds");
  Summary& out = run_->summary();
  if (options_.output == OutputIterate::uniform && have_output_ && out.status != Status::diverged)
    x = output_;
  char buf[160];
  std::snprintf(buf, sizeof buf, "; spent epsilon = %.6g at delta = %.3g (%s, %s conversion%s)",
                spent.epsilon, options_.budget.delta,
                std::string(to_string(options_.budget.adjacency)).c_str(),
                std::string(to_string(options_.budget.conversion)).c_str(),
                options_.noise_model == NoiseModel::central ? ", central noise" : "");
  out.message += buf;
  out.gradient_evaluations = out.iterations;
  for (const auto& [k, v] : s.counters) out.counters[k] = v;
  auto& c = out.counters;
  c["epsilon"] = spent.epsilon;
  c["epsilon_target"] = options_.budget.epsilon;
  c["delta"] = options_.budget.delta;
  c["rho"] = spent.rho;
  c["n"] = n_;
  c["workers"] = set_.workers;
  c["dimension"] = static_cast<double>(d_);
  c["rounds"] = static_cast<double>(out.iterations);
  c["train_loss"] = last_.train_loss;
  c["test_loss"] = last_.test_loss;
  c["grad_norm2"] = last_.grad_norm2;
  c["adjacency_replace_one"] = options_.budget.adjacency == Adjacency::replace_one ? 1 : 0;
  c["noise_central"] = options_.noise_model == NoiseModel::central ? 1 : 0;
  c["privacy_n"] = privacy_n();
  if (options_.output == OutputIterate::uniform) c["output_round"] = double(output_round_);
  s = run_->finish(last_.train_loss, std::sqrt(last_.grad_norm2));
}

}  // namespace detail
}  // namespace descent::privacy
