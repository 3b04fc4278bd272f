#include "factored_loop.hpp"

#include <cmath>
#include <limits>

#include <Eigen/SVD>

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/run.hpp"
#include "descent/recovery/losses.hpp"

namespace descent::recovery {

void FactoredRunOptions::validate() const {
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::non_negative("error_tolerance", error_tolerance);
  check::in_closed("stall_error", stall_error, 0.0, 1e300);
  check::in_half_open("stall_loss_drop", stall_loss_drop, 0.0, 1.0);
  check::require(divergence_factor > 1, "divergence_factor", "must be > 1");
  check::at_least("threads", threads, 1);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

namespace detail {
namespace {

double spectral_norm(const Eigen::MatrixXd& U) {
  return Eigen::JacobiSVD<Eigen::MatrixXd>(U).singularValues()(0);
}

}  // namespace

Summary run_factored(const MeasurementOperator& op, const Eigen::VectorXd& y, Eigen::MatrixXd& U,
                     const FactoredRunOptions& options, const StepRule& rule, Callbacks& callbacks,
                     const Eigen::MatrixXd* reference) {
  const Eigen::Index d = op.dimension();
  if (U.rows() != d || U.cols() < 1)
    throw Error(rule.method + ": U must be d x r' with d = " + std::to_string(d) + ", got " +
                std::to_string(U.rows()) + " x " + std::to_string(U.cols()));
  if (reference && (reference->rows() != d || reference->cols() != d))
    throw Error(rule.method + ": the reference X* must be d x d");
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const int threads = options.threads;

  Run run(rule.method, static_cast<std::size_t>(U.size()), options.max_iterations,
          {options.record_history, options.history_stride}, callbacks);
  Summary& s = run.summary();

  LossWorkspace ws;
  Eigen::MatrixXd D;
  auto evaluate = [&] {
    ++s.function_evaluations;
    ++s.gradient_evaluations;
    return rule.l1 ? l1_loss_subgradient(op, y, U, D, ws, threads)
                   : l2_loss_gradient(op, y, U, D, ws, threads);
  };
  const double ref_norm = reference ? reference->norm() : kNaN;
  // ws.X holds U U^T of the last evaluation, so the error costs one d x d subtraction.
  auto error = [&] { return reference ? (ws.X - *reference).norm() / ref_norm : kNaN; };
  const double tol = options.error_tolerance;
  const bool track = reference != nullptr && tol > 0;

  double f = evaluate();
  const double f0 = f;
  const double blowup = options.divergence_factor * std::max(f0, 1e-300);
  double err = error();
  double hit = track && err < tol ? 0.0 : kNaN;
  const double initial_norm = spectral_norm(U);
  double step_sum = 0, last_step = kNaN;
  bool step_stop = false, tolerance_stop = false;
  Metric extras[] = {{"relative_error", err}};
  auto row = [&](std::size_t k, double eta) {
    extras[0].value = err;
    IterationInfo info;
    info.iteration = k;
    info.objective = f;
    info.gradient_norm = D.norm();
    info.step_size = eta;
    info.x = std::span<const double>(U.data(), static_cast<std::size_t>(U.size()));
    info.extras = extras;
    return info;
  };
  run.start(row(0, rule.step(0)));

  for (std::size_t k = 1; k <= options.max_iterations; ++k) {
    const double eta = rule.step(k - 1);
    if (rule.step_tolerance > 0 && eta < rule.step_tolerance) {
      step_stop = true;
      break;
    }
    U -= eta * D;
    step_sum += eta;
    last_step = eta;
    f = evaluate();
    err = error();
    s.iterations = k;
    if (!std::isfinite(f) || f > blowup || !U.allFinite()) {
      run.end(Status::diverged, "loss became " + check::show(f) + " at iteration " +
                                    std::to_string(k) + "; lower the step size");
      break;
    }
    if (track && std::isnan(hit) && err < tol) hit = static_cast<double>(k);
    if (run.record(row(k, eta))) break;
    if (options.stop_at_tolerance && track && err < tol) {
      tolerance_stop = true;
      break;
    }
  }
  if (s.iterations > 0 && run.keeps_history()) run.keep_final(row(s.iterations, last_step));

  const double final_norm = spectral_norm(U);
  // Escaped: the factor captured the signal. A run that never leaves the alpha scale keeps the
  // error near 1 and the loss at f(U_0) (to O(alpha^2)).
  const bool escaped =
      reference ? err <= options.stall_error : f <= (1.0 - options.stall_loss_drop) * f0;
  if (!run.ended()) {
    if (!escaped) {
      run.end(Status::stalled,
              "the factor did not escape its initialization (|U|_2 " + check::show(initial_norm) +
                  " -> " + check::show(final_norm) +
                  (reference ? ", relative error " + check::show(err) : std::string()) +
                  "): raise eta0/(1 - rho), use the warm-up schedule or more iterations");
    } else if (track) {
      if (err <= tol)
        run.end(Status::converged, tolerance_stop ? "relative error below error_tolerance"
                                                  : "ended with relative error " +
                                                        check::show(err) + " <= error_tolerance");
      else
        run.end(Status::max_iterations, "relative error " + check::show(err) +
                                            " > error_tolerance after " +
                                            std::to_string(s.iterations) + " iterations");
    } else if (step_stop) {
      run.end(Status::converged, "step size below step_tolerance");
    } else {
      run.end(Status::max_iterations,
              "ran max_iterations = " + std::to_string(options.max_iterations));
    }
  }
  auto& c = s.counters;
  c["measurements"] = static_cast<double>(op.measurements());
  c["dimension"] = static_cast<double>(d);
  c["rank"] = static_cast<double>(U.cols());
  c["final_step"] = last_step;
  c["step_sum"] = step_sum;
  c["initial_norm"] = initial_norm;
  c["final_norm"] = final_norm;
  c["escaped"] = escaped ? 1 : 0;
  if (reference) {
    c["relative_error"] = err;
    c["iterations_to_tolerance"] = hit;
    c["error_tolerance"] = tol;
  }
  return run.finish(f, D.norm());
}

}  // namespace detail

void SubgmOptions::validate() const {
  FactoredRunOptions::validate();
  schedule.validate();
  check::non_negative("step_tolerance", step_tolerance);
}

Eigen::MatrixXd small_initialization(Eigen::Index d, Eigen::Index rank, double alpha, Rng& rng) {
  check::at_least("rank", rank, 1);
  check::require(rank <= d, "rank", "must be <= d = " + std::to_string(d));
  check::positive("init_scale", alpha);
  Eigen::MatrixXd B = normal_matrix(rng, d, rank);
  B /= Eigen::JacobiSVD<Eigen::MatrixXd>(B).singularValues()(0);
  return alpha * B;
}

}  // namespace descent::recovery
