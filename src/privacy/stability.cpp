#include "descent/privacy/stability.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "descent/core/error.hpp"

namespace descent::privacy {

std::string_view to_string(GuardPolicy p) noexcept {
  switch (p) {
    case GuardPolicy::refuse:
      return "refuse";
    case GuardPolicy::warn:
      return "warn";
    case GuardPolicy::cap:
      return "cap";
    case GuardPolicy::off:
      return "off";
  }
  return "?";
}

GuardPolicy guard_policy_from_string(std::string_view s) {
  if (s == "refuse") return GuardPolicy::refuse;
  if (s == "warn") return GuardPolicy::warn;
  if (s == "cap") return GuardPolicy::cap;
  if (s == "off") return GuardPolicy::off;
  throw Error("unknown stability guard '" + std::string(s) + "' (refuse, warn, cap or off)");
}

StabilityReport check_stability(double step_size, double clip_diff, double sigma2,
                                Eigen::Index dimension, int workers, std::size_t restart) {
  StabilityReport r;
  if (sigma2 == 0) return r;  // no difference noise, nothing to feed back (also avoids inf * 0)
  r.per_step = step_size * clip_diff * sigma2 *
               std::sqrt(static_cast<double>(dimension) / static_cast<double>(workers));
  r.per_block = static_cast<double>(restart) * r.per_step * r.per_step;
  r.step_ok = r.per_step < kPerStepLimit;
  r.block_ok = r.per_block <= kPerBlockRefuseLimit;
  r.block_quiet = r.per_block <= kPerBlockWarnLimit;
  char buf[400];
  if (!r.step_ok) {
    std::snprintf(buf, sizeof buf,
                  "DIFF2 stability guard: eta*C2*sigma2*sqrt(d/P) = %.3g >= %.3g (eta = %.3g, C2 = "
                  "%.3g, sigma2 = %.3g, d = %lld, P = %d): the difference noise feeds back on "
                  "itself and the run will diverge; lower eta or C2, raise epsilon, n or P, or use "
                  "--guard cap",
                  r.per_step, kPerStepLimit, step_size, clip_diff, sigma2,
                  static_cast<long long>(dimension), workers);
    r.message = buf;
  } else if (!r.block_quiet) {
    std::snprintf(buf, sizeof buf,
                  "DIFF2 stability guard: T*(eta*C2*sigma2*sqrt(d/P))^2 = %.3g > %.3g (T = %zu, "
                  "per-step %.3g): the difference noise compounds within a restart block%s",
                  r.per_block, r.block_ok ? kPerBlockWarnLimit : kPerBlockRefuseLimit, restart,
                  r.per_step,
                  r.block_ok ? "; a smaller T or C2 is safer"
                             : " and the run will diverge; lower "
                               "T, eta or C2, or use --guard cap");
    r.message = buf;
  }
  return r;
}

double capped_clip_diff(double step_size, double clip_diff, double sigma2, Eigen::Index dimension,
                        int workers, std::size_t restart, double guard_cap) {
  const double target = std::min(guard_cap, std::sqrt(1.0 / static_cast<double>(restart)));
  const double unit =
      step_size * sigma2 * std::sqrt(static_cast<double>(dimension) / static_cast<double>(workers));
  if (unit <= 0) return clip_diff;
  return std::min(clip_diff, target / unit);
}

}  // namespace descent::privacy
