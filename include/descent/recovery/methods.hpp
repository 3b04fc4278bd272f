// The registry of descent::recovery's methods: SubGM (Ma & Fattahi, JMLR 2023) and the l2
// gradient-descent baseline, by name, with options read from key=value settings.
#pragma once

#include <functional>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"
#include "descent/recovery/problem.hpp"

namespace descent::recovery {

/// Runs a method from the factor U (d x r', updated in place) on the problem's measurements;
/// the problem's X* (when not empty) is the reference for the relative error.
using Runner = std::function<Summary(const RecoveryProblem& problem, Eigen::MatrixXd& U,
                                     const Settings& settings, Callbacks callbacks)>;

/// subgm, l2-gd.
const MethodRegistry<Runner>& methods();

}  // namespace descent::recovery
