// Exact (unregularised) OT by network simplex: the eta -> infinity reference.
//
// Solved as a min-cost flow on the complete bipartite graph with LEMON's NetworkSimplex
// (Z. Kiraly, P. Kovacs, "Efficient implementations of minimum-cost flow algorithms", Acta Univ.
// Sapientiae, Informatica 4(1), 2012; LEMON 1.3, Boost licence). LEMON requires integer data,
// so the solver rounds:
//   - supplies: round(a_i * S) with S = mass_scale, adjusted so both sides sum to the same
//     integer; for uniform weights S is a multiple of lcm(n, m) and the rounding is exact;
//   - costs: round(C_ij * cost_scale), with cost_scale mapping max C to 2^40 by default.
// The plan is flow / S and the cost <C, P> uses the original doubles; the optimum of the
// rounded problem is within about 2^-40 max C of the true one.
#pragma once

#include "descent/ot/problem.hpp"
#include "descent/ot/result.hpp"

namespace descent::ot {

struct ExactOptions {
  double mass_scale = 0x1p40;  ///< S; supplies are integers up to S (>= 1, <= 2^52)
  double cost_scale = 0.0;     ///< 0 = 2^40 / max C; otherwise the factor (> 0)
  PlanOptions plan;

  void validate() const;
  /// The fields by name (descent/core/settings.hpp).
  template <class Fields>
  void fields(Fields& f) {
    f("mass_scale", mass_scale, "supplies are integers up to this (>= 1, <= 2^52)");
    f("cost_scale", cost_scale, "0 = 2^40 / max C");
    plan.fields(f);
  }
};

/// Zero weights are allowed. Summary: converged, or failed if the flow is infeasible (it never
/// is for a valid Problem). x, y are optimal dual potentials: x_i + y_j <= C_ij (up to the cost
/// rounding), with equality where P_ij > 0, and a.x + b.y = <C, P>.
Result exact_ot(const Problem& problem, const ExactOptions& options = {});

}  // namespace descent::ot
