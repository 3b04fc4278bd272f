// Update rules shared by the bilevel methods, written once on Eigen vectors/matrices.
//
//   MSVR   (Jiang et al., "Multi-block-single-probe variance reduced estimator", 2022; BSVRB §4.1)
//   STORM  (Cutkosky & Orabona, NeurIPS 2019)
//   normalised momentum step (BO-REP, Hao et al., ICLR 2024)
//   projections: eigenvalue floor Π_Ω (BSVRB v1), ℓ2 ball (BO-REP z, BSVRB v2), half-spaces
//   (Hildreth's method, LV-HBA's polyhedral C)
#pragma once

#include <cstddef>
#include <limits>

#include <Eigen/Core>

namespace descent::bilevel {

/// MSVR for a sampled block: U ← (1−α)U + (α+γ)h(e_t) − γ h(e_{t−1}), both h on the same
/// samples. With γ = 0 this is a moving average; with α = 1, γ = 0 it returns h(e_t).
template <class T>
void msvr_update(T& u, const T& h_new, const T& h_old, double alpha, double gamma) {
  u = (1.0 - alpha) * u + (alpha + gamma) * h_new - gamma * h_old;
}

/// The MSVR γ of the theory: (m − I)/(I(1 − α)); 0 when every block is sampled or α = 1.
double msvr_theory_gamma(std::size_t blocks, std::size_t sampled, double alpha);

/// STORM: z ← (1−β)(z − G_old) + G_new, both gradients on the same samples. β = 1 gives SGD.
template <class T>
void storm_update(T& z, const T& g_new, const T& g_old, double beta) {
  z = (1.0 - beta) * (z - g_old) + g_new;
}

/// Normalised step x ← x − η m/‖m‖ (unchanged when m = 0). Returns the step length.
double normalized_step(Eigen::VectorXd& x, const Eigen::VectorXd& m, double eta);

/// Π_Ω: symmetrise H, clamp its eigenvalues to ≥ lambda_lb, reassemble (in place).
void project_min_eigenvalue(Eigen::MatrixXd& h, double lambda_lb);

/// Projection onto {‖v‖ ≤ radius}; radius = inf is the identity.
void project_ball(Eigen::VectorXd& v, double radius);

/// Options of Hildreth's dual coordinate ascent for the projection onto {u : Au ≤ b}.
struct HildrethOptions {
  double tolerance = 1e-8;         ///< stop when max_i (a_iᵀu − b_i) ≤ tolerance
  std::size_t max_sweeps = 10000;  ///< full passes over the constraints
};

/// Projects v onto {u : a_iᵀu ≤ b_i ∀i} given as rows of A (dense). `mu` holds the dual
/// multipliers (size rows(A)); pass the previous call's mu to warm-start (zeros otherwise).
/// Returns the largest remaining violation.
double project_halfspaces(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, Eigen::VectorXd& v,
                          Eigen::VectorXd& mu, const HildrethOptions& options = {});

/// Projection onto the affine set {u : Au = b} with A of full row rank: u − Aᵀ(AAᵀ)⁻¹(Au − b).
/// Precompute the factorisation once with AffineProjector for repeated use.
class AffineProjector {
 public:
  AffineProjector() = default;
  AffineProjector(Eigen::MatrixXd a, Eigen::VectorXd b);
  void apply(Eigen::VectorXd& u) const;
  const Eigen::MatrixXd& a() const noexcept { return a_; }

 private:
  Eigen::MatrixXd a_, pinv_;  // pinv_ = Aᵀ(AAᵀ)⁻¹ (computed with a pseudo-inverse)
  Eigen::VectorXd b_;
};

/// True if every entry is finite and |entry| ≤ limit.
bool all_finite(const Eigen::VectorXd& v, double limit = std::numeric_limits<double>::max());

}  // namespace descent::bilevel
