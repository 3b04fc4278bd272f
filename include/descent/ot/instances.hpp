// Seeded OT test instances: the settings of Tang et al. (ICLR 2024), Table 1, and friends.
#pragma once

#include <Eigen/Core>

#include "descent/core/rng.hpp"
#include "descent/ot/problem.hpp"

namespace descent::ot {

/// Random linear assignment: uniform weights 1/n on both sides, C_ij ~ U[0, 1) i.i.d.
Problem random_assignment(Eigen::Index n, Rng& rng);

/// Two independent clouds of n points uniform in [0, 1]^2 with uniform weights. With
/// `normalize`, the cost is divided by its maximum (the spec's "sq. Euclidean / max").
Problem uniform_clouds(Eigen::Index n, Rng& rng, GroundCost cost = GroundCost::sqeuclidean,
                       bool normalize = true);

}  // namespace descent::ot
