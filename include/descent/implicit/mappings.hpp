// Ready optimality mappings (the catalogue of Blondel et al., NeurIPS 2022, Table 1 / jaxopt):
//
//   stationarity          F = ∇₁f(x, θ)                                      (GradientDescent)
//   proximal gradient     F = prox_{ηg}(x − η∇₁f(x, θ), θ) − x         (ProximalGradient; lasso)
//   projected gradient    F = proj_C(x − η∇₁f(x, θ)) − x                   (ProjectedGradient)
//   block coord. descent  F = prox(x − η_b∇₁f) − x, one step size per block
//   (BlockCoordinateDescent) mirror descent (KL)   F = normalize(x ∘ exp(−η∇₁f(x, θ))) − x   on the
//   simplex (MirrorDescent) KKT of a QP           F = (Qx + q + Aᵀν + Gᵀλ, Ax − b, λ∘(Gx − h)),  θ
//   = (q, b, h)
//
// jaxopt fixes η = 1 in the prox/mirror mappings; the fixed point does not depend on η but the
// conditioning of ∂₁F does, so η is exposed here (spec 2.2). The KKT mapping ignores dual
// feasibility, as jaxopt does; at a degenerate point (active constraint, zero multiplier) ∂₁F
// is singular and a ridge is needed.
#pragma once

#include <functional>

#include "descent/implicit/root.hpp"

namespace descent::implicit {

/// f(x, θ) through its gradient and second-order products.
struct SmoothObjective {
  Eigen::Index dim_x = 0, dim_theta = 0;
  std::function<double(const Vec& x, const Vec& theta)> value;           ///< f (optional)
  std::function<Vec(const Vec& x, const Vec& theta)> grad;               ///< ∇₁f
  std::function<Vec(const Vec& x, const Vec& theta, const Vec& v)> hvp;  ///< ∇²₁₁f v (symmetric)
  std::function<Vec(const Vec& x, const Vec& theta, const Vec& u)> cross_vjp;  ///< (∂₂∇₁f)ᵀ u
  std::function<Vec(const Vec& x, const Vec& theta, const Vec& t)> cross_jvp;  ///< ∂₂∇₁f t
  void validate() const;
};

/// prox_{η g(·, θ)}(z) with its products. The Jacobian in z of a prox (or projection) of a
/// convex function is symmetric, so one product serves both directions. η is per coordinate.
struct Prox {
  std::function<Vec(const Vec& z, const Vec& theta, const Vec& eta)> value;
  std::function<Vec(const Vec& z, const Vec& theta, const Vec& eta, const Vec& v)> jvp_z;
  std::function<Vec(const Vec& z, const Vec& theta, const Vec& eta, const Vec& u)> vjp_theta;
  std::function<Vec(const Vec& z, const Vec& theta, const Vec& eta, const Vec& t)> jvp_theta;
};

/// Soft thresholding at η·λ, λ = θ[index] (lasso, g = λ||x||₁).
Prox lasso_prox(Eigen::Index theta_index = 0);
/// Block soft thresholding at η·λ per group of `group_size` consecutive coordinates
/// (group lasso, g = λ Σ_g ||x_g||₂), λ = θ[index].
Prox group_lasso_prox(Eigen::Index group_size, Eigen::Index theta_index = 0);
/// Projection onto the box [lo, hi] (θ-independent).
Prox box_projection(double lo, double hi);
/// Projection of each consecutive block of `block_size` coordinates onto the probability simplex
/// (θ-independent; one block = the whole vector when block_size equals its length).
Prox simplex_projection(Eigen::Index block_size);

/// Euclidean projection onto the probability simplex (sort-based, Held et al. 1974).
Vec project_simplex(const Vec& z);

/// F = ∇₁f.
Optimality stationarity(SmoothObjective f);
/// F = prox(x − η∘∇₁f(x, θ), θ, η) − x. `eta` has size 1 (broadcast) or dim_x.
Optimality proximal_gradient(SmoothObjective f, Prox prox, Vec eta);
/// F = proj(x − η∇₁f(x, θ)) − x (a Prox that ignores θ and η).
Optimality projected_gradient(SmoothObjective f, Prox projection, double eta);
/// Block coordinate descent: the prox-gradient fixed point with step 1/L_b on each block of
/// `block_steps.size()` equal blocks (jaxopt's BlockCoordinateDescent.optimality_fun).
Optimality block_coordinate_descent(SmoothObjective f, Prox prox, const Vec& block_steps);
/// Mirror descent with the KL geometry on the simplex: F = softmax(log x − η∇₁f(x, θ)) − x.
/// Needs x > 0 entrywise (the fixed point of an entropic problem is interior).
Optimality mirror_descent_kl(SmoothObjective f, double eta);

/// min ½xᵀQx + qᵀx  s.t. Ax = b, Gx ≤ h. A or G may have zero rows.
struct QuadraticProgram {
  Mat Q, A, G;
  Eigen::Index dim() const { return Q.rows(); }
  Eigen::Index n_eq() const { return A.rows(); }
  Eigen::Index n_ineq() const { return G.rows(); }
};
/// KKT residual in z = (x, ν, λ) with θ = (q, b, h) (sizes d, n_eq, n_ineq).
Optimality kkt(QuadraticProgram qp);

}  // namespace descent::implicit
