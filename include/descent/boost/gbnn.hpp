// GBNN: gradient boosting with one-hidden-layer networks as weak learners, merged into one network.
//
// Emami & Martínez-Muñoz, "Sequential Training of Neural Networks with Gradient Boosting",
// IEEE Access 11 (2023), arXiv 1909.12098; official code GAA-UAM/GBNN (LGPL, not copied: this is
// written from the equations in ../shared/papers/nn_training_methods.md §3.1).
//
//   F₀ = the loss-minimising constant; for t = 1..T (T = total_units / units_per_round):
//     r = −∂L/∂F at the current F (all rows)
//     h_t = an MLP with `units_per_round` logistic units fitted by L-BFGS to r on a subsample
//           of ⌊subsample·n⌋ rows drawn without replacement
//     ρ_t = eta · (Newton step along h_t(X), on all rows);   F ← F + ρ_t h_t(X)
//
// Losses (y the class index; K outputs for multiclass, one otherwise):
//   regression  L = ½(y − F)²,  F₀ = mean y,  r = y − F,  step Σ r f / Σ f² (regression_step
//               newton, the default) or 1 (unit, the official code's: the Newton step when f
//               fits r on all rows; with subsampling f is fitted on half the rows, and on the
//               other half a sharp logistic unit can be far off, which a unit step adds in full:
//               diabetes with a z-scored target, 5-fold CV, RMSE 7.2 target-stds with unit
//               steps vs 0.75 with Newton steps — see docs/boost.md).
//   binary      y± = ±1,  L = log(1 + e^{−2y±F}),  F₀ = ½ log((1 + ȳ±)/(1 − ȳ±)),
//               r = 2y±/(1 + e^{2y±F}),  step Σ r f / Σ |r|(2 − |r|) f²,  P(y = 1) = σ(2F).
//   multiclass  L = −Σ_k Y_k F_k + logsumexp F,  F₀ = log class priors (centred; the official
//               code uses 0, the minimiser only for balanced classes),  r = Y − softmax F,
//               one scalar step Σ f r / Σ f² p(1 − p) over rows and outputs.
//
// Options and defaults (the official GNEGNE defaults; weak learners use sklearn MLPRegressor's):
//   total_units      200    hidden units of the merged network (T·J)
//   units_per_round  1      J, units of each weak learner; must divide total_units
//   eta              1.0    shrinkage ρ_t = eta · Newton step, > 0
//   subsample        0.5    fraction of rows per round, in (0, 1]
//   activation       logistic
//   alpha            1e-4   weak learner's L2 penalty
//   max_iter         200    weak learner's L-BFGS iterations
//   max_fun          15000  weak learner's objective evaluations
//   tol              0      weak learner's gradient tolerance (GBNN disables it)
//   regression_step  newton  newton or unit (the official code's ρ = eta), regression only
//   seed             0      subsamples and initial weights
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "descent/boost/mlp.hpp"
#include "descent/core/status.hpp"

namespace descent::boost {

enum class Task { regression, binary, multiclass };
std::string_view to_string(Task t) noexcept;
/// "regress"/"regression", "binary", "multiclass"; throws InvalidOption("task", ...).
Task task_from_string(std::string_view name);

enum class RegressionStep { newton, unit };
std::string_view to_string(RegressionStep s) noexcept;
/// "newton", "unit"; throws InvalidOption("regression_step", ...).
RegressionStep regression_step_from_string(std::string_view name);

struct GbnnOptions {
  int total_units = 200;
  int units_per_round = 1;
  double eta = 1.0;
  double subsample = 0.5;
  Activation activation = Activation::logistic;
  double alpha = 1e-4;
  int max_iter = 200;
  int max_fun = 15000;
  double tol = 0.0;
  RegressionStep regression_step = RegressionStep::newton;
  std::uint64_t seed = 0;

