// Pareto dominance, non-dominated sorting and crowding distance for minimised objectives.
//
// K. Deb, A. Pratap, S. Agarwal, T. Meyarivan, "A Fast and Elitist Multiobjective Genetic
// Algorithm: NSGA-II", IEEE Trans. Evol. Comput. 6(2), 2002 (fast non-dominated sort, crowding
// distance). Objective matrices have one point per row, every objective minimised (maximise
// accuracy by minimising −accuracy).
#pragma once

#include <vector>

#include <Eigen/Core>

namespace descent::evo {

/// Row i of f dominates row j: no worse in every objective and better in at least one.
bool dominates(const Eigen::MatrixXd& f, Eigen::Index i, Eigen::Index j) noexcept;
bool dominates(const Eigen::Ref<const Eigen::RowVectorXd>& a,
               const Eigen::Ref<const Eigen::RowVectorXd>& b) noexcept;

/// The fronts F1, F2, ... (row indices, each front in increasing index order): F1 is the
/// non-dominated set, F2 the non-dominated set of the rest, and so on. O(M N^2).
std::vector<std::vector<Eigen::Index>> non_dominated_sort(const Eigen::MatrixXd& f);

/// Indices of the non-dominated rows (the first front). Equal rows are all kept.
std::vector<Eigen::Index> pareto_front(const Eigen::MatrixXd& f);

/// Crowding distance of each member of `front` (same order): for every objective the members
/// sorted by it, extremes infinite, inner points the gap between their neighbours divided by the
/// objective's range on the front (pymoo's and Deb's normalisation). A front of one or two
/// points is all infinite; an objective constant on the front contributes nothing to any point,
/// its extremes included (pymoo: inf / 0 range becomes 0), so ties break at random.
std::vector<double> crowding_distance(const Eigen::MatrixXd& f,
                                      const std::vector<Eigen::Index>& front);

}  // namespace descent::evo
