// BO-REP: bilevel optimisation under unbounded smoothness, and SOBA as its un-normalised cousin.
//
// J. Hao, X. Gong, M. Liu, "Bilevel Optimization under Unbounded Smoothness: A New Algorithm
// and Convergence Analysis", ICLR 2024 (Algorithm 1). SOBA: M. Dagréou, P. Ablin, S. Vaiter,
// T. Moreau, "A framework for bilevel optimization that enables stochastic and global variance
// reduction algorithms", NeurIPS 2022.
//
//   y_0 ← Epoch-SGD(x_0)                             (initialisation refinement, Algorithm 3)
//   for t = 0..T−1:
//     if t mod I == 0: N SGD steps y ← y − α∇_y G(x_t, y)  (periodic updates, Algorithm 2)
//     z ← Π_{‖z‖≤R}(z − ν[∇²_yy G z − ∇_y F])          (one SGD step on ½zᵀHz − zᵀ∇_y f)
//     ĝ = ∇_x F − ∇²_xy G z
//     m ← βm + (1−β)ĝ;  x ← x − η m/‖m‖                 (normalised momentum)
// Algorithm 1's order is used (y first, then z and ĝ at (x_t, y_t)); the official data-cleaning
// script takes the HVP before updating y. z_0 = 0 (the code uses a Xavier draw) and the LL
// steps are plain SGD (the code never zeroes its gradients). Setting normalized = false gives
// the un-normalised momentum x ← x − ηm; soba_options() gives SOBA.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "descent/bilevel/problem.hpp"
#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"

namespace descent::bilevel {

struct BoRepOptions {
  double eta = 0.01;              ///< UL step η (length of each normalised step), > 0
  double beta = 0.9;              ///< momentum β in [0, 1)
  double nu = 0.01;               ///< z step ν, > 0 (stable for ν < 2/L of ∇²_yy g)
  double lower_step = 0.05;       ///< LL SGD step α, > 0
  std::size_t update_period = 2;  ///< I: update y when t mod I == 0, >= 1
  std::size_t lower_steps = 3;    ///< N: SGD steps per LL update, >= 1
  bool normalized = true;         ///< false: x ← x − ηm (un-normalised; with β = 0, SOBA)
  double z_radius = std::numeric_limits<double>::infinity();  ///< R of Π_{‖z‖≤R}; inf = none
  /// Epoch-SGD refinement of y_0: epochs (0 = off), first step, first epoch length. Each
  /// epoch halves the step and doubles the length; an epoch returns its average iterate.
  std::size_t refine_epochs = 0;
  double refine_step = 0.05;
  std::size_t refine_epoch_length = 10;
  std::size_t max_iterations = 1000;  ///< T
  /// Converged when the exact hypergradient (if the problem has one) has norm ≤ this; 0 = off.
  double gradient_tolerance = 0.0;
  /// Diverged when an entry of x, y, z or m turns non-finite or exceeds this in magnitude.
  double divergence_threshold = 1e100;
  std::uint64_t seed = 0;  ///< stream for the problem's minibatches
  bool record_history = false;
  std::size_t history_stride = 1;

  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("eta", eta, "upper-level step");
    f("beta", beta, "momentum in [0, 1)");
    f("nu", nu, "z step");
    f("lower_step", lower_step, "lower-level SGD step");
    f("update_period", update_period, "update y every I iterations");
    f("lower_steps", lower_steps, "SGD steps per lower-level update");
    f("normalized", normalized, "normalised upper-level steps");
    f("z_radius", z_radius, "radius of the z ball; inf = none");
    f("refine_epochs", refine_epochs, "Epoch-SGD refinement of y_0; 0 = off");
    f("refine_step", refine_step, "first refinement step");
    f("refine_epoch_length", refine_epoch_length, "first refinement epoch length");
    f("gradient_tolerance", gradient_tolerance, "converged when the exact hypergradient is below");
    f("divergence_threshold", divergence_threshold, "diverged when an entry exceeds this");
    f("seed", seed, "minibatch stream");
    run_fields(f, max_iterations, record_history, &history_stride);
  }
};

/// SOBA: β = 0, un-normalised, I = N = 1, step `step` for x and `lower_step` for y and z.
BoRepOptions soba_options(double step, double lower_step);

struct BoRepState {
  Vec x, y, z, m;
  /// z = m = 0; y0 as given (refined by Epoch-SGD when the options ask for it).
  static BoRepState start(const BilevelProblem& problem, Vec x0, Vec y0);
};

/// Epoch-SGD on g(x, ·) from y: `epochs` epochs, the k-th with step step/2^k and length
/// length·2^k; returns the last epoch's average. `lengths`/`steps` (optional) receive the
/// schedule used.
Vec epoch_sgd(BilevelProblem& problem, const Vec& x, Vec y, double step, std::size_t length,
              std::size_t epochs, Rng& rng, std::vector<std::size_t>* lengths = nullptr,
              std::vector<double>* steps = nullptr);

/// Runs BO-REP (state updated in place). Summary: objective = f(x, y) on the last sample;
/// gradient_norm = ‖∇Φ(x)‖ when the problem knows it, else ‖ĝ‖. Counters: "lower_updates",
/// "lower_steps", "hvp", "min_true_gradient_norm" (when known).
Summary minimize_borep(BilevelProblem& problem, BoRepState& state, const BoRepOptions& options = {},
                       Callbacks callbacks = {});

}  // namespace descent::bilevel
