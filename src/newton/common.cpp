#include "descent/newton/common.hpp"

#include "descent/core/options.hpp"

namespace descent::newton {

std::string_view to_string(Acceptance a) noexcept {
  return a == Acceptance::strict ? "strict" : "reference_compatible";
}

void CommonOptions::validate() const {
  check::at_least("max_iterations", static_cast<long long>(max_iterations), 1);
  if (optimal_value) check::finite("optimal_value", *optimal_value);
  check::positive("value_tolerance", value_tolerance);
  check::non_negative("gradient_tolerance", gradient_tolerance);
  check::at_least("history_stride", static_cast<long long>(history_stride), 1);
}

}  // namespace descent::newton
