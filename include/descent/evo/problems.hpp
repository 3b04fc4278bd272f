// Benchmark problems for the multi-objective searches.
//
// E. Zitzler, K. Deb, L. Thiele, "Comparison of Multiobjective Evolutionary Algorithms:
// Empirical Results", Evolutionary Computation 8(2), 2000: ZDT1 (convex front f2 = 1 − √f1)
// and ZDT2 (concave front f2 = 1 − f1²), n variables in [0, 1], both objectives minimised.
// Hypervolume of the true fronts at the reference (1.1, 1.1): ZDT1 0.1 + 2/3 + 0.11 = 0.876667,
// ZDT2 0.1 + 1/3 + 0.11 = 0.543333 (the spec's D1 targets).
#pragma once

#include <string>

#include "descent/evo/nsga2.hpp"

namespace descent::evo {

Problem zdt1(Eigen::Index n = 30);
Problem zdt2(Eigen::Index n = 30);

/// The hypervolume of the true front at reference (r, r), r >= 1: exact, for tests.
double zdt1_true_hypervolume(double r = 1.1);
double zdt2_true_hypervolume(double r = 1.1);

}  // namespace descent::evo
