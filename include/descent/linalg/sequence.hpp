// Solving a sequence of linear systems with the relaxation weight chosen per system.
//
// M. Khodak, E. Chow, M.-F. Balcan and A. Talwalkar, "Learning to Relax: Setting Solver
// Parameters Across a Sequence of Linear System Instances", ICLR 2024. For each system the
// runner picks omega by a policy, solves with SOR, SSOR or SSOR-preconditioned CG, and feeds the
// iteration count back to the policy as its cost:
//  - fixed:       the same omega for every system;
//  - optimal:     the instance-optimal omega* from the Jacobi spectral radius (Young's formula;
//                 exact for SOR on consistently ordered matrices, a heuristic for SSOR-CG);
//  - tsallis:     Tsallis-INF over a grid of omegas;
//  - tsallis-cb:  binned Tsallis-INF over a scalar context (one per system);
//  - chebcb:      ChebCB over a scalar context.
// Costs are iteration counts, with the cap charged for a solve that did not converge.
//
//   SequenceOptions o;  o.policy = OmegaPolicy::chebcb;  o.context_lo = 0;  o.context_hi = 10;
//   SequenceRunner run(o);
//   for (...) run.step(A_t, b_t, x, kappa_t);   // x: warm start in, solution out
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "descent/bandit/learner.hpp"
#include "descent/core/rng.hpp"
#include "descent/core/status.hpp"
#include "descent/linalg/cg.hpp"
#include "descent/linalg/csr.hpp"
#include "descent/linalg/preconditioners.hpp"

namespace descent::linalg {

/// The solver whose relaxation weight is tuned.
enum class RelaxedSolver {
  sor,      ///< SOR iteration (Algorithm 1)
  ssor,     ///< SSOR iteration
  ssor_cg,  ///< CG preconditioned by SSOR(omega)
};
std::string_view to_string(RelaxedSolver s) noexcept;
/// "sor", "ssor", "ssor-cg"; throws descent::Error.
RelaxedSolver relaxed_solver_from_string(std::string_view name);

enum class OmegaPolicy { fixed, optimal, tsallis, tsallis_cb, chebcb };
std::string_view to_string(OmegaPolicy p) noexcept;

struct SequenceOptions {
  RelaxedSolver solver = RelaxedSolver::ssor_cg;  ///< default SSOR-preconditioned CG
  OmegaPolicy policy = OmegaPolicy::tsallis;      ///< default Tsallis-INF
  double fixed_omega = 1.0;                       ///< omega for policy fixed (default 1)
  /// The learners' arms (default linspace(1, 1.95, 20), the paper's grid).
  std::vector<double> grid = default_grid();
  double context_lo = 0.0;  ///< context range of tsallis-cb / chebcb (required for them)
  double context_hi = 0.0;
  std::size_t bins = 5;      ///< Tsallis-INF-CB bins (default 5; the heat experiment uses 6)
  std::size_t features = 6;  ///< ChebCB Chebyshev features (default 6)
  double tolerance = 1e-8;   ///< default 1e-8
  /// Default: ||r|| <= tol ||b|| (MATLAB pcg; equals Algorithm 1's rule when x0 = 0).
  ToleranceMode tolerance_mode = ToleranceMode::relative_rhs;
  std::size_t max_iterations = 10000;  ///< default 10,000 (also the cost of a failed solve)
  std::uint64_t seed = 0;              ///< the learners' sampling stream (default 0)

  static std::vector<double> default_grid();
  void validate() const;
};

/// One system of the sequence.
struct StepRecord {
  double omega = 0.0;
  std::size_t arm = 0;         ///< grid index for learners, 0 otherwise
  std::size_t iterations = 0;  ///< iterations run
  std::size_t cost = 0;        ///< iterations, or max_iterations if the solve failed
  Status status = Status::failed;
  double context = 0.0;
  double solve_seconds = 0.0;   ///< preconditioner setup + iterations
  double choose_seconds = 0.0;  ///< policy overhead (choosing + learning)
};

class SequenceRunner {
 public:
  explicit SequenceRunner(SequenceOptions options);
  ~SequenceRunner();
  SequenceRunner(SequenceRunner&&) noexcept;
  SequenceRunner& operator=(SequenceRunner&&) noexcept;

  /// Chooses omega, solves A x = b starting from x (the warm start; zero it for a cold start)
  /// and reports the cost to the policy. Contextual policies need a finite context
  /// (descent::Error otherwise).
  StepRecord step(const SparseMatrix& a, const Vector& b, Vector& x, double context = 0.0);

  const SequenceOptions& options() const noexcept { return options_; }
  const std::vector<StepRecord>& records() const noexcept { return records_; }
  std::size_t total_iterations() const noexcept;
  double total_seconds() const noexcept;
  /// The learner behind a bandit policy (nullptr for fixed and optimal).
  const bandit::Learner* learner() const noexcept { return learner_.get(); }

 private:
  SequenceOptions options_;
  std::unique_ptr<bandit::Learner> learner_;
  Rng rng_;
  SsorPreconditioner ssor_;
  std::vector<StepRecord> records_;
};

}  // namespace descent::linalg
