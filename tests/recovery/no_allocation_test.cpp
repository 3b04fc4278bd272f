// The SubGM iteration must not allocate: after the first evaluation sized the workspace, a
// sub-gradient evaluation (two GEMVs on the packed operator, sign, S U) makes no heap call.
// malloc is interposed for this test binary only (glibc's __libc_malloc does the work), which
// sees Eigen's allocations too (they bypass operator new).
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>

#include "descent/recovery/l2_gd.hpp"
#include "descent/recovery/losses.hpp"
#include "descent/recovery/problem.hpp"

extern "C" void* __libc_malloc(std::size_t);
namespace {
std::atomic<long> mallocs{0};
}
extern "C" void* malloc(std::size_t n) {
  mallocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}

namespace descent::recovery {
namespace {

TEST(NoAllocation, SubgradientEvaluation) {
  SyntheticOptions o;
  o.dimension = 30;
  o.rank = 3;
  o.measurements = 500;
  o.noise.outlier_probability = 0.1;
  const RecoveryProblem p = make_synthetic_problem(o, 1);
  Rng rng = make_rng(2);
  Eigen::MatrixXd U = normal_matrix(rng, 30, 8), D;
  LossWorkspace ws;
  l1_loss_subgradient(*p.op, p.y, U, D, ws);  // sizes the workspace
  l2_loss_gradient(*p.op, p.y, U, D, ws);
  const long before = mallocs.load();
  for (int k = 0; k < 5; ++k) {
    l1_loss_subgradient(*p.op, p.y, U, D, ws);
    U -= 1e-3 * D;
    l2_loss_gradient(*p.op, p.y, U, D, ws);
  }
  EXPECT_EQ(mallocs.load() - before, 0);
  // The probe works: an Eigen allocation is counted.
  Eigen::VectorXd probe(1000);
  probe.setZero();
  EXPECT_GT(mallocs.load() - before, 0);
}

}  // namespace
}  // namespace descent::recovery
