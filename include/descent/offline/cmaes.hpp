// CMA-ES, (μ/μ_w, λ) with rank-one and rank-μ updates and cumulative step-size adaptation:
// N. Hansen, "The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772 (2016), with the
// default parameters of its Table 1. Ask/tell, so that many independent runs can evaluate
// their populations in one batch (the surrogate is a network: one forward pass for all).
// Maximises.
#pragma once

#include <cstdint>

#include <Eigen/Core>

#include "descent/core/rng.hpp"

namespace descent::offline {

struct CmaesOptions {
  double sigma = 0.5;    ///< initial step size (in the z-scored inputs). Default 0.5.
  int population = 0;    ///< λ; 0 = 4 + ⌊3 ln n⌋
  int iterations = 100;  ///< generations. Default 100 (design-baselines' cma_max_iterations)
  std::uint64_t seed = 0;
  void validate() const;
};

class Cmaes {
 public:
  Cmaes(const Eigen::VectorXd& start, const CmaesOptions& options);
  /// The next population, one candidate per row (λ × n).
  const Eigen::MatrixXd& ask();
  /// Values of the rows returned by the last ask() (to be maximised).
  void tell(const Eigen::VectorXd& values);
  /// The best candidate seen so far and its value.
  const Eigen::VectorXd& best() const noexcept { return best_x_; }
  double best_value() const noexcept { return best_f_; }
  /// The distribution's mean (the usual final answer of a run).
  const Eigen::VectorXd& mean() const noexcept { return m_; }
  double sigma() const noexcept { return sigma_; }
  int population() const noexcept { return lambda_; }
  int generation() const noexcept { return generation_; }

 private:
  void decompose();
  Eigen::Index n_;
  int lambda_, mu_;
  Eigen::VectorXd weights_;
  double mueff_, cc_, cs_, c1_, cmu_, damps_, chi_n_;
  Eigen::VectorXd m_, ps_, pc_;
  Eigen::MatrixXd c_, b_;
  Eigen::VectorXd d_;
  double sigma_;
  Eigen::MatrixXd z_, y_, x_;  // the last population: standard normal, B·D·z, candidates
  Rng rng_;
  int generation_ = 0;
  Eigen::VectorXd best_x_;
  double best_f_;
};

}  // namespace descent::offline
