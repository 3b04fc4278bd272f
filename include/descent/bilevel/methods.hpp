// The registries of descent::bilevel, one per problem class (the methods need different
// oracles): every method by name, with its options read from key=value settings.
//
//   constrained_methods()  ConstrainedBilevelProblem: lvhba (Yao et al., ICLR 2024)
//   methods()              BilevelProblem: borep (Hao et al., ICLR 2024), soba (Dagréou et al.,
//                          NeurIPS 2022)
//   multi_block_methods()  MultiBlockProblem: bsvrb1, bsvrb2 (Hu et al., ICML 2023), rsvrb
//                          (Guo et al., arXiv:2105.02266)
#pragma once

#include <functional>
#include <vector>

#include "descent/bilevel/problem.hpp"
#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"

namespace descent::bilevel {

/// From (x, y), updated in place to the final iterate.
using ConstrainedRunner =
    std::function<Summary(const ConstrainedBilevelProblem& problem, Vec& x, Vec& y,
                          const Settings& settings, Callbacks callbacks)>;
using Runner = std::function<Summary(BilevelProblem& problem, Vec& x, Vec& y,
                                     const Settings& settings, Callbacks callbacks)>;
/// From x and one y per block, updated in place. A problem that knows x* (solution()) gets
/// ||x - x*|| / ||x*|| as the history's "monitor" column.
using MultiBlockRunner =
    std::function<Summary(MultiBlockProblem& problem, Vec& x, std::vector<Vec>& y,
                          const Settings& settings, Callbacks callbacks)>;

const MethodRegistry<ConstrainedRunner>& constrained_methods();
const MethodRegistry<Runner>& methods();
const MethodRegistry<MultiBlockRunner>& multi_block_methods();

}  // namespace descent::bilevel
