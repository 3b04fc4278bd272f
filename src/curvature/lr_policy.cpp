#include "descent/curvature/lr_policy.hpp"

#include <algorithm>
#include <cmath>

#include "descent/core/options.hpp"
#include "descent/curvature/lanczos.hpp"

namespace descent::curvature {

std::string_view to_string(LrRule r) noexcept {
  switch (r) {
    case LrRule::gradient_quadratic:
      return "gtg-gthg";
    case LrRule::inverse_lambda_max:
      return "inverse-lambda-max";
    case LrRule::polyak_heavy_ball:
      return "polyak";
  }
  return "?";
}

LrRule lr_rule_from_string(std::string_view s) {
  if (s == "gtg-gthg") return LrRule::gradient_quadratic;
  if (s == "inverse-lambda-max") return LrRule::inverse_lambda_max;
  if (s == "polyak") return LrRule::polyak_heavy_ball;
  throw InvalidOption(
      "rule", "must be gtg-gthg, inverse-lambda-max or polyak, got '" + std::string(s) + "'");
}

void LrPolicyOptions::validate() const {
  check::at_least("every", static_cast<long long>(every), 1);
  check::at_least("lanczos_steps", static_cast<long long>(lanczos_steps), 2);
  check::positive("scale", scale);
  check::non_negative("min_lr", min_lr);
  check::require(max_lr > min_lr, "max_lr", "must exceed min_lr");
  check::in_half_open("min_curvature_ratio", min_curvature_ratio, 0.0, 1.0);
}

LearningRateUpdate curvature_learning_rate(const CurvatureProbe& probe,
                                           const LrPolicyOptions& options, std::size_t call) {
  options.validate();
  LearningRateUpdate u;
  const auto& g = probe.gradient;
  check::require(g.size() == probe.hessian.dim, "gradient", "size must match the Hessian");
  u.gtg = g.squaredNorm();
  double lr = std::numeric_limits<double>::quiet_NaN();
  if (options.rule == LrRule::gradient_quadratic) {
    u.gthg = g.dot(probe.hessian(g));
    if (std::isfinite(u.gthg) && u.gthg > 0 && u.gtg > 0) lr = u.gtg / u.gthg;
  } else {
    LanczosOptions lo;
    lo.steps = options.lanczos_steps;
    lo.seed = options.seed + call;
    const LanczosResult r = lanczos(probe.hessian, lo);
    u.lambda_max = r.lambda_max();
    u.lambda_min = r.lambda_min();
    if (r.status == Status::converged && std::isfinite(u.lambda_max) && u.lambda_max > 0) {
      if (options.rule == LrRule::inverse_lambda_max) {
        lr = 1.0 / u.lambda_max;
      } else {
        const double lmin = std::max(u.lambda_min, options.min_curvature_ratio * u.lambda_max);
        const double a = std::sqrt(u.lambda_max), b = std::sqrt(lmin);
        lr = 4.0 / ((a + b) * (a + b));
        u.momentum = std::pow((a - b) / (a + b), 2);
      }
    }
  }
  if (!std::isfinite(lr)) return u;
  u.lr = std::clamp(options.scale * lr, options.min_lr, options.max_lr);
  u.applied = true;
  return u;
}

CurvatureLrPolicy::CurvatureLrPolicy(LrPolicyOptions options, Probe probe, Setter set)
    : o_(options), probe_(std::move(probe)), set_(std::move(set)) {
  o_.validate();
}

bool CurvatureLrPolicy::iteration(const IterationInfo& info) {
  if (info.iteration % o_.every == 0) refresh();
  return false;
}

LearningRateUpdate CurvatureLrPolicy::refresh() {
  const LearningRateUpdate u = curvature_learning_rate(probe_(), o_, history_.size());
  history_.push_back(u);
  if (u.applied && set_) set_(u);
  return u;
}

}  // namespace descent::curvature
