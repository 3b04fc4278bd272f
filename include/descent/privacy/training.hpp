// What DP-GD and DIFF2 share: the data-parallel problem seen by one process, and the options of
// a private training run.
//
// P workers each hold n private records. A process hosts a contiguous block of workers (all P in
// the simulated mode, one per rank under `mpirun -np P`); every per-round message is reduced in
// worker order by descent::dist, and worker w's noise in round r comes from the stream
// (seed, w, r), so the iterates are bit-identical for any number of ranks.
//
// Privacy semantics (docs/privacy.md): each worker's data set is (epsilon, delta)-DP with respect
// to everything that worker sends (its noisy messages, hence every iterate), under the stated
// adjacency. The diagnostics recorded every `eval_every` rounds (train loss, |grad f|^2 on the
// private data) are NOT covered: they exist to reproduce papers. Set eval_every = 0 and ignore
// them when releasing a model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "descent/dist/communicator.hpp"
#include "descent/privacy/accountant.hpp"
#include "descent/privacy/objective.hpp"

namespace descent::privacy {

/// The workers this process hosts, out of `workers` in total.
struct WorkerSet {
  /// nullptr: a serial communicator (all workers simulated in this process).
  dist::Communicator* comm = nullptr;
  int workers = 1;  ///< P >= 1
  /// This rank's workers in worker order; their count must be dist::worker_range(P, rank,
  /// size).count. Every worker must have the same dimension; n is the smallest sample count.
  std::vector<const PrivateObjective*> local;
  /// Optional held-out set, evaluated where present (the reported value is rank 0's).
  const PrivateObjective* test = nullptr;
};

/// Which iterate a run returns.
enum class OutputIterate {
  last,     ///< x_R (what practitioners use; default)
  uniform,  ///< x_{r_hat}, r_hat ~ Uniform{0..R-1} from stream (seed, "output") (the theory's)
};

/// Who adds the noise: the trust model (docs/privacy.md, "Local or central noise").
enum class NoiseModel {
  /// Every worker adds N(0, (sigma C)^2 I) to its own message (the spec's model): each worker's
  /// records are (epsilon, delta)-DP against everyone else, the server included. The average
  /// carries noise of std sigma C / sqrt(P).
  local,
  /// A trusted server adds N(0, (sigma C)^2 I) once to the average of the workers' clipped
  /// means (central DP over the pooled data, as the DIFF2 paper's experiments do): every record
  /// is (epsilon, delta)-DP against whoever sees the iterates, with sensitivity 2C / (P n) for
  /// replace-one. At equal epsilon the average carries 1/sqrt(P) of local's noise.
  central,
};

/// Options common to DP-GD and DIFF2.
struct TrainingOptions {
  std::size_t rounds = 300;  ///< R >= 1
  PrivacyBudget budget;      ///< target (epsilon, delta), adjacency and conversion
  std::uint64_t seed = 0;    ///< noise streams are keyed (seed, worker, round)
  /// Evaluate train loss, |grad f|^2 and test loss every k rounds (also at rounds 0 and R);
  /// 0 = only at rounds 0 and R. Diagnostics only: not covered by epsilon.
  std::size_t eval_every = 10;
  bool record_history = true;  ///< keep the evaluated rows in Summary::history
  /// Diverged when the train loss exceeds divergence_factor * max(1, f(x0)) or x turns non-finite.
  double divergence_factor = 1e3;
  OutputIterate output = OutputIterate::last;
  NoiseModel noise_model = NoiseModel::local;  ///< who adds the noise (see NoiseModel)
  int threads = 1;  ///< compute this process's workers on up to this many threads (>= 1)
  /// Receives warnings (e.g. the stability guard in warn mode); default: stderr, rank 0 only.
  std::function<void(const std::string&)> on_warning;

  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("rounds", rounds, "R, the number of rounds");
    budget.fields(f);
    f("seed", seed, "noise streams (seed, worker, round)");
    f("eval_every", eval_every, "evaluate every k rounds; 0 = rounds 0 and R only");
    f("record_history", record_history, "keep the evaluated rows");
    f("divergence_factor", divergence_factor, "diverged when the loss exceeds this times f(x0)");
    f.choice("output", output, {{"last", OutputIterate::last}, {"uniform", OutputIterate::uniform}},
             "the returned iterate");
    f.choice("noise_model", noise_model,
             {{"local", NoiseModel::local}, {"central", NoiseModel::central}},
             "local: every worker adds noise; central: the server adds it once to the average");
    f("threads", threads, "threads for this process's workers");
  }
};

/// Counters every private run records in Summary::counters:
///   epsilon (spent, over the rounds that ran), epsilon_target, delta, rho, n, workers,
///   dimension, rounds, train_loss, test_loss (NaN without a test set), grad_norm2,
///   adjacency_replace_one (1 or 0), noise_central (1 or 0), privacy_n (the record count the
///   accountant uses: n, or n P for central noise), noise_std_average (the std of the noise in
///   the averaged update of a DP-GD round or a DIFF2 restart), and the method's noise multipliers
///   (sigma or sigma1/sigma2).

}  // namespace descent::privacy
