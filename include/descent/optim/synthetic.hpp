// The 1-D non-convex test functions of the diffGrad paper (Dubey et al. 2020, eqs (24)-(26)),
// as core TestProblems so `descent minimize --problem f1|f2|f2-notebook|f3` can run them.
//
//   F1(x) = (x+0.3)^2 for x <= 0, (x-0.2)^2 + 0.05 for x > 0     global min -0.3, local min 0.2
//   F2(x) = -40x - 35.15 for x <= -0.9, x^3 + x sin(8x) + 0.85 otherwise  (global min ~ -0.643)
//   F3(x) = piecewise |x|-like with a plateau pair (global min 0)
// "f2" uses the exact derivative 3x^2 + sin(8x) + 8x cos(8x); "f2-notebook" the gradient of the
// authors' notebook, x cos(8x) + sin(8x) + 3x^2 (a factor 8 missing), to reproduce its figures.
// The start point is the notebook's x0 = -1.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "descent/core/problems.hpp"

namespace descent::optim {

std::unique_ptr<TestProblem> make_diffgrad_f1();
std::unique_ptr<TestProblem> make_diffgrad_f2(bool notebook_gradient = false);
std::unique_ptr<TestProblem> make_diffgrad_f3();

/// f1, f2, f2-notebook, f3.
std::vector<std::string> synthetic_names();
/// One of synthetic_names(), or null for any other name.
std::unique_ptr<TestProblem> make_synthetic(const std::string& name);

}  // namespace descent::optim
