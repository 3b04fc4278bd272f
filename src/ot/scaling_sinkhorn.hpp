// The scaling-domain fast path of Sinkhorn on a dense problem (private to descent_ot; the math
// and the switching rule are documented in descent/ot/sinkhorn.hpp).
#pragma once

#include <cstddef>
#include <span>

#include "descent/ot/sinkhorn.hpp"
#include "log_sinkhorn.hpp"

namespace descent::ot::detail {

/// Full Sinkhorn iterations from the engine's current iterate, like sinkhorn_loop, choosing the
/// domain by options.domain (point-cloud engines and domain = log: sinkhorn_loop itself). Counts
/// scaling_iterations, absorptions and domain_switches in the recorder's counters. The engine
/// holds the final iterate and the plan's mass at it.
LoopOutcome sinkhorn_loop_any_domain(LogSinkhorn& engine, const SinkhornOptions& options,
                                     double tolerance, std::size_t budget, bool columns_exact,
                                     std::size_t& iteration, Recorder& recorder,
                                     std::span<Metric> extras);

}  // namespace descent::ot::detail
