// Generators for the linear-system families of "Learning to Relax" and for benchmarks.
//
// M. Khodak, E. Chow, M.-F. Balcan and A. Talwalkar, "Learning to Relax: Setting Solver
// Parameters Across a Sequence of Linear System Instances", ICLR 2024, Appendix G:
//  - shifted Laplacians A_t = A + c_t I, A = delsq(numgrid('S', m + 2)) (5-point, diagonal 4),
//    c_t = -0.15 + 0.6 u with u ~ Beta(2, 6) (low variance) or Beta(1/2, 3/2) (high variance),
//    and right-hand sides b ~ N(0, I) rejection-truncated to ||b|| <= sqrt(n) (the code's bound;
//    the appendix says n);
//  - the 2-D heat equation u_t = kappa(t) Laplace(u) + f on [0,1]^2 with zero Dirichlet
//    boundary, Crank-Nicolson steps of length dt, kappa(t) = max(0.1 sin 2 pi t, -10 sin 2 pi t)
//    (the code's value; the paper's text says 0.01), a forcing bump moving on a circle and a bump
//    as the initial condition. Each step solves
//      A_t = I - (kappa dt / 2) L_h,   b_t = (I + (kappa dt / 2) L_h) u + dt f,
//    with kappa and f taken at the half step t + dt/2, as in the code's Heat2D.m.
#pragma once

#include <cstddef>
#include <utility>

#include "descent/core/rng.hpp"
#include "descent/linalg/csr.hpp"

namespace descent::linalg {

/// 5-point Dirichlet Laplacian on an m x m interior grid, unscaled (diagonal 4, neighbours -1):
/// MATLAB's delsq(numgrid('S', m + 2)); n = m^2. Throws descent::Error for m < 1.
SparseMatrix laplacian_2d(int m);
/// 7-point Dirichlet Laplacian on an m x m x m interior grid (diagonal 6, neighbours -1).
SparseMatrix laplacian_3d(int m);
/// A + c I (A must have every diagonal entry stored).
SparseMatrix shift_diagonal(const SparseMatrix& a, double c);

/// A draw from Beta(alpha, beta) (ratio of gammas).
double sample_beta(Rng& rng, double alpha, double beta);

/// The paper's shift distribution c = lo + width * Beta(alpha, beta).
struct ShiftDistribution {
  double alpha = 2.0;
  double beta = 6.0;
  double lo = -0.15;
  double width = 0.6;

  static ShiftDistribution low_variance() { return {2.0, 6.0, -0.15, 0.6}; }
  static ShiftDistribution high_variance() { return {0.5, 1.5, -0.15, 0.6}; }
  /// "low" or "high"; throws descent::Error otherwise.
  static ShiftDistribution named(std::string_view name);
  double sample(Rng& rng) const { return lo + width * sample_beta(rng, alpha, beta); }
};

/// b ~ N(0, I_n) conditioned on ||b|| <= radius (rejection; radius <= 0 means sqrt(n)).
Vector truncated_normal(Rng& rng, Eigen::Index n, double radius = 0.0);

/// exp(1 - 1 / (1 - |p - c|^2 / r^2)) inside the disc of radius r around c, 0 outside.
double bump(double px, double py, double cx, double cy, double r);

struct Heat2DOptions {
  int nx = 100;      ///< grid intervals per side: (nx - 1)^2 unknowns, dx = 1/nx (default 100)
  double dt = 1e-3;  ///< time step (default 1e-3: 5000 steps reach t = 5, the paper's setup)

  void validate() const;
};

/// The paper's heat-equation simulation, one Crank-Nicolson system per step.
class Heat2D {
 public:
  explicit Heat2D(Heat2DOptions options = {});

  /// kappa(t) = max(0.1 sin 2 pi t, -10 sin 2 pi t), in [0, 10].
  static double diffusion(double t);
  /// f(t, x, y) = 32 bump((x, y); (1/2 + cos(16 pi t)/4, 1/2 + sin(16 pi t)/4), 1/8).
  static double forcing(double t, double x, double y);
  /// min and max of kappa over linspace(0, steps * dt, steps): the context range the paper's
  /// contextual learners are given.
  static std::pair<double, double> diffusion_range(std::size_t steps, double dt);

  Eigen::Index size() const noexcept { return u_.size(); }
  int nx() const noexcept { return options_.nx; }
  double dt() const noexcept { return options_.dt; }
  double time() const noexcept { return t_; }
  std::size_t steps_taken() const noexcept { return steps_; }
  /// The context the paper's learners see for the next step: kappa(time()).
  double context() const { return diffusion(t_); }

  /// The system advancing the state from time() to time() + dt. `a` is overwritten (its storage
  /// is reused when it already has the right pattern, so a loop allocates once).
  void system(SparseMatrix& a, Vector& b) const;
  /// Accepts the solution of system() as the new state and advances time by dt.
  void advance(const Vector& u_next);
  const Vector& state() const noexcept { return u_; }
  /// L_h: the 5-point Laplacian scaled by 1/dx^2 (negative definite).
  const SparseMatrix& laplacian() const noexcept { return l_; }

 private:
  Heat2DOptions options_;
  SparseMatrix l_;
  std::vector<int> diagonal_;
  Vector u_;
  mutable Vector lu_;
  double t_ = 0.0;
  std::size_t steps_ = 0;
};

}  // namespace descent::linalg
