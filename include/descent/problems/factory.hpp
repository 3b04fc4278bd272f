// Named problem instances for `descent newton` and the GNS reproduction.
//
// An instance bundles an oracle with what the paper's experiments pair it with: the start
// point, the metric B of the primal norm ||h|| = sqrt(hᵀBh), the optimal value when known and the
// Hessian approximation the paper uses for it (A. Semenov, M. Jaggi, N. Doikov,
// "Gradient-Normalized Smoothness for Optimization with Approximate Hessians", arXiv:2506.13710,
// 2025, and its reference code's problem factory).
//
//   spec                                   x0          B                  f*       approx
//   logsumexp[:n=500,m=500,mu=1]           1           A₀ᵀA₀ (original A)  f(0)     wgn
//   nle[:p=4,m=100,n=200]                  1           AᵀA + 1e-8 I        0 (m<n)  fisher
//   chebyshev[:n=1000,p=4]                 U[0,1]^n    I                   0        gn-fisher
//   rosenbrock[:p=4]                       (−2, 2)     I                   0        gn-fisher
//   logreg:FILE[,reg=1e-4]                 0           I                   —        wgn
//   softmax:FILE[,reg=1e-3]                0           I                   —        wgn
// FILE is a data set name (breast-cancer, digits, ...), a LIBSVM file or a CSV with the label
// in the last column (see load_classification). Random instances draw from `seed`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "descent/problems/oracle.hpp"

namespace descent::problems {

struct Instance {
  std::shared_ptr<const Oracle> oracle;
  std::string name;         ///< short name: logsumexp, nle, chebyshev, rosenbrock, logreg, softmax
  std::string description;  ///< e.g. "LogSumExp (m = 500, n = 500, mu = 1, zero optimum)"
  Eigen::VectorXd x0;
  Eigen::MatrixXd metric;  ///< B; an empty matrix means the identity
  std::optional<double> optimal_value;
  std::optional<Eigen::VectorXd> optimum;
  HessianApproximation default_approximation = HessianApproximation::exact;
};

/// Builds an instance from a spec (table above). Throws descent::Error for an unknown name, an
/// unknown key or a bad value.
Instance make_instance(const std::string& spec, std::uint64_t seed = 0);

/// The problem names make_instance accepts.
std::vector<std::string> instance_names();

}  // namespace descent::problems
