// The registry of descent::privacy's private training methods: DP-GD (Abadi et al. 2016, full
// batch) and DIFF2 (Murata & Suzuki, ICML 2023), by name, with options read from key=value
// settings ("rounds", "epsilon", "noise_multiplier=auto", ...).
#pragma once

#include <functional>

#include <Eigen/Core>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"
#include "descent/privacy/training.hpp"

namespace descent::privacy {

/// Trains from x (updated in place with the output iterate). Collective like dp_gd().
using Runner = std::function<Summary(const WorkerSet& workers, Eigen::VectorXd& x,
                                     const Settings& settings, Callbacks callbacks)>;

/// dpgd, diff2.
const MethodRegistry<Runner>& methods();

}  // namespace descent::privacy
