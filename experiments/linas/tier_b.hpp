// Tier B of `descent repro linas`: the elastic digits supernet (LibTorch), check D5.
#pragma once

#include "descent/experiments/report.hpp"

namespace descent::experiments {

/// Adds tier B's metrics, claims and plots to `report` (a not-measured claim in a build
/// without LibTorch).
void linas_tier_b(Report& report, const ExperimentConfig& cfg);

}  // namespace descent::experiments
