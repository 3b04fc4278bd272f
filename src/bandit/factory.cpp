#include "descent/bandit/factory.hpp"

#include <string>

#include "descent/core/error.hpp"

namespace descent::bandit {

LearnerKind learner_kind_from_string(std::string_view name) {
  if (name == "tsallis" || name == "tsallis-inf") return LearnerKind::tsallis_inf;
  if (name == "tsallis-cb" || name == "tsallis-inf-cb") return LearnerKind::tsallis_inf_cb;
  if (name == "chebcb") return LearnerKind::chebcb;
  throw Error("unknown learner '" + std::string(name) +
              "' (expected tsallis, tsallis-cb or chebcb)");
}

std::string_view to_string(LearnerKind kind) noexcept {
  switch (kind) {
    case LearnerKind::tsallis_inf:
      return "tsallis-inf";
    case LearnerKind::tsallis_inf_cb:
      return "tsallis-inf-cb";
    case LearnerKind::chebcb:
      return "chebcb";
  }
  return "?";
}

std::unique_ptr<Learner> make_learner(std::size_t arms, const LearnerSpec& spec) {
  switch (spec.kind) {
    case LearnerKind::tsallis_inf: {
      TsallisInfOptions o;
      o.cost_offset = spec.cost_offset;
      return std::make_unique<TsallisInf>(arms, o);
    }
    case LearnerKind::tsallis_inf_cb: {
      TsallisInfCbOptions o;
      o.context_lo = spec.context_lo;
      o.context_hi = spec.context_hi;
      o.bins = spec.bins;
      o.tsallis.cost_offset = spec.cost_offset;
      return std::make_unique<TsallisInfCb>(arms, o);
    }
    case LearnerKind::chebcb: {
      ChebCbOptions o;
      o.context_lo = spec.context_lo;
      o.context_hi = spec.context_hi;
      o.features = spec.features;
      o.cost_offset = spec.cost_offset;
      return std::make_unique<ChebCb>(arms, o);
    }
  }
  throw Error("make_learner: unknown kind");
}

}  // namespace descent::bandit