  int rounds() const noexcept { return units_per_round > 0 ? total_units / units_per_round : 0; }
  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
};

// ---- The losses of §3.1, on raw scores F (n × outputs) and targets y (class index or value).
/// One row per label: 1 in the column of the class index y_i, 0 elsewhere.
Eigen::MatrixXd one_hot(const Eigen::VectorXd& y, Eigen::Index classes);
/// Outputs of the raw score: K for multiclass, 1 otherwise.
Eigen::Index score_columns(Task task, int classes);
/// The loss-minimising constant F₀ (1 × outputs).
Eigen::RowVectorXd initial_score(Task task, const Eigen::VectorXd& y, int classes);
/// The negative gradient −∂L/∂F (n × outputs).
Eigen::MatrixXd pseudo_residual(Task task, const Eigen::VectorXd& y, const Eigen::MatrixXd& f);
/// The Newton step along the learner's output h (same shape as F), before shrinkage; for
/// regression Σ r h / Σ h² (GbnnOptions::regression_step decides whether fit() uses it).
double newton_step(Task task, const Eigen::VectorXd& y, const Eigen::MatrixXd& f,
                   const Eigen::MatrixXd& h);
/// The mean loss over the rows.
double mean_loss(Task task, const Eigen::VectorXd& y, const Eigen::MatrixXd& f);

/// What fit() reports after each round; return false to stop early.
struct RoundInfo {
  int round = 0;             ///< 1-based
  int rounds = 0;            ///< planned
  double rho = 0.0;          ///< ρ_t (with shrinkage)
  double train_loss = 0.0;   ///< mean loss on all training rows after the round
  double seconds = 0.0;      ///< since fit() began
  int lbfgs_iterations = 0;  ///< of this round's weak learner
};
using RoundCallback = std::function<bool(const RoundInfo&)>;

class Gbnn {
 public:
  /// Fits on rows x with targets y (class index 0..classes−1, or values for regression).
  /// Throws descent::Error for shape mismatches, labels out of range, a binary set with one
  /// class, or non-finite inputs; InvalidOption for bad options.
  static Gbnn fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, Task task, int classes,
                  const GbnnOptions& options, const RoundCallback& on_round = {});

  Task task() const noexcept { return task_; }
  int classes() const noexcept { return classes_; }
  Eigen::Index inputs() const noexcept { return inputs_; }
  int rounds() const noexcept { return static_cast<int>(learners_.size()); }
  const Eigen::RowVectorXd& initial() const noexcept { return f0_; }
  const std::vector<Mlp>& learners() const noexcept { return learners_; }
  const std::vector<double>& rhos() const noexcept { return rhos_; }
  /// Mean training loss after each round (empty for a loaded model that did not store it).
  const std::vector<double>& train_losses() const noexcept { return train_losses_; }
  /// How fit() ended: converged (every round ran), stopped (the callback said so) or diverged
  /// (a round produced a non-finite step or loss; that round is not kept).
  Status status() const noexcept { return status_; }

  /// F after the first `rounds` rounds (all by default): n × score_columns.
  Eigen::MatrixXd raw(const Eigen::MatrixXd& x, int rounds = -1) const;
  /// Calls visit(t, F_t) for t = 0 (F₀) .. rounds(), reusing each round's sum.
  void staged_raw(const Eigen::MatrixXd& x,
                  const std::function<void(int, const Eigen::MatrixXd&)>& visit) const;
  /// Class probabilities (n × classes) for classification; throws for regression.
  Eigen::MatrixXd probabilities(const Eigen::MatrixXd& f) const;
  /// Class index (as double) or regression value per row, from raw scores.
  Eigen::VectorXd decide(const Eigen::MatrixXd& f) const;
  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const { return decide(raw(x)); }

  /// One network with rounds()·J hidden units whose output is the model's decision score:
  /// F for regression and multiclass (softmax logits), 2F for binary (σ(out) = P(y = 1)).
  Mlp to_network() const;

  /// Rebuilds a model from its parts (model files); throws descent::Error on inconsistent shapes.
  static Gbnn from_parts(Task task, int classes, Eigen::RowVectorXd initial,
                         std::vector<Mlp> learners, std::vector<double> rhos,
                         std::vector<double> train_losses = {});

 private:
  Task task_ = Task::regression;
  int classes_ = 0;
  Eigen::Index inputs_ = 0;
  Eigen::RowVectorXd f0_;
  std::vector<Mlp> learners_;
  std::vector<double> rhos_;
  std::vector<double> train_losses_;
  Status status_ = Status::converged;
};

}  // namespace descent::boost
