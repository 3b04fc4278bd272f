// The weight rules every OT problem shares (private to descent_ot): Problem and CloudProblem
// validate and normalise their weights through these, so the messages are the same.
#pragma once

#include <Eigen/Core>

namespace descent::ot::detail {

/// Throws descent::Error if `w` is empty or has a non-finite or negative entry (named).
void check_weights(const Eigen::VectorXd& w, const char* name);
/// `w`, or uniform weights 1/n if `w` is empty; Error if its size is not n.
Eigen::VectorXd uniform_or(const Eigen::VectorXd& w, Eigen::Index n, const char* name);
/// Checks that the totals agree to kMassTolerance (relative) and are > 0, divides both by their
/// totals, and returns the original total of `a`.
double normalise_masses(Eigen::VectorXd& a, Eigen::VectorXd& b);

}  // namespace descent::ot::detail
