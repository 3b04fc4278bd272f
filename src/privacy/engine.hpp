// Private: the round loop machinery DP-GD and DIFF2 share (worker threads, ordered reductions,
// diagnostics, divergence, the privacy counters). The bookkeeping (clock, history with the
// last row kept, callbacks and their stop) is a descent::Run; callbacks run on rank 0 only, and
// its stop is broadcast.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/rng.hpp"
#include "descent/core/run.hpp"
#include "descent/dist/communicator.hpp"
#include "descent/privacy/accountant.hpp"
#include "descent/privacy/training.hpp"

namespace descent::privacy::detail {

struct Evaluation {
  double train_loss = 0;
  double grad_norm2 = 0;
  double test_loss = 0;
};

class Engine {
 public:
  /// Validates the worker set against the communicator; does not communicate.
  Engine(const WorkerSet& set, const TrainingOptions& options, std::string method);

  dist::Communicator& comm() noexcept { return *comm_; }
  Eigen::Index dimension() const noexcept { return d_; }
  /// n: the smallest local data set over all workers (needs one collective; set in begin()).
  double n() const noexcept { return n_; }
  int workers() const noexcept { return set_.workers; }
  int local_count() const noexcept { return range_.count; }
  const PrivateObjective& local(int j) const { return *set_.local[static_cast<std::size_t>(j)]; }

  /// Calls f(j) for every local worker j, on up to options.threads threads; each j writes only
  /// its own outputs, so the result does not depend on the thread count.
  void for_each_local(const std::function<void(int)>& f) const;
  /// The noise stream of local worker j in round r: (seed, "noise", worker, round).
  Rng noise_rng(int j, std::size_t round) const;
  /// Ordered mean over all workers of the columns of `local` (d' x local_count).
  void mean(const Eigen::MatrixXd& local, Eigen::VectorXd& out);
  /// The released average of round r: local noise adds N(0, noise_std^2) to every worker's
  /// column of `messages` (stream (seed, worker, r)) before the ordered mean; central noise adds
  /// it once to the mean, from a stream (seed, "central", r) that every rank draws alike.
  void noisy_mean(Eigen::MatrixXd& messages, double noise_std, std::size_t round,
                  Eigen::VectorXd& out);
  /// The record count the accountant uses: n for local noise, n P for central noise (a record
  /// moves the average of P clipped means by 1/P of what it moves its own worker's).
  double privacy_n() const noexcept {
    return options_.noise_model == NoiseModel::central ? n_ * set_.workers : n_;
  }
  /// The std of the noise in the average per unit of a worker's noise_std: 1/sqrt(P) or 1.
  double average_noise_scale() const noexcept;
  /// P for local noise (independent noises average out), 1 for central (the stability guard's).
  int noise_sources() const noexcept {
    return options_.noise_model == NoiseModel::central ? 1 : set_.workers;
  }
  Evaluation evaluate(const Eigen::VectorXd& x);
  void warn(const std::string& message) const;

  /// Finds n (collective), evaluates x0, starts the Run (callbacks.begin on rank 0) with row 0.
  /// `callbacks` must outlive the engine.
  void begin(Summary& s, Callbacks& callbacks, const Eigen::VectorXd& x0, double step_size);
  /// Bookkeeping after round r: divergence, diagnostics, history, callbacks (rank 0 decides a
  /// stop and broadcasts it); s.iterations = r. Returns true if the loop must end.
  bool end_round(std::size_t r, const Eigen::VectorXd& x, double noise_std, double epsilon_so_far,
                 Summary& s);
  /// Evaluates a final iterate that no round evaluated (a stop between evaluations), so that
  /// the last history row and the Summary describe it; then status, message and counters (the
  /// caller's s.counters are kept); x becomes the output iterate and s the run's Summary.
  void finish(Summary& s, Eigen::VectorXd& x, const Spent& spent);

 private:
  IterationInfo info_for(std::size_t r, const Evaluation* e, double noise_std, double eps);

  const WorkerSet& set_;
  const TrainingOptions& options_;
  dist::SerialCommunicator serial_;
  dist::Communicator* comm_;
  dist::WorkerRange range_;
  Eigen::Index d_ = 0;
  double n_ = 0;
  double step_ = 0;
  double blowup_ = 0;
  Evaluation last_;
  bool have_output_ = false;
  std::size_t output_round_ = 0;
  Eigen::VectorXd output_;
  Callbacks none_;  // the Run's callbacks on ranks other than 0
  std::optional<Run> run_;
  std::size_t evaluated_round_ = 0;  // the last round with an evaluation
  double last_noise_ = 0, last_eps_ = 0;
  Metric extras_[4];  // storage for IterationInfo::extras
};

}  // namespace descent::privacy::detail
