// Exact hypervolume of a set of points in 2 or 3 minimised objectives: the Lebesgue measure of
// the region they dominate, bounded by a reference point.
//
// 2-D: sort by f1, sum the rectangles (Fonseca, Paquete, López-Ibáñez, CEC 2006). 3-D: sweep
// along f3 and keep the 2-D front of the points seen so far (the HV3D sweep idea of Beume,
// Fonseca, López-Ibáñez, Paquete, Vahrenhold, IEEE TEC 13(5), 2009), O(n^2) here, which is
// instant for the populations and fronts of descent's searches (a few thousand points).
#pragma once

#include <vector>

#include <Eigen/Core>

namespace descent::evo {

/// The hypervolume of the rows of f (n x 2 or n x 3) against `ref`. Every point must be strictly
/// better than ref in every objective (descent::Error naming the first that is not, as
/// pagmo::hypervolume requires); dominated and duplicate points are allowed and add nothing.
/// Non-finite values are an error. An empty set has hypervolume 0.
double hypervolume(const Eigen::MatrixXd& f, const Eigen::VectorXd& ref);

/// The same over only the points strictly better than ref in every objective (the others add
/// nothing): for fronts of a search whose early points may lie beyond the reference.
double hypervolume_within(const Eigen::MatrixXd& f, const Eigen::VectorXd& ref);

}  // namespace descent::evo
