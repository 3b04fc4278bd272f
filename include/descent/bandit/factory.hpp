// Builds a learner by name, for command lines and sequence runners.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "descent/bandit/chebcb.hpp"
#include "descent/bandit/tsallis_inf.hpp"
#include "descent/bandit/tsallis_inf_cb.hpp"

namespace descent::bandit {

enum class LearnerKind { tsallis_inf, tsallis_inf_cb, chebcb };

/// "tsallis" / "tsallis-inf", "tsallis-cb" / "tsallis-inf-cb", "chebcb"; throws descent::Error.
LearnerKind learner_kind_from_string(std::string_view name);
std::string_view to_string(LearnerKind kind) noexcept;

/// Settings for make_learner: the context range and sizes used by the contextual learners.
struct LearnerSpec {
  LearnerKind kind = LearnerKind::tsallis_inf;
  double context_lo = 0.0;   ///< contextual learners only
  double context_hi = 1.0;   ///< contextual learners only
  std::size_t bins = 5;      ///< Tsallis-INF-CB bins (default 5)
  std::size_t features = 6;  ///< ChebCB Chebyshev features (default 6)
  double cost_offset = 1.0;  ///< the least possible cost (default 1 iteration)
};

std::unique_ptr<Learner> make_learner(std::size_t arms, const LearnerSpec& spec);

}  // namespace descent::bandit
