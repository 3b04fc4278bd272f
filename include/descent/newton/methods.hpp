// The registry of descent::newton's methods, by name, for the CLI, the contract test and users
// (it replaced run_method and its Method enum).
//
//   gns              Algorithm 1 of Semenov, Jaggi, Doikov (arXiv:2506.13710, 2025), exact H
//   gns-approx       the same with a Hessian approximation (fisher, wgn, gn-fisher, bound)
//   cubic            cubic Newton (Nesterov & Polyak 2006), adaptive M
//   super-universal  Super-Universal Newton (Doikov, Mishchenko & Nesterov 2024)
//   gd               gradient method with adaptive L (in the metric B)
//   fgm              fast gradient method with adaptive L
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"
#include "descent/core/status.hpp"
#include "descent/newton/common.hpp"
#include "descent/newton/regularized_solver.hpp"
#include "descent/problems/factory.hpp"
#include "descent/problems/oracle.hpp"

namespace descent::newton {

/// A method on a problem instance (its metric B and f* apply) from the point in x, with every
/// option of the method's Options by name, plus "hessian" for the second-order methods (exact,
/// wgn, fisher, gn-fisher, bound, or "instance": the instance's default approximation).
using Runner = std::function<Summary(const problems::Instance& instance, Eigen::VectorXd& x,
                                     const Settings& settings, Callbacks callbacks)>;

/// Every method of the family, by the names above.
const MethodRegistry<Runner>& methods();

}  // namespace descent::newton
