// Second-order oracles: f, its gradient, its Hessian and named Hessian approximations.
//
// The objectives of A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for
// Optimization with Approximate Hessians", arXiv:2506.13710, 2025 (ICLR 2026) are built on this
// interface: LogSumExp, nonlinear equations (linear, Chebyshev chain, Rosenbrock), logistic and
// softmax regression. descent::newton's methods take an Oracle; descent::core's
// DifferentiableFunction is its first-order part, so first-order methods accept an Oracle too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "descent/core/problems.hpp"

namespace descent::problems {

/// Which curvature matrix H(x) a second-order method uses.
enum class HessianApproximation {
  exact,                  ///< the true Hessian ∇²f(x)
  weighted_gauss_newton,  ///< "wgn": drops the negative rank-one part of a LogSumExp Hessian
  fisher,                 ///< "fisher": the rank-one Fisher term of (1/p)||u||^p
  gauss_newton_fisher,    ///< "gn-fisher": ||u||^{p-2} JᵀJ + Fisher term ("inexact Hessian")
  bound,                  ///< "bound": a constant curvature bound (Böhning) for GLM losses
};

/// Short CLI names: exact, wgn, fisher, gn-fisher, bound.
std::string_view to_string(HessianApproximation a) noexcept;
/// Parses the short names (and the long enum names); throws descent::Error otherwise.
HessianApproximation approximation_from_string(std::string_view name);

/// A rank-one symmetric matrix alpha * v vᵀ (alpha >= 0 for the approximations here).
struct RankOne {
  double alpha = 0.0;
  Eigen::VectorXd v;
};

/// A twice-differentiable objective with optional structured Hessian approximations.
class Oracle : public DifferentiableFunction {
 public:
  virtual std::string name() const = 0;
  /// The exact Hessian at x (resized to n x n).
  virtual void hessian(const Eigen::VectorXd& x, Eigen::MatrixXd& h) const = 0;
  /// The approximations this oracle offers besides `exact` (which every oracle offers).
  virtual std::vector<HessianApproximation> approximations() const { return {}; }
  bool offers(HessianApproximation a) const;
  /// H̃(x) as a dense matrix. `exact` calls hessian(); an approximation the oracle does not
  /// offer throws descent::Error naming the oracle and the offered ones.
  void approximate_hessian(const Eigen::VectorXd& x, HessianApproximation a,
                           Eigen::MatrixXd& h) const;
  /// True (and fills r) when H̃(x) of kind `a` is exactly rank one, so that (λB + H̃) can be
  /// solved by Sherman–Morrison. Default: false.
  virtual bool rank_one(const Eigen::VectorXd& x, HessianApproximation a, RankOne& r) const;

 protected:
  /// Called by approximate_hessian for kinds listed in approximations().
  virtual void approximation(const Eigen::VectorXd& x, HessianApproximation a,
                             Eigen::MatrixXd& h) const;
  /// Throws descent::Error if x has the wrong size.
  void check_dimension(const Eigen::VectorXd& x, const char* where) const;
};

}  // namespace descent::problems
