// Gradient-based hyper-parameter optimisation of one regularisation strength, with the
// hypergradient from implicit differentiation (root_vjp at the inner solution) or from
// unrolled forward-mode differentiation through a fixed number of inner iterations.
// The driver behind `descent hyperopt` and the SVM part of `descent repro implicit-diff`.
//
//   model   inner problem                                inner solver      mapping
//   ridge   1/(2n)||Xw − y||² + ½λ||w||²                 Newton-CG         stationarity
//   lasso   1/(2n)||Xw − y||² + λ||w||₁                  FISTA             prox-gradient
//   logreg  softmax cross-entropy + ½λ||W||²             Newton-CG         stationarity
//   svm     multiclass SVM dual, rows on the simplex     FISTA (projected) projected gradient
// Outer: Adam on θ (λ = θ or exp θ) against the validation loss (squared error for ridge and
// lasso, cross-entropy of the (primal) linear model for logreg and svm).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"
#include "descent/implicit/linear_solve.hpp"
#include "descent/implicit/objectives.hpp"

namespace descent::implicit {

enum class Model { ridge, lasso, logreg, svm };
enum class Hyper { l2, l1, log_l2 };
enum class HyperMethod { implicit, unrolled };
/// "ridge", "lasso", "logreg", "svm-multiclass"; throws InvalidOption otherwise.
Model model_from_string(const std::string& s);
/// "l2", "l1", "log-l2"; throws InvalidOption otherwise.
Hyper hyper_from_string(const std::string& s);
/// "implicit", "unrolled"; throws InvalidOption otherwise.
HyperMethod hyper_method_from_string(const std::string& s);

struct HyperoptData {
  Mat x_train, x_val;
  Vec y_train, y_val;  ///< regression targets, or class indices 0..classes−1
  int classes = 0;     ///< 0 for regression
};

struct HyperoptOptions {
  Model model = Model::ridge;
  Hyper hyper = Hyper::log_l2;  ///< default log-l2 (l1 is required by lasso)
  HyperMethod method = HyperMethod::implicit;
  std::size_t outer_steps = 50;              ///< default 50
  double learning_rate = 0.1;                ///< Adam step on θ, default 0.1
  double lambda0 = 0.1;                      ///< initial λ, default 0.1
  LinearSolveOptions linear;                 ///< adjoint solver, default normal CG at 1e-10
  double inner_tolerance = 1e-10;            ///< implicit: inner optimality residual, default 1e-10
  std::size_t inner_max_iterations = 20000;  ///< FISTA cap, default 20,000
  std::size_t unrolled_iterations = 500;     ///< unrolled: inner iterations from 0, default 500
  /// Implicit, lasso/svm: FISTA (on) or the plain fixed-point iteration the unrolled baseline
  /// differentiates (off). Default on.
  bool accelerate_inner = true;
  /// Implicit: warm-start each inner solve at the previous solution. Default on.
  bool warm_start = true;
  bool fd_check = true;            ///< finite-difference check at the final θ, default on
  bool record_history = false;     ///< a Summary row per outer step (val loss, |hypergradient|)
  std::size_t history_stride = 1;  ///< keep every k-th row (the last is always kept)
  void validate() const;

  /// Settings keys, the field names (the method is the registry entry's; the adjoint solver's
  /// are solver and linear_tolerance). hyper: l1 for lasso when not given.
  template <class Fields>
  void fields(Fields& f) {
    f.choice("model", model,
             {{"ridge", Model::ridge},
              {"lasso", Model::lasso},
              {"logreg", Model::logreg},
              {"svm-multiclass", Model::svm}},
             "the inner problem");
    f.choice("hyper", hyper, {{"l2", Hyper::l2}, {"l1", Hyper::l1}, {"log-l2", Hyper::log_l2}},
             "lambda = theta (l2, l1) or exp(theta) (log-l2); lasso: l1 unless given");
    f("outer_steps", outer_steps, "the budget: Adam steps on theta");
    f("record_history", record_history, "keep a row per outer step");
    f("history_stride", history_stride, "keep every k-th row (the last is always kept)");
    f("learning_rate", learning_rate, "Adam step on theta");
    f("lambda0", lambda0, "initial lambda");
    f.choice("solver", linear.solver,
             {{"cg", SolverKind::cg},
              {"normal-cg", SolverKind::normal_cg},
              {"gmres", SolverKind::gmres},
              {"bicgstab", SolverKind::bicgstab},
              {"lu", SolverKind::lu},
              {"cholesky", SolverKind::cholesky}},
             "adjoint linear solver");
    f("linear_tolerance", linear.tolerance, "adjoint solve: relative residual");
    f("seed", linear.seed, "symmetry-probe vectors");
    if (method == HyperMethod::implicit) {
      f("inner_tolerance", inner_tolerance, "inner optimality residual");
      f("inner_max_iterations", inner_max_iterations, "cap on FISTA / fixed-point iterations");
      f("accelerate_inner", accelerate_inner, "FISTA (true) or plain fixed-point (false)");
      f("warm_start", warm_start, "start each inner solve at the previous solution");
    } else {
      f("unrolled_iterations", unrolled_iterations, "inner iterations differentiated");
    }
    f("fd_check", fd_check, "finite-difference check at the final theta");
  }
};

struct HyperoptStep {
  std::size_t iteration = 0;
  double theta = 0, lambda = 0, val_loss = 0, hypergradient = 0, seconds = 0;
};

struct HyperoptResult {
  std::vector<HyperoptStep> path;  ///< one row per outer step (before its update), then final
  double lambda = 0;               ///< final λ
  double val_loss_initial = 0, val_loss_final = 0;
  double hypergradient = 0;                     ///< the method's hypergradient at the final θ
  double fd_hypergradient = 0, fd_rel_err = 0;  ///< central difference at the final θ
  double hypergradient_seconds = 0;             ///< time spent computing hypergradients
  std::size_t linear_solve_failures = 0;        ///< adjoint solves that did not converge
  /// Inner solves (implicit method) that stopped before inner_tolerance; > 0 makes the run
  /// Status::failed (the reported losses and hypergradients are not at x*(theta)).
  std::size_t inner_solve_failures = 0;
  std::string inner_message;  ///< the last unconverged inner solve's summary
  bool fd_reliable = true;    ///< the finite-difference check's own inner solves converged
  bool cg_flagged = false;    ///< CG was asked for a non-symmetric system
  Summary summary;
};

/// Throws InvalidOption for an inconsistent model/hyper pair or a regression/classification
/// mismatch, descent::Error for mismatched data shapes. Callbacks see one row per outer step
/// (objective = validation loss, gradient_norm = |hypergradient|, extras lambda, theta); a stop
/// ends the run as Status::stopped.
HyperoptResult hyperopt(const HyperoptData& data, const HyperoptOptions& options,
                        Callbacks callbacks = {});

/// Runs a method on the data with options from settings (HyperoptOptions::fields).
using HyperoptRunner = std::function<HyperoptResult(const HyperoptData& data,
                                                    const Settings& settings, Callbacks callbacks)>;
/// implicit (implicit differentiation), unrolled (forward-mode through the inner iterations).
const MethodRegistry<HyperoptRunner>& hyperopt_methods();

/// One hypergradient dL/dθ and the validation loss at θ (used by the SVM timing study).
struct Hypergradient {
  double value = 0, val_loss = 0;
  LinearSolveResult solve;  ///< implicit only
};
Hypergradient hypergradient(const HyperoptData& data, const HyperoptOptions& options, double theta);

}  // namespace descent::implicit
