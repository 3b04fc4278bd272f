#include "descent/privacy/dp_gd.hpp"

#include <cmath>

#include "descent/core/options.hpp"
#include "descent/privacy/mechanism.hpp"
#include "engine.hpp"

namespace descent::privacy {

void DpGdOptions::validate() const {
  TrainingOptions::validate();
  check::positive("step_size", step_size);
  check::require(clip > 0, "clip", "must be > 0 (+inf = no clipping), got " + check::show(clip));
  if (noise_multiplier) check::non_negative("noise_multiplier", *noise_multiplier);
}

Summary minimize_dp_gd(const WorkerSet& set, Eigen::VectorXd& x, const DpGdOptions& options,
                       Callbacks callbacks) {
  options.validate();
  Summary s;
  s.method = "dpgd";
  detail::Engine engine(set, options, s.method);
  engine.begin(s, callbacks, x, options.step_size);
  const double n = engine.privacy_n();  // n, or n P for central noise
  const double sigma = options.noise_multiplier
                           ? *options.noise_multiplier
                           : calibrate_dpgd_sigma(options.budget, n, options.rounds);
  if (!std::isfinite(options.clip) && sigma > 0)
    throw InvalidOption("clip",
                        "an infinite clip radius gives unbounded noise; use sigma = 0 "
                        "for a non-private run");
  const double noise_std = sigma == 0 ? 0.0 : sigma * options.clip;  // 0 * inf = 0 here
  const double rho_round = gaussian_rho(sigma, n, options.budget.adjacency);

  std::vector<std::unique_ptr<SampleGradients>> grads;
  for (int j = 0; j < engine.local_count(); ++j)
    grads.push_back(engine.local(j).make_sample_gradients());
  Eigen::MatrixXd messages(engine.dimension(), engine.local_count());
  Eigen::VectorXd update;

  std::size_t r = 0;
  for (r = 1; r <= options.rounds; ++r) {
    engine.for_each_local([&](int j) {
      engine.local(j).sample_gradients(x, *grads[static_cast<std::size_t>(j)]);
      Eigen::VectorXd m;
      clipped_mean(*grads[static_cast<std::size_t>(j)], options.clip, m);
      messages.col(j) = m;
    });
    engine.noisy_mean(messages, noise_std, r, update);
    x -= options.step_size * update;
    const double eps =
        epsilon_of_rho(double(r) * rho_round, options.budget.delta, options.budget.conversion);
    if (engine.end_round(r, x, noise_std, eps, s)) break;
  }
  const Spent used = spent(options.budget, n, s.iterations, sigma, 0, 0.0);
  s.counters["sigma"] = sigma;
  s.counters["noise_std"] = noise_std;
  s.counters["noise_std_average"] = noise_std * engine.average_noise_scale();
  engine.finish(s, x, used);
  return s;
}

}  // namespace descent::privacy
