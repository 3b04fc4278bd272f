// BSVRB v1/v2 for multi-block bilevel optimisation, and the RSVRB baseline.
//
// Q. Hu, Z.-H. Qiu, Z. Guo, L. Zhang, T. Yang, "Blockwise Stochastic Variance-Reduced Methods
// with Parallel Speedup for Multi-Block Bilevel Optimization", ICML 2023.
// RSVRB: Z. Guo, Q. Hu, L. Zhang, T. Yang, "Randomized stochastic variance-reduced methods for
// multi-task stochastic bilevel optimization", arXiv:2105.02266, 2021.
//
// Iteration t samples I of the m blocks (reshuffled every pass over the blocks) and, inside
// each, a minibatch of B samples (MultiBlockProblem::sample). For a sampled block i:
//   s_i ← MSVR(∇_y g_i)                                        (LL gradient estimator)
//   v1: H_i ← Π_Ω(MSVR(∇²_yy g_i)),  w_i = H_i⁻¹∇_y f_i         (Π_Ω: eigenvalues ≥ λ_lb)
//   v2: u_i ← MSVR(∇²_yy g_i v_i − ∇_y f_i),  w_i = v_i          (HVPs only)
//   G_t = (1/I)Σ_i [∇_x f_i − ∇²_xy g_i w_i] at the new point; G' the same at the old point
//   z ← (1−β)(z − G') + G_t (STORM);  x ← x − η z;  y_i ← y_i − τ s_i;  v_i ← Π(v_i − τ_v u_i)
// Only sampled blocks move (the paper; the official HO code moves all blocks). Estimators start
// from their first sampled value (the code draws U(0,1), which is not SPD for H).
// Stability rule: with partial blocks the theory γ = (m−I)/(I(1−α)) is large, and τ, η must be
// ≲ 1/γ; a fixed γ (the HO scripts use 1) is the practical choice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string_view>
#include <vector>

#include "descent/bilevel/problem.hpp"
#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"

namespace descent::bilevel {

enum class BsvrbVersion { v1, v2 };
enum class GammaRule { fixed, theory };

struct BsvrbOptions {
  BsvrbVersion version = BsvrbVersion::v2;   ///< v1 tracks Hessians, v2 tracks HVPs
  std::size_t blocks_per_iteration = 0;      ///< I; 0 = all m blocks
  std::size_t batch = 1;                     ///< B samples per sampled block
  double eta = 0.1;                          ///< UL step η, > 0
  double tau = 0.3;                          ///< LL step τ, > 0
  double tau_v = 0.3;                        ///< v step τ_v (v2), > 0
  double beta = 0.5;                         ///< STORM β in (0, 1]; 1 = SGD
  double alpha = 0.5;                        ///< MSVR α in (0, 1]
  GammaRule gamma_rule = GammaRule::theory;  ///< MSVR γ: theory (m−I)/(I(1−α)) or fixed
  double gamma = 1.0;                        ///< the fixed γ (used when gamma_rule = fixed)
  double lambda_lb = 1e-2;                   ///< Π_Ω eigenvalue floor (v1), > 0
  double v_radius = std::numeric_limits<double>::infinity();  ///< ‖v_i‖ bound (v2)
  bool decay_eta = false;  ///< η_t = η/√(t+1) instead of a constant
  std::size_t max_iterations = 1000;
  double divergence_threshold = 1e12;  ///< |entry| above this (or non-finite) = diverged
  std::uint64_t seed = 0;              ///< block and minibatch sampling
  bool record_history = false;
  std::size_t history_stride = 1;

  void validate() const;
  /// The fields by name (descent/core/settings.hpp); the version is the method's name.
  template <class Fields>
  void fields(Fields& f) {
    f("blocks_per_iteration", blocks_per_iteration, "I; 0 = all blocks");
    f("batch", batch, "samples per sampled block");
    f("eta", eta, "upper-level step");
    f("tau", tau, "lower-level step");
    f("tau_v", tau_v, "v step (v2)");
    f("beta", beta, "STORM beta in (0, 1]");
    f("alpha", alpha, "MSVR alpha in (0, 1]");
    f.choice("gamma_rule", gamma_rule, {{"theory", GammaRule::theory}, {"fixed", GammaRule::fixed}},
             "MSVR gamma");
    f("gamma", gamma, "the fixed gamma");
    f("lambda_lb", lambda_lb, "eigenvalue floor (v1)");
    f("v_radius", v_radius, "bound on |v_i| (v2)");
    f("decay_eta", decay_eta, "eta_t = eta / sqrt(t + 1)");
    f("divergence_threshold", divergence_threshold, "diverged when an entry exceeds this");
    f("seed", seed, "block and minibatch sampling");
    run_fields(f, max_iterations, record_history, &history_stride);
  }
};

std::string_view to_string(BsvrbVersion v) noexcept;

/// RSVRB: STORM estimators of ∇_y g_i, ∇_y f_i, ∇²_xy g_i and ∇²_yy g_i for every block,
/// randomised over blocks (sampled blocks scaled by m/I, the others shrunk by 1−β).
struct RsvrbOptions {
  std::size_t blocks_per_iteration = 0;  ///< I (and I' for the hypergradient sample); 0 = all
  std::size_t batch = 1;
  double eta = 0.1;
  double tau = 0.3;
  double beta = 0.5;  ///< STORM β for every estimator and for z
  double lambda_lb = 1e-2;
  bool decay_eta = false;
  std::size_t max_iterations = 1000;
  double divergence_threshold = 1e12;
  std::uint64_t seed = 0;
  bool record_history = false;
  std::size_t history_stride = 1;

  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("blocks_per_iteration", blocks_per_iteration, "I; 0 = all blocks");
    f("batch", batch, "samples per sampled block");
    f("eta", eta, "upper-level step");
    f("tau", tau, "lower-level step");
    f("beta", beta, "STORM beta for every estimator");
    f("lambda_lb", lambda_lb, "eigenvalue floor");
    f("decay_eta", decay_eta, "eta_t = eta / sqrt(t + 1)");
    f("divergence_threshold", divergence_threshold, "diverged when an entry exceeds this");
    f("seed", seed, "block and minibatch sampling");
    run_fields(f, max_iterations, record_history, &history_stride);
  }
};

/// Optional monitor (e.g. ‖x − x*‖/‖x*‖), recorded as the history extra "monitor".
using BlockMonitor = std::function<double(const Vec& x)>;

/// Runs BSVRB from x (updated in place); y_i start at y0 (all blocks).
/// Counters: "block_samples" (block minibatches drawn), "gamma" (the MSVR γ used).
Summary minimize_bsvrb(MultiBlockProblem& problem, Vec& x, std::vector<Vec>& y,
                       const BsvrbOptions& options = {}, Callbacks callbacks = {},
                       const BlockMonitor& monitor = {});

Summary minimize_rsvrb(MultiBlockProblem& problem, Vec& x, std::vector<Vec>& y,
                       const RsvrbOptions& options = {}, Callbacks callbacks = {},
                       const BlockMonitor& monitor = {});

/// Cycles through blocks in reshuffled passes, `count` at a time.
class BlockSampler {
 public:
  BlockSampler(std::size_t blocks, std::uint64_t seed);
  std::vector<std::size_t> next(std::size_t count);

 private:
  std::size_t blocks_;
  Rng rng_;
  std::vector<std::size_t> order_;
  std::size_t pos_ = 0;
};

}  // namespace descent::bilevel
