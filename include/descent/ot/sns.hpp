// Sinkhorn-Newton-Sparse (SNS).
//
// X. Tang, M. Shavlovsky, H. Rahmanian, E. Tardini, K. K. Thekumparampil, T. Xiao, L. Ying,
// "Accelerating Sinkhorn Algorithm with Sparse Newton Iterations", ICLR 2024, arXiv 2401.12253.
//
// Stage 1: N1 log-domain Sinkhorn iterations (sinkhorn.hpp). Stage 2: up to N2 Newton steps on
// the concave dual f(z), z = (x, y) (dual.hpp):
//   1. M = -hess f = eta [[diag(P1), P], [P^T, diag(P^T 1)]]; keep its k largest entries
//      (k = ceil(lambda * size)), i.e. the diagonal plus the largest entries of P mirrored.
//   2. Solve M~ dz = grad f by preconditioned conjugate gradients. M has the null vector
//      (1, -1); the gauge is fixed by holding y_g constant (g = argmax b), which leaves a
//      positive definite system.
//   3. Backtracking: alpha = a0, a0/2, ... until f(z + alpha dz) > f(z), where a0 = 1 unless
//      that would change some log P_ij by more than 500 (far from the optimum, where CG on the
//      nearly singular M~ can return huge directions, such trials overflow exp()). The increase is
//      computed as alpha grad.dz - (1/eta) sum_ij P_ij phi(alpha eta (dx_i + dy_j)), with
//      phi(t) = e^t - 1 - t, which stays accurate when f changes by 1e-30: the test never
//      accepts a decrease.
//   4. z <- z + alpha dz.
// Stop when the L1 marginal error <= tolerance, or after max_iterations iterations in all.
//
// The lambda convention (ambiguous in the paper; see docs/ot.md). lambda = sparsity / nbar with
// nbar = (n + m) / 2 (= n for square problems). Over the Hessian (default), size = (n + m)^2:
// k = 4 lambda n^2 keeps the 2n diagonal entries plus (k - 2n) / 2 entries of P, about 15 per
// row of P at the default sparsity 8. Over the plan, size = n m entries of P are kept directly.
// The paper's default is lambda = 2/n (linear convergence in our runs); 4/n and 8/n reproduce
// its "20 Sinkhorn + 9 Newton" on random assignment.
//
// Departures from the paper, and why (each measured on the robustness suite of
// instances.hpp; numbers in docs/ot.md):
//   - The first trial step a0 (step 3) skips overflowing trials; without it, far from the
//     optimum, the halvings needed can exceed any sensible cap.
//   - The plan is recomputed from the potentials after every accepted step, not updated as
//     P e^{t(dx_i + dy_j)}: those products lose the entries that underflowed (exp() below
//     e^-708), and at large eta * max C the stored plan drifted from the potentials' plan until
//     the returned plan had entries of 8e307 while the stored one looked converged.
//   - eta continuation. When eta * max C > kSnsDirectScale (raw, unnormalised costs), SNS runs
//     stages at eta_start = kSnsDirectScale / max C, 4 eta_start, ..., eta, each warm-started
//     from the previous stage's potentials (x and y are kept, as in epsilon scaling) and
//     stopped at stage_tolerance. Far from the optimum, at eta * max C ~ 5e4, the Newton stage
//     needs hundreds of damped steps or never converges; from a warm start it is quadratic.
//   - Stagnation blocks. When `patience` Newton steps in a row fail to halve the marginal
//     error, a block of max(N1, 10) Sinkhorn iterations is taken and Newton resumes. Once the
//     Newton budget is used up, Sinkhorn iterations continue until the tolerance or
//     max_iterations: the default always converges where Sinkhorn would, and the counters say
//     how (sinkhorn_fallbacks, sinkhorn_blocks).
//   - Jacobi-preconditioned CG (the paper: CG). Image weights span 8 orders of magnitude
//     (intensity + 1e-6), and plain CG then stalls; with uniform weights the preconditioner is
//     a multiple of the identity and changes nothing.
//   - If the line search fails (at machine precision, or with a poor sparsified direction), one
//     Sinkhorn iteration is taken instead (counters["sinkhorn_fallbacks"]); it also increases f.
//     If after two failures in a row that step does not reduce the error either, the run ends
//     as Status::stalled (the tolerance is below what double precision resolves).
//   - A run that ends without converging returns the iterate with the smallest marginal error
//     of its last stage, says so in the message, and is Status::diverged if its last error
//     exceeded the error at which the Newton stage began.
// eta_start = eta and patience = 0 give the paper's algorithm (descent repro sns uses them).
#pragma once

#include <cstddef>
#include <vector>

#include "descent/core/callbacks.hpp"
#include "descent/core/settings.hpp"
#include "descent/ot/problem.hpp"
#include "descent/ot/result.hpp"

