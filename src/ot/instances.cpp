#include "descent/ot/instances.hpp"

#include "descent/core/error.hpp"

namespace descent::ot {

Problem random_assignment(Eigen::Index n, Rng& rng) {
  if (n < 1) throw Error("random_assignment: n must be >= 1");
  const Eigen::VectorXd w = Eigen::VectorXd::Constant(n, 1.0 / double(n));
  return Problem(w, w, uniform_matrix(rng, n, n, 0.0, 1.0));
}

Problem uniform_clouds(Eigen::Index n, Rng& rng, GroundCost cost, bool normalize) {
  if (n < 1) throw Error("uniform_clouds: n must be >= 1");
  const Eigen::MatrixXd X = uniform_matrix(rng, n, 2, 0.0, 1.0);
  const Eigen::MatrixXd Y = uniform_matrix(rng, n, 2, 0.0, 1.0);
  Problem p = from_point_clouds(X, Y, cost);
  return normalize && p.max_cost() > 0 ? p.scaled_cost(1.0 / p.max_cost()) : p;
}

}  // namespace descent::ot
