// The registry of descent::ot's solvers: every method by name, with its options read from
// key=value settings (defaults from the Options structs). The CLI's `descent ot` and the
// contract test run through it.
//
//   sinkhorn      log-domain Sinkhorn (Cuturi, NeurIPS 2013)
//   sinkhorn-eps  Sinkhorn with epsilon scaling (Schmitzer, SIAM J. Sci. Comput. 2019)
//   sns           Sinkhorn-Newton-Sparse (Tang, Shavlovsky, Rahmanian, Tardini, Thekumparampil,
//                 Xiao, Ying, ICLR 2024)
//   exact         network simplex on the scaled integer problem (the reference)
#pragma once

#include <functional>

#include "descent/core/callbacks.hpp"
#include "descent/core/method_registry.hpp"
#include "descent/core/settings.hpp"
#include "descent/ot/problem.hpp"
#include "descent/ot/result.hpp"

namespace descent::ot {

using Solver = std::function<Result(const Problem&, const Settings&, Callbacks)>;

/// Every OT solver.
const MethodRegistry<Solver>& solvers();

/// solvers().at(method).run(problem, settings, callbacks).
Result solve(const Problem& problem, std::string_view method, const Settings& settings = {},
             Callbacks callbacks = {});

}  // namespace descent::ot
