// The 2-D heat-equation experiment of "Learning to Relax" (Appendix G.2): one Crank-Nicolson
// system per time step, solved by CG or SSOR-preconditioned CG warm-started from the previous
// step, with omega fixed, tuned in hindsight, per step, or learned online.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace descent::experiments::l2r {

/// One simulation run: totals over all steps.
struct HeatRun {
  std::string method;  // "cg", "omega_1.5", "tsallis", ...
  double omega = 0.0;  // fixed runs
  std::size_t iterations = 0;
  double seconds = 0.0;        // wall time of the whole loop: assembly, choice, solve, learning
  double cpu_seconds = 0.0;    // this thread's CPU time for the same loop (robust to contention)
  double solve_seconds = 0.0;  // wall time of the solves alone
  std::size_t failures = 0;    // solves that hit the cap
  std::vector<std::uint32_t> step_iterations;
  std::vector<float> step_omega;
};

struct HeatConfig {
  int nx = 100;
  std::size_t steps = 5000;
  double dt = 1e-3;
  bool fixed_all = true;         // omegas {1, 1.3, 1.5, 1.75, 1.95}; else {1, 1.5}
  bool hindsight = true;         // best fixed omega in hindsight (search over real runs)
  bool instance_optimal = true;  // per-step search over the grid
  bool tsallis_cb = true;
  std::size_t trials = 1;  // runs per learner (different seeds)
  std::uint64_t seed = 0;
};

struct HeatResult {
  int nx = 0;
  long n = 0;
  std::size_t steps = 0;
  double dt = 0.0;
  std::vector<HeatRun> runs;                      // every run in order
  std::map<std::string, double> mean_iterations;  // per method (learners: mean over trials)
  std::map<std::string, double> mean_seconds;
  std::map<std::string, double> mean_cpu_seconds;
  double best_fixed_omega = 0.0;
  std::vector<double> hindsight_omegas;  // omegas evaluated by the hindsight search
};

HeatResult run_heat(const HeatConfig& config);

}  // namespace descent::experiments::l2r
