// Internal to descent::evo: ordered sets and maps keyed by a configuration (a row of doubles),
// for the searches' duplicate checks and the results log's replay; and the one checked call of
// a problem's evaluate that every search makes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <string>

#include <Eigen/Core>

#include "descent/core/error.hpp"
#include "descent/evo/nsga2.hpp"

namespace descent::evo::detail {

struct RowLess {
  bool operator()(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b) const {
    return std::lexicographical_compare(a.data(), a.data() + a.size(), b.data(),
                                        b.data() + b.size());
  }
};

using RowSet = std::set<Eigen::RowVectorXd, RowLess>;
template <class Value>
using RowMap = std::map<Eigen::RowVectorXd, Value, RowLess>;

/// problem.evaluate on the rows of X, its output checked: one row of `objectives` finite values
/// per point, else descent::Error naming `who` and the evaluation's number (`done` evaluations
/// came before this batch).
inline Eigen::MatrixXd checked_evaluate(const Problem& problem, const Eigen::MatrixXd& X,
                                        Eigen::Index done, const char* who) {
  Eigen::MatrixXd F(X.rows(), problem.objectives);
  problem.evaluate(X, F);
  if (F.rows() != X.rows() || F.cols() != problem.objectives)
    throw Error(std::string(who) + ": evaluate wrote a " + std::to_string(F.rows()) + " x " +
                std::to_string(F.cols()) + " matrix for " + std::to_string(X.rows()) +
                " points and " + std::to_string(problem.objectives) + " objectives");
  for (Eigen::Index r = 0; r < F.rows(); ++r)
    if (!F.row(r).allFinite())
      throw Error(std::string(who) + ": evaluation " + std::to_string(done + r + 1) +
                  " has a non-finite objective");
  return F;
}

/// The evaluated points of a run and the budget they count against.
struct Evaluator {
  const Problem& problem;
  const char* who = "evo";  // named in errors
  Eigen::MatrixXd all_X, all_F;
  std::size_t count = 0;
  RowSet seen;  // every evaluated point: offspring that repeat one are redrawn

  Eigen::MatrixXd operator()(const Eigen::MatrixXd& X) {
    const Eigen::MatrixXd F =
        detail::checked_evaluate(problem, X, static_cast<Eigen::Index>(count), who);
    const Eigen::Index old = all_X.rows();
    all_X.conservativeResize(old + X.rows(), X.cols());
    all_F.conservativeResize(old + F.rows(), F.cols());
    all_X.bottomRows(X.rows()) = X;
    all_F.bottomRows(F.rows()) = F;
    for (Eigen::Index r = 0; r < X.rows(); ++r) seen.insert(X.row(r));
    count += static_cast<std::size_t>(X.rows());
    return F;
  }
};

}  // namespace descent::evo::detail
