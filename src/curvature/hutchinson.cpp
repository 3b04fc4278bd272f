#include "descent/curvature/hutchinson.hpp"

#include <cmath>

#include "descent/core/options.hpp"
#include "descent/core/rng.hpp"

namespace descent::curvature {

void HutchinsonOptions::validate() const {
  check::at_least("max_probes", static_cast<long long>(max_probes), 1);
  check::at_least("min_probes", static_cast<long long>(min_probes), 1);
  check::require(min_probes <= max_probes, "min_probes", "must not exceed max_probes");
  check::non_negative("relative_tolerance", relative_tolerance);
}

TraceEstimate hutchinson(const SymmetricOperator& a, const HutchinsonOptions& options) {
  options.validate();
  TraceEstimate t;
  t.status = Status::max_iterations;
  // Welford's running mean and variance.
  double mean = 0, m2 = 0;
  Eigen::VectorXd av(a.dim);
  for (std::size_t k = 0; k < options.max_probes; ++k) {
    Rng rng = make_rng(options.seed, {k});
    const Eigen::VectorXd v = rademacher_vector(rng, a.dim);
    a.apply({v.data(), static_cast<std::size_t>(a.dim)},
            {av.data(), static_cast<std::size_t>(a.dim)});
    const double s = v.dot(av);
    if (!std::isfinite(s)) {
      t.status = Status::diverged;
      t.trace = s;
      t.probes = k + 1;
      return t;
    }
    if (options.keep_samples) t.samples.push_back(s);
    const double delta = s - mean;
    mean += delta / static_cast<double>(k + 1);
    m2 += delta * (s - mean);
    t.probes = k + 1;
    t.trace = mean;
    t.standard_error =
        k > 0 ? std::sqrt(m2 / static_cast<double>(k) / static_cast<double>(k + 1)) : 0;
    if (options.relative_tolerance > 0 && t.probes >= options.min_probes && k > 0 &&
        t.standard_error <= options.relative_tolerance * std::abs(mean)) {
      t.status = Status::converged;
      break;
    }
  }
  if (options.relative_tolerance == 0) t.status = Status::converged;  // fixed budget asked for
  return t;
}

double hutchinson_variance(const Eigen::MatrixXd& a) {
  return 2 * (a.squaredNorm() - a.diagonal().squaredNorm());
}

}  // namespace descent::curvature
