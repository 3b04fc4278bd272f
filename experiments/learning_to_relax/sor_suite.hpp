// The SOR suite of "Learning to Relax" (Appendix G): shifted 10x10 Laplacians, bandit-chosen
// omega, iteration counts as costs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "descent/linalg/generators.hpp"

namespace descent::experiments::l2r {

/// One sequence of instances (one distribution, one seed) with the cost of every option.
struct SorSequence {
  static constexpr std::size_t kGrid = 20;                 // linspace(1, 1.95, 20)
  std::vector<double> shift;                               // c_t
  std::vector<std::array<std::uint16_t, kGrid>> grid;      // cost of each grid omega
  std::vector<std::uint16_t> omega_star;                   // cost at Young's omega*(A_t)
  std::vector<std::uint16_t> tsallis, tsallis_cb, chebcb;  // the learners' costs
  std::vector<std::uint8_t> tsallis_arm, chebcb_arm;       // their choices
  std::size_t fallbacks = 0;  // learner rounds that fell back to uniform (NaN guard)
};

struct SorSuiteConfig {
  linalg::ShiftDistribution distribution;
  int grid_side = 10;            // A = delsq(numgrid('S', grid_side + 2)), n = 100
  std::size_t instances = 5000;  // T
  std::size_t seeds = 1;
  std::uint64_t base_seed = 0;
  std::uint64_t stream = 0;  // separates the two distributions' random streams
  int threads = 1;
};

/// Runs `seeds` independent sequences. Instances are i.i.d. and every solve starts from x = 0,
/// so a learner's choice cannot affect later instances: each instance's costs for all 20 grid
/// omegas are computed once (SorSolver::solve_grid, bit-identical to separate solves) and the
/// learners read their cost from that table, which is exactly what running them would give.
std::vector<SorSequence> run_sor_suite(const SorSuiteConfig& config);

}  // namespace descent::experiments::l2r
