#include "descent/curvature/slq.hpp"

#include <cmath>
#include <numbers>

#include "descent/core/options.hpp"
#include "descent/core/rng.hpp"
#include "descent/curvature/lanczos.hpp"

namespace descent::curvature {

void SlqOptions::validate() const {
  check::at_least("steps", static_cast<long long>(steps), 1);
  check::at_least("probes", static_cast<long long>(probes), 1);
}

double SpectralDensity::moment(int k) const {
  return weights.dot(nodes.array().pow(k).matrix());
}

Eigen::VectorXd SpectralDensity::smoothed(const Eigen::VectorXd& grid, double sigma) const {
  check::positive("sigma", sigma);
  const double c = 1.0 / (sigma * std::sqrt(2 * std::numbers::pi));
  Eigen::VectorXd d = Eigen::VectorXd::Zero(grid.size());
  for (Eigen::Index j = 0; j < nodes.size(); ++j)
    d.array() += weights(j) * c * (-(grid.array() - nodes(j)).square() / (2 * sigma * sigma)).exp();
  return d;
}

Eigen::VectorXd SpectralDensity::default_grid(double sigma, Eigen::Index points) const {
  const double lo = nodes.minCoeff() - 3 * sigma, hi = nodes.maxCoeff() + 3 * sigma;
  return Eigen::VectorXd::LinSpaced(points, lo, hi);
}

SpectralDensity slq(const SymmetricOperator& a, const SlqOptions& options) {
  options.validate();
  SpectralDensity d;
  d.dim = a.dim;
  std::vector<double> nodes, weights;
  const double nv = static_cast<double>(options.probes);
  d.status = Status::converged;
  for (std::size_t k = 0; k < options.probes; ++k) {
    Rng rng = make_rng(options.seed, {k});
    LanczosOptions lo;
    lo.steps = options.steps;
    const LanczosResult r = lanczos(a, lo, rademacher_vector(rng, a.dim));
    if (r.status != Status::converged) {
      d.status = r.status;
      break;
    }
    for (Eigen::Index j = 0; j < r.ritz_values.size(); ++j) {
      nodes.push_back(r.ritz_values(j));
      weights.push_back(r.weights(j) / nv);
    }
  }
  d.nodes =
      Eigen::Map<const Eigen::VectorXd>(nodes.data(), static_cast<Eigen::Index>(nodes.size()));
  d.weights =
      Eigen::Map<const Eigen::VectorXd>(weights.data(), static_cast<Eigen::Index>(weights.size()));
  if (d.status != Status::converged) d.weights /= d.weights.sum();  // partial: renormalise
  return d;
}

}  // namespace descent::curvature
