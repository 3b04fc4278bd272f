#include "descent/curvature/power_iteration.hpp"

#include <cmath>

#include "descent/core/options.hpp"
#include "descent/core/rng.hpp"

namespace descent::curvature {

void PowerIterationOptions::validate() const {
  check::at_least("top_k", static_cast<long long>(top_k), 1);
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  check::non_negative("tolerance", tolerance);
}

EigenPairs power_iteration(const SymmetricOperator& a, const PowerIterationOptions& options) {
  options.validate();
  check::require(static_cast<Eigen::Index>(options.top_k) <= a.dim, "top_k",
                 "must not exceed the operator dimension");
  const Eigen::Index n = a.dim, k = static_cast<Eigen::Index>(options.top_k);
  EigenPairs r;
  r.values = Eigen::VectorXd::Zero(k);
  r.vectors = Eigen::MatrixXd::Zero(n, k);
  r.status = Status::converged;
  Eigen::VectorXd w(n);
  for (Eigen::Index i = 0; i < k; ++i) {
    // Deflate the pairs already found: A − Σ λ_j u_j uᵀ_j.
    const SymmetricOperator op = deflated(a, r.values.head(i), r.vectors.leftCols(i));
    Rng rng = make_rng(options.seed, {static_cast<std::uint64_t>(i)});
    Eigen::VectorXd v = normal_vector(rng, n);
    v.normalize();
    double lambda = 0;
    bool done = false;
    for (std::size_t t = 0; t < options.max_iterations; ++t) {
      op.apply({v.data(), static_cast<std::size_t>(n)}, {w.data(), static_cast<std::size_t>(n)});
      ++r.products;
      if (!w.allFinite()) {
        r.status = Status::diverged;
        r.values(i) = std::numeric_limits<double>::quiet_NaN();
        return r;
      }
      const double next = v.dot(w);  // Rayleigh quotient
      const double wn = w.norm();
      if (wn == 0) {  // v in the null space: eigenvalue 0
        lambda = 0;
        done = true;
        break;
      }
      v = w / wn;
      if (t > 0 && std::abs(next - lambda) <= options.tolerance * std::abs(next)) {
        lambda = next;
        done = true;
        break;
      }
      lambda = next;
    }
    if (!done) r.status = Status::max_iterations;
    r.values(i) = lambda;
    r.vectors.col(i) = v;
  }
  return r;
}

}  // namespace descent::curvature