namespace descent::ot {

/// Which entries lambda counts when it fixes the number kept.
enum class SparsityConvention {
  hessian,  ///< lambda * (n + m)^2 entries of M, diagonal included (spec default)
  plan,     ///< lambda * n * m entries of P (each mirrored in P^T), diagonal kept on top
};

/// How entries of P are ranked for the top-k.
enum class SparsityRank {
  magnitude,  ///< by P_ij, as in the paper
  scaled,     ///< by P_ij / sqrt((P1)_i (P^T 1)_j): the entries of the Jacobi-scaled Hessian
};

struct SnsOptions {
  double eta = 1200.0;                 ///< inverse regularisation (> 0)
  double tolerance = 1e-10;            ///< converged when the L1 marginal error <= tolerance
  std::size_t warmup_steps = 20;       ///< N1: Sinkhorn iterations before Newton (0 allowed)
  std::size_t max_newton_steps = 500;  ///< N2: cap on Newton steps, all stages (>= 1)
  /// Cap on all iterations (Sinkhorn warm-ups, Newton steps and Sinkhorn fallbacks together).
  std::size_t max_iterations = 100000;
  double sparsity = 8.0;  ///< lambda = sparsity / nbar (spec default 8/n)
  SparsityConvention convention = SparsityConvention::hessian;
  SparsityRank rank = SparsityRank::magnitude;
  double cg_tolerance = 1e-10;  ///< CG stops at |residual|_2 <= cg_tolerance |grad|_2
  /// 0 = 10 (n + m), scipy's default cap. At large eta the system is very ill-conditioned (P is
  /// close to a permutation, so M is close to block diagonal): CG needs a few (n + m) iterations.
  std::size_t cg_max_iterations = 0;
  bool jacobi = true;  ///< diagonal preconditioner for CG (false = plain CG)
  /// Line-search halvings before falling back (2^-30 ~ 1e-9: a shorter step is no Newton step).
  std::size_t max_halvings = 30;
  /// On line-search failure take one Sinkhorn step instead. If that step does not reduce the
  /// error after two failures in a row, or on any failure when false: Status::stalled.
  bool sinkhorn_fallback = true;
  /// Threads for the Sinkhorn steps and the dense plan passes (CG is serial);
  /// 0 = descent::threads().
  int threads = 1;
  /// eta continuation: the first stage's eta. 0 = automatic: kSnsDirectScale / max C, so a
  /// problem with eta * max C <= kSnsDirectScale runs the paper's algorithm at eta directly.
  /// eta_start >= eta also means one stage.
  double eta_start = 0.0;
  double eta_factor = 4.0;  ///< eta grows by this factor between stages (> 1)
  /// Intermediate stages stop at max(stage_tolerance, tolerance): their job is a warm start.
  double stage_tolerance = 1e-6;
  /// Newton steps without halving the marginal error before a block of max(N1, 10) Sinkhorn
  /// iterations is taken instead (then Newton resumes); 0 = never (the paper's algorithm).
  std::size_t patience = 10;
  bool record_history = false;     ///< keep a HistoryRow per iteration in the Summary
  std::size_t history_stride = 1;  ///< for the warm-up; every Newton step is kept
  PlanOptions plan;

  /// Throws descent::InvalidOption naming the first bad field.
  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("eta", eta, "inverse regularisation (> 0)");
    f("tolerance", tolerance, "converged when the L1 marginal error <= tolerance");
    f("warmup_steps", warmup_steps, "N1: Sinkhorn iterations before Newton");
    f("max_newton_steps", max_newton_steps, "N2: cap on Newton steps, all stages");
    run_fields(f, max_iterations, record_history, &history_stride);
    f("sparsity", sparsity, "lambda = sparsity / nbar");
    f.choice("convention", convention,
             {{"hessian", SparsityConvention::hessian}, {"plan", SparsityConvention::plan}},
             "what lambda counts");
    f.choice("rank", rank,
             {{"magnitude", SparsityRank::magnitude}, {"scaled", SparsityRank::scaled}},
             "how entries are ranked for the sparse Hessian");
    f("cg_tolerance", cg_tolerance, "CG stops at |r| <= cg_tolerance |grad|");
    f("cg_max_iterations", cg_max_iterations, "0 = 10 (n + m)");
    f("jacobi", jacobi, "diagonal preconditioner for CG");
    f("max_halvings", max_halvings, "line-search halvings before falling back");
    f("sinkhorn_fallback", sinkhorn_fallback, "take a Sinkhorn step when the line search fails");
    f("threads", threads, "threads for the Sinkhorn steps and plan passes; 0 = all");
    f("eta_start", eta_start, "eta continuation's first stage; 0 = automatic");
    f("eta_factor", eta_factor, "eta grows by this factor between stages (> 1)");
    f("stage_tolerance", stage_tolerance, "intermediate stages stop at this error");
    f("patience", patience, "Newton steps without progress before a Sinkhorn block; 0 = never");
    plan.fields(f);
  }
};

/// SNS from x = y = 0. Iterations count Sinkhorn and Newton steps together; counters:
/// sinkhorn_steps (warm-ups), newton_steps, cg_iterations, line_search_halvings,
/// sinkhorn_fallbacks (Sinkhorn iterations taken in the Newton stage), sinkhorn_blocks
/// (stagnation blocks), eta_stages, kept_entries (per step), lambda. History extras:
/// marginal_error, stage (0 Sinkhorn, 1 Newton), cg_iterations, step.
Result sinkhorn_newton_sparse(const Problem& problem, const SnsOptions& options = {},
                              Callbacks callbacks = {});

/// eta * max C up to which SNS runs at eta directly (the automatic eta_start).
inline constexpr double kSnsDirectScale = 1500.0;

/// The etas of the stages: eta_start, eta_start * eta_factor, ..., then eta.
std::vector<double> sns_eta_schedule(double eta, double max_cost, const SnsOptions& options);

/// Number of entries of P kept by the sparsifier for an n x m problem.
std::size_t sns_kept_entries(std::size_t n, std::size_t m, double sparsity,
                             SparsityConvention convention);

}  // namespace descent::ot
