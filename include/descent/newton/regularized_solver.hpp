// Solves the regularised Newton system (H + λB) Δ = −g, the linear algebra of every method in
// descent::newton.
//
//   cholesky          factorise H + λB densely (Eigen LLT). A failed factorisation (H + λB not
//                     positive definite) is reported, never hidden behind an LDLT fallback: an
//                     indefinite system does not give a descent step.
//   sherman_morrison  for rank-one H = α v vᵀ, with P = λB:
//                       Δ = −P⁻¹g + α (vᵀP⁻¹g) / (1 + α vᵀP⁻¹v) · P⁻¹v,
//                     O(n) with B = I and O(n²) otherwise (B is factorised once, in Norm).
//                     This is the "fast implementation" of the rank-one Fisher case in
//                     A. Semenov, M. Jaggi, N. Doikov, "Gradient-Normalized Smoothness for
//                     Optimization with Approximate Hessians", arXiv:2506.13710, 2025.
#pragma once

#include <cstddef>
#include <string_view>

#include <Eigen/Core>

#include "descent/newton/hessian_source.hpp"
#include "descent/newton/norm.hpp"

namespace descent::newton {

enum class LinearSolver { cholesky, sherman_morrison };
std::string_view to_string(LinearSolver s) noexcept;
/// "cholesky" or "sherman-morrison" (also "wsm", the reference code's name); throws otherwise.
LinearSolver linear_solver_from_string(std::string_view name);

class RegularizedSolver {
 public:
  /// The metric must outlive the solver.
  RegularizedSolver(const Norm& metric, LinearSolver kind);
  /// delta = −(H + λB)⁻¹ g. Returns false when the Cholesky factorisation fails or the result
  /// is not finite (counted in failures()). Sherman–Morrison with a dense H throws
  /// descent::Error (misuse: the source is not rank one).
  bool solve(const Curvature& h, double lambda, const Eigen::VectorXd& g, Eigen::VectorXd& delta);
  /// Like solve() but also returns, for the Cholesky path, w = L⁻¹ B delta (cubic Newton needs
  /// deltaᵀB(H + λB)⁻¹B delta = ||w||²).
  bool solve_with_sensitivity(const Eigen::MatrixXd& h, double lambda, const Eigen::VectorXd& g,
                              Eigen::VectorXd& delta, double& sensitivity);

  std::size_t solves() const noexcept { return solves_; }
  std::size_t failures() const noexcept { return failures_; }
  LinearSolver kind() const noexcept { return kind_; }

 private:
  bool cholesky(const Eigen::MatrixXd& h, double lambda, const Eigen::VectorXd& g,
                Eigen::VectorXd& delta, double* sensitivity);
  const Norm& metric_;
  LinearSolver kind_;
  Eigen::MatrixXd work_;
  std::size_t solves_ = 0;
  std::size_t failures_ = 0;
};

}  // namespace descent::newton
