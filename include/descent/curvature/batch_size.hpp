// Learning rates as a function of batch size (Granziol, Zohren, Roberts).
//
// D. Granziol, S. Zohren, S. Roberts, "Learning Rates as a Function of Batch Size: A Random Matrix
// Theory Approach to Neural Network Training", JMLR 23(173), 2022.
//
// The batch Hessian is the full Hessian plus a noise matrix whose scale grows like 1/B − 1/N, so
// its extreme eigenvalues grow as B shrinks (λ_max(B) ≈ a + c/B in the noise-dominated regime) and
// the largest stable SGD step 2/λ_max(B) grows linearly in B. For Adam the preconditioner
// sqrt(v̂) ∝ 1/sqrt(B) cancels half of that, giving square-root scaling. This header has the two
// scaling rules, the least-squares fits used to test them, the λ_max(H_B)-vs-B estimator and the
// largest-stable-learning-rate scan.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "descent/curvature/lanczos.hpp"
#include "descent/curvature/operator.hpp"

namespace descent::curvature {

enum class ScalingRule {
  none,         ///< α(B) = α_0
  linear,       ///< α(B) = α_0 · B / B_0 (SGD)
  square_root,  ///< α(B) = α_0 · sqrt(B / B_0) (Adam and other adaptive methods)
};
std::string_view to_string(ScalingRule r) noexcept;
/// "none" | "linear" | "sqrt" (or "square-root"); throws InvalidOption("rule", ...) otherwise.
ScalingRule scaling_rule_from_string(std::string_view s);

/// α_0 · B/B_0.
double linear_scaled_lr(double base_lr, double base_batch, double batch);
/// α_0 · sqrt(B/B_0).
double sqrt_scaled_lr(double base_lr, double base_batch, double batch);

/// The paper's scaling policy as an object: {base_lr α_0, base_batch B_0, rule}.
struct LrScaling {
  double base_lr = 0.1;     ///< α_0 (default 0.1)
  double base_batch = 128;  ///< B_0 (default 128)
  ScalingRule rule = ScalingRule::linear;
  void validate() const;
  double operator()(double batch) const;
};

/// y ≈ intercept + slope · x by least squares, with the coefficient of determination R².
struct LinearFit {
  double intercept = 0;
  double slope = 0;
  double r2 = 0;
};
LinearFit fit_line(std::span<const double> x, std::span<const double> y);
/// value ≈ a + c / B: intercept = a, slope = c.
LinearFit fit_inverse_batch(std::span<const double> batch, std::span<const double> value);
/// log y ≈ intercept + slope · log x (all entries must be > 0).
LinearFit fit_log_log(std::span<const double> x, std::span<const double> y);

/// The Hessian of the loss on the draw-th random batch of size B (the caller owns the sampling).
using BatchOperatorFactory = std::function<SymmetricOperator(std::size_t batch, std::size_t draw)>;

struct BatchHessianOptions {
  std::vector<std::size_t> batch_sizes = {8, 16, 32, 64, 128, 256, 512, 1024};
  std::size_t draws = 20;  ///< batches averaged per size (default 20)
  LanczosOptions lanczos;  ///< 20 steps by default: λ_max converges first
  /// "Non-increasing" allows each mean to exceed the previous one by this relative amount
  /// (sampling noise of the means; default 0 = strict).
  double monotone_tolerance = 0.0;
  void validate() const;
};

struct BatchHessianCurve {
  std::vector<double> batch;
  std::vector<double> mean_lambda_max;
  std::vector<double> sd_lambda_max;  ///< across draws
  LinearFit fit;                      ///< mean λ_max ≈ a + c/B
  bool non_increasing = false;
};

BatchHessianCurve batch_hessian_lambda_max(const BatchOperatorFactory& factory,
                                           const BatchHessianOptions& options = {});

/// The largest learning rate of `grid` (any order) for which `stable(lr)` is true; 0 if none.
/// Scans in increasing order and stops after `stop_after_failures` consecutive unstable rates
/// above the largest stable one (0 = scan the whole grid).
double max_stable_learning_rate(const std::function<bool(double lr)>& stable,
                                std::vector<double> grid, std::size_t stop_after_failures = 2);

/// 2^lo, 2^(lo + step), ..., up to 2^hi.
std::vector<double> log2_grid(double lo, double hi, double step = 1.0);

}  // namespace descent::curvature
