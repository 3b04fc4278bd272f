#include "descent/privacy/diff2.hpp"

#include <cmath>
#include <utility>

#include "descent/core/options.hpp"
#include "descent/privacy/mechanism.hpp"
#include "engine.hpp"

namespace descent::privacy {

void Diff2Options::validate() const {
  TrainingOptions::validate();
  check::positive("step_size", step_size);
  check::require(clip > 0, "clip", "must be > 0 (+inf = no clipping), got " + check::show(clip));
  check::require(clip_diff > 0, "clip_diff",
                 "must be > 0 (+inf = no clipping), got " + check::show(clip_diff));
  check::at_least("restart", static_cast<long long>(restart), 1);
  check::require(budget_split > 0 && budget_split < 1, "budget_split",
                 "must lie in (0, 1), got " + check::show(budget_split));
  check::require(noise_multiplier1.has_value() == noise_multiplier2.has_value(),
                 "noise_multiplier2", "set both noise multipliers or neither");
  if (noise_multiplier1) check::non_negative("noise_multiplier1", *noise_multiplier1);
  if (noise_multiplier2) check::non_negative("noise_multiplier2", *noise_multiplier2);
  check::require(guard_cap > 0 && guard_cap < 1, "guard_cap",
                 "must lie in (0, 1), got " + check::show(guard_cap));
}

Summary minimize_diff2(const WorkerSet& set, Eigen::VectorXd& x, const Diff2Options& options,
                       Callbacks callbacks) {
  options.validate();
  Summary s;
  s.method = "diff2";
  detail::Engine engine(set, options, s.method);
  engine.begin(s, callbacks, x, options.step_size);
  const double n = engine.privacy_n();  // n, or n P for central noise
  const std::size_t R = options.rounds;
  Diff2Noise noise;
  if (options.noise_multiplier1) {
    noise.restart_rounds = restart_round_count(R, options.restart);
    noise.difference_rounds = R - noise.restart_rounds;
    noise.sigma1 = *options.noise_multiplier1;
    noise.sigma2 = *options.noise_multiplier2;
  } else {
    noise = calibrate_diff2(options.budget, n, R, options.restart, options.budget_split);
  }
  const double sigma1 = noise.sigma1, sigma2 = noise.sigma2;
  if ((!std::isfinite(options.clip) && sigma1 > 0) ||
      (!std::isfinite(options.clip_diff) && sigma2 > 0 && noise.difference_rounds > 0))
    throw InvalidOption(std::isfinite(options.clip) ? "clip_diff" : "clip",
                        "an infinite clip radius gives unbounded noise; use zero noise "
                        "multipliers for a non-private run");

  // The stability guard (stability.hpp), checked before any round runs, identically on all ranks.
  double clip_diff = options.clip_diff;
  StabilityReport guard;
  if (noise.difference_rounds > 0 && options.guard != GuardPolicy::off) {
    guard = check_stability(options.step_size, clip_diff, sigma2, engine.dimension(),
                            engine.noise_sources(), options.restart);
    if (!guard.ok()) {
      switch (options.guard) {
        case GuardPolicy::refuse:
          throw InvalidOption("step_size", guard.message);
        case GuardPolicy::warn:
          engine.warn(guard.message);
          break;
        case GuardPolicy::cap: {
          clip_diff = capped_clip_diff(options.step_size, clip_diff, sigma2, engine.dimension(),
                                       engine.noise_sources(), options.restart, options.guard_cap);
          engine.warn(guard.message + "; capped C2 to " + check::show(clip_diff));
          break;
        }
        case GuardPolicy::off:
          break;
      }
    } else if (!guard.message.empty()) {
      engine.warn(guard.message);
    }
  }

  const double rho1 = gaussian_rho(sigma1, n, options.budget.adjacency);
  const double rho2 =
      noise.difference_rounds > 0 ? gaussian_rho(sigma2, n, options.budget.adjacency) : 0.0;
  const int count = engine.local_count();
  std::vector<std::unique_ptr<SampleGradients>> current, previous;
  for (int j = 0; j < count; ++j) {
    current.push_back(engine.local(j).make_sample_gradients());
    previous.push_back(engine.local(j).make_sample_gradients());
  }
  Eigen::MatrixXd messages(engine.dimension(), count);
  Eigen::VectorXd v = Eigen::VectorXd::Zero(engine.dimension()), d, x_prev = x;
  std::size_t r1 = 0, r2 = 0;

  for (std::size_t r = 1; r <= R; ++r) {
    const bool restart = (r - 1) % options.restart == 0;
    // The difference radius depends only on released iterates: data-independent.
    const double radius = restart ? options.clip : clip_diff * (x - x_prev).norm();
    const double sigma_r = restart ? sigma1 : sigma2;
    const double noise_std = sigma_r == 0 ? 0.0 : sigma_r * radius;  // 0 * inf = 0 here
    engine.for_each_local([&](int j) {
      const auto jj = static_cast<std::size_t>(j);
      engine.local(j).sample_gradients(x, *current[jj]);
      Eigen::VectorXd m;
      if (restart)
        clipped_mean(*current[jj], radius, m);
      else
        clipped_mean_difference(*current[jj], *previous[jj], radius, m);
      messages.col(j) = m;
    });
    engine.noisy_mean(messages, noise_std, r, d);
    if (restart) {
      v = d;
      ++r1;
    } else {
      v += d;
      ++r2;
    }
    x_prev = x;
    x -= options.step_size * v;
    std::swap(current, previous);  // previous now holds the gradients at x_{r-1}
    const double rho_so_far = double(r1) * rho1 + (r2 > 0 ? double(r2) * rho2 : 0.0);
    const double eps = epsilon_of_rho(rho_so_far, options.budget.delta, options.budget.conversion);
    if (engine.end_round(r, x, noise_std, eps, s)) break;
  }
  const Spent used = spent(options.budget, n, r1, sigma1, r2, sigma2);
  auto& c = s.counters;
  c["sigma1"] = sigma1;
  c["sigma2"] = sigma2;
  c["restart_rounds"] = double(r1);
  c["difference_rounds"] = double(r2);
  c["guard_per_step"] = guard.per_step;
  c["guard_per_block"] = guard.per_block;
  c["clip_diff_used"] = clip_diff;
  c["noise_std_average"] =
      (sigma1 == 0 ? 0.0 : sigma1 * options.clip) * engine.average_noise_scale();
  engine.finish(s, x, used);
  if (!guard.message.empty() && options.guard == GuardPolicy::warn)
    s.message += "; " + guard.message;
  return s;
}

}  // namespace descent::privacy
