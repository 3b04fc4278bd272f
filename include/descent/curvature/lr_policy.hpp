// The on-the-fly curvature-based learning-rate (and momentum) policy of Granziol et al.
//
// D. Granziol, S. Zohren, S. Roberts, JMLR 23(173), 2022, section on the SLQ-based learner.
//
// Which formula: the paper's learner formulas could not be checked against the PDF (the spec
// marks them [unverified]). The default, LrRule::gradient_quadratic, is what the authors' own code
// does (rmt_damping_dl, eigenthings/lr_sgd.py): α = gᵀg / gᵀHg, the exact minimiser of the local
// quadratic model along −g, with g and Hg on a fixed, non-augmented batch. It is the only version
// we could verify in code, it needs one Hessian-vector product, and it adapts to the curvature
// along the actual step rather than the worst direction. The two textbook alternatives from
// quadratic theory are available for comparison:
//   inverse_lambda_max: α = 1/λ̂_max (Lanczos), momentum unchanged;
//   polyak_heavy_ball:  α = 4/(√λ̂_max + √λ̂_min)², ρ = ((√λ̂_max − √λ̂_min)/(√λ̂_max + √λ̂_min))²
//                       (Polyak's optimal heavy ball; λ̂_min is clamped to min_curvature_ratio·λ̂_max
//                       because network Hessians have λ_min ≤ 0).
// Every rate is multiplied by `scale` and clipped to [min_lr, max_lr]. If the curvature along g
// is not positive (gᵀHg ≤ 0) or a product is not finite, the update is skipped and the previous
// rate kept (LearningRateUpdate::applied = false).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/curvature/operator.hpp"

namespace descent::curvature {

enum class LrRule { gradient_quadratic, inverse_lambda_max, polyak_heavy_ball };
std::string_view to_string(LrRule r) noexcept;
/// "gtg-gthg" | "inverse-lambda-max" | "polyak"; throws InvalidOption("rule", ...) otherwise.
LrRule lr_rule_from_string(std::string_view s);

struct LrPolicyOptions {
  LrRule rule = LrRule::gradient_quadratic;
  std::size_t every = 1;           ///< refresh every `every` iterations of the callback (default 1)
  std::size_t lanczos_steps = 10;  ///< for the λ̂ rules (default 10)
  double scale = 1.0;              ///< multiplies the rate (default 1)
  double min_lr = 0.0;             ///< lower clip (default 0)
  double max_lr = std::numeric_limits<double>::infinity();  ///< upper clip (default ∞)
  double min_curvature_ratio = 1e-3;  ///< polyak: λ̂_min ≥ ratio·λ̂_max (default 1e-3)
  std::uint64_t seed = 0;             ///< Lanczos start vectors
  void validate() const;
};

/// What the policy needs at the current parameters: a gradient and a Hessian operator on a fixed
/// curvature batch.
struct CurvatureProbe {
  Eigen::VectorXd gradient;
  SymmetricOperator hessian;
};

struct LearningRateUpdate {
  bool applied = false;
  double lr = std::numeric_limits<double>::quiet_NaN();
  double momentum = std::numeric_limits<double>::quiet_NaN();  ///< NaN: leave unchanged
  double gtg = std::numeric_limits<double>::quiet_NaN();
  double gthg = std::numeric_limits<double>::quiet_NaN();
  double lambda_max = std::numeric_limits<double>::quiet_NaN();
  double lambda_min = std::numeric_limits<double>::quiet_NaN();
};

/// One evaluation of the policy (no state). `call` seeds the Lanczos start vector.
LearningRateUpdate curvature_learning_rate(const CurvatureProbe& probe,
                                           const LrPolicyOptions& options, std::size_t call = 0);

/// The policy as a runtime callback: every `every` iterations it asks `probe` for the gradient
/// and Hessian at the current parameters and hands an applied update to `set` (which writes the
/// optimiser's learning rate / momentum).
class CurvatureLrPolicy : public Callback {
 public:
  using Probe = std::function<CurvatureProbe()>;
  using Setter = std::function<void(const LearningRateUpdate&)>;
  CurvatureLrPolicy(LrPolicyOptions options, Probe probe, Setter set);

  bool iteration(const IterationInfo& info) override;
  /// Runs the policy now (also what iteration() calls).
  LearningRateUpdate refresh();
  const std::vector<LearningRateUpdate>& history() const noexcept { return history_; }

 private:
  LrPolicyOptions o_;
  Probe probe_;
  Setter set_;
  std::vector<LearningRateUpdate> history_;
};

}  // namespace descent::curvature
