// Run under `mpirun -np 3` (ctest label `mpi`): matrix-free Sinkhorn spread over the ranks gives
// the one-process result bit for bit on every rank, for plain Sinkhorn and epsilon scaling.
#include <gtest/gtest.h>

#include <memory>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/dist/communicator.hpp"
#include "descent/ot/ot.hpp"

namespace {

descent::dist::Communicator* world = nullptr;

descent::ot::CloudProblem problem(descent::ot::GroundCost cost) {
  descent::Rng rng = descent::make_rng(11, {0x3B1});
  std::normal_distribution<double> normal;
  // Sizes that do not divide by 3, and more than one tile per column.
  Eigen::MatrixXd X(1031, 2), Y(202, 2);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = normal(rng);
  for (Eigen::Index i = 0; i < Y.size(); ++i) Y.data()[i] = 0.3 * normal(rng) + 1.0;
  Eigen::VectorXd a = (X.col(0).array().abs() + 0.1).matrix(), b = Eigen::VectorXd::Ones(202);
  b *= a.sum() / b.sum();
  return descent::ot::CloudProblem(X, Y, cost, a, b);
}

void expect_identical(const descent::ot::Result& got, const descent::ot::Result& want) {
  EXPECT_EQ(got.summary.status, want.summary.status);
  EXPECT_EQ(got.summary.iterations, want.summary.iterations);
  EXPECT_EQ(got.x, want.x);
  EXPECT_EQ(got.y, want.y);
  EXPECT_EQ(got.transport_cost, want.transport_cost);
  EXPECT_EQ(got.marginal_error, want.marginal_error);
  EXPECT_EQ(got.summary.objective, want.summary.objective);
}

TEST(MpiOtClouds, SinkhornEqualsOneProcess) {
  using namespace descent::ot;
  ASSERT_GT(world->size(), 1);
  for (const GroundCost cost : {GroundCost::sqeuclidean, GroundCost::l1}) {
    const CloudProblem p = problem(cost);
    SinkhornOptions o;
    o.eta = 10.0;
    o.tolerance = 1e-11;
    o.threads = 2;  // threads and ranks together
    const Result serial = sinkhorn(p, o);
    ASSERT_TRUE(serial.summary.converged()) << serial.summary.brief();
    expect_identical(sinkhorn(p, o, {}, world), serial);
  }
}

TEST(MpiOtClouds, EpsilonScalingEqualsOneProcess) {
  using namespace descent::ot;
  const CloudProblem p = problem(GroundCost::sqeuclidean);
  EpsilonScalingOptions o;
  o.sinkhorn.eta = 100.0;
  o.sinkhorn.tolerance = 1e-9;
  const Result serial = sinkhorn_epsilon_scaling(p, o);
  ASSERT_TRUE(serial.summary.converged()) << serial.summary.brief();
  expect_identical(sinkhorn_epsilon_scaling(p, o, {}, world), serial);
}

TEST(MpiOtClouds, PlanOverSeveralRanksIsAnError) {
  using namespace descent::ot;
  SinkhornOptions o;
  o.eta = 5.0;
  o.plan.format = PlanFormat::dense;
  EXPECT_THROW(sinkhorn(problem(GroundCost::l1), o, {}, world), descent::Error);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  auto comm = descent::dist::make_communicator(descent::dist::Mode::mpi);
  world = comm.get();
  // Only rank 0 prints gtest's report; every rank's failures still fail its exit code.
  if (!world->is_root()) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  return RUN_ALL_TESTS();
}
