// Where a second-order method takes its curvature matrix H(x) from: the exact Hessian, one of
// an oracle's named approximations, or any user callable.
//
// A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for Optimization with
// Approximate Hessians", arXiv:2506.13710, 2025 (ICLR 2026): the method only needs *some*
// H(x) ⪰ 0-ish matrix whose linearisation g(x) + H(x)(y − x) approximates ∇f(y) well in relative
// terms; the choice of H is a plug-in. Rank-one curvature α v vᵀ is kept factored so that the
// step can be solved by Sherman–Morrison (see regularized_solver.hpp).
#pragma once

#include <functional>
#include <string>

#include <Eigen/Core>

#include "descent/problems/oracle.hpp"

namespace descent::newton {

/// One evaluation of H(x): dense, or rank one.
struct Curvature {
  bool is_rank_one = false;
  Eigen::MatrixXd dense;     ///< valid when !is_rank_one
  problems::RankOne factor;  ///< valid when is_rank_one: H = alpha v vᵀ
  /// The dense matrix in either case.
  void to_dense(Eigen::MatrixXd& h) const;
};

class HessianSource {
 public:
  using DenseFn = std::function<void(const Eigen::VectorXd& x, Eigen::MatrixXd& h)>;
  using RankOneFn = std::function<void(const Eigen::VectorXd& x, problems::RankOne& r)>;

  /// ∇²f(x). The oracle must outlive the source.
  static HessianSource exact(const problems::Oracle& f);
  /// The oracle's approximation `a` (rank one when the oracle says so at x). Throws
  /// descent::Error if the oracle does not offer `a`.
  static HessianSource approximation(const problems::Oracle& f, problems::HessianApproximation a);
  /// Any callable filling a dense symmetric n x n matrix.
  static HessianSource callable(DenseFn fn, std::string name = "user");
  /// Any callable returning a rank-one factor alpha v vᵀ.
  static HessianSource rank_one_callable(RankOneFn fn, std::string name = "user-rank-one");

  void evaluate(const Eigen::VectorXd& x, Curvature& c) const;
  const std::string& name() const noexcept { return name_; }

 private:
  std::function<void(const Eigen::VectorXd&, Curvature&)> eval_;
  std::string name_;
};

}  // namespace descent::newton
