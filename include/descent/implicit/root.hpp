// Implicit differentiation of a root x*(θ) of an optimality function F(x, θ) = 0.
//
// M. Blondel, Q. Berthet, M. Cuturi, R. Frostig, S. Hoyer, F. Llinares-López, F. Pedregosa,
// J.-P. Vert, "Efficient and Modular Implicit Differentiation", NeurIPS 2022 (jaxopt).
//
// By the implicit function theorem, with A = −∂₁F and B = ∂₂F at (x*(θ), θ), J = ∂x*(θ) solves
// A J = B. Hence (jaxopt's root_vjp / root_jvp):
//   VJP:  solve (∂₁F)ᵀ u = −w,   then wᵀJ = uᵀ ∂₂F   (one adjoint solve per cotangent)
//   JVP:  solve (∂₁F) (Jt) = −∂₂F t                  (one solve per tangent)
// Only products with ∂₁F, ∂₁Fᵀ, ∂₂F, ∂₂Fᵀ are needed; no matrix is formed. Derivatives are first
// order only (jaxopt issue #141): the returned products are not themselves differentiable.
// Fixed points T(x, θ) = x are handled as roots of F = T − x (custom_fixed_point).
#pragma once

#include <functional>
#include <string>

#include "descent/implicit/linear_solve.hpp"

namespace descent::implicit {

/// F(x, θ) with its Jacobian products. `jvp_x` may be left empty: it then falls back to a
/// central finite difference of F (step 1e-6·max(1, ||x||)/||v||), good to about 1e-8.
struct Optimality {
  Eigen::Index dim_x = 0, dim_theta = 0;
  std::function<Vec(const Vec& x, const Vec& theta)> value;                    ///< F(x, θ)
  std::function<Vec(const Vec& x, const Vec& theta, const Vec& u)> vjp_x;      ///< (∂₁F)ᵀ u
  std::function<Vec(const Vec& x, const Vec& theta, const Vec& u)> vjp_theta;  ///< (∂₂F)ᵀ u
  std::function<Vec(const Vec& x, const Vec& theta, const Vec& v)> jvp_x;      ///< ∂₁F v
  std::function<Vec(const Vec& x, const Vec& theta, const Vec& t)> jvp_theta;  ///< ∂₂F t

  /// Throws descent::Error if a required product is missing (value, vjp_x, vjp_theta).
  void validate() const;
  /// ∂₁F at (x, θ) as an operator (with the FD fallback for jvp_x).
  LinearOperator jacobian_x(const Vec& x, const Vec& theta) const;
};

/// F = T − x for a fixed-point map T given with its products (custom_fixed_point).
Optimality fixed_point(Optimality t_map);

struct VjpResult {
  Vec value;                ///< wᵀ J (size dim_theta) or J t (size dim_x)
  LinearSolveResult solve;  ///< the linear solve behind it (status, residual, CG flag)
};

/// wᵀ ∂x*(θ) at a root x of F(·, θ). Throws descent::Error for wrong sizes.
VjpResult root_vjp(const Optimality& f, const Vec& x, const Vec& theta, const Vec& cotangent,
                   const LinearSolveOptions& options = {});
/// ∂x*(θ) t at a root x of F(·, θ). Needs jvp_theta. Throws descent::Error for wrong sizes.
VjpResult root_jvp(const Optimality& f, const Vec& x, const Vec& theta, const Vec& tangent,
                   const LinearSolveOptions& options = {});
/// The full Jacobian ∂x*(θ) (dim_x × dim_theta), one JVP per column, with the worst solve.
struct JacobianResult {
  Mat jacobian;
  LinearSolveResult worst;  ///< the solve with the largest residual
};
JacobianResult root_jacobian(const Optimality& f, const Vec& x, const Vec& theta,
                             const LinearSolveOptions& options = {});

/// A solver made differentiable (jaxopt's custom_root): `solver(init, θ)` returns x*(θ); after
/// run(), vjp()/jvp() give Jacobian products at that solution. The initial point gets no
/// gradient. Separate from any auxiliary output of the solver (jaxopt issue #232).
class CustomRoot {
 public:
  using Solver = std::function<Vec(const Vec& init, const Vec& theta)>;
  CustomRoot(Solver solver, Optimality optimality, LinearSolveOptions options = {});

  const Vec& run(const Vec& init, const Vec& theta);
  const Vec& solution() const { return x_; }
  /// ||F(x*, θ)||: how well the inner solver met the optimality condition.
  double residual() const;
  VjpResult vjp(const Vec& cotangent) const;
  VjpResult jvp(const Vec& tangent) const;
  const Optimality& optimality() const { return f_; }

 private:
  Solver solver_;
  Optimality f_;
  LinearSolveOptions options_;
  Vec x_, theta_;
};

}  // namespace descent::implicit
