// descent::ot, the optimal-transport family: problems, log-domain Sinkhorn (plain and with
// epsilon scaling), Sinkhorn-Newton-Sparse, exact OT, and the dual for diagnostics.
// See docs/ot.md.
#pragma once

#include "descent/ot/clouds.hpp"
#include "descent/ot/dual.hpp"
#include "descent/ot/exact.hpp"
#include "descent/ot/instances.hpp"
#include "descent/ot/problem.hpp"
#include "descent/ot/result.hpp"
#include "descent/ot/sinkhorn.hpp"
#include "descent/ot/sns.hpp"
#include "descent/ot/solvers.hpp"
