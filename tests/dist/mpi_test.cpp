// Run under `mpirun -np 4` (ctest label `mpi`): the MPI communicator's ordered reductions and a
// DIFF2 run equal the serial, simulated-workers results bit for bit on every rank.
#include <gtest/gtest.h>

#include <memory>

#include "descent/dist/communicator.hpp"
#include "descent/privacy/diff2.hpp"
#include "descent/privacy/mlp.hpp"

namespace {

descent::dist::Communicator* world = nullptr;

TEST(Mpi, OrderedMeanEqualsSerialSum) {
  using namespace descent::dist;
  const int P = 7;  // uneven blocks over the ranks
  const WorkerRange range = worker_range(P, world->rank(), world->size());
  auto column = [](int w) {
    Eigen::VectorXd c(3);
    c << 1e16 * (w % 2 ? 1 : -1), 0.1 * w, 1.0 / (w + 1);
    return c;
  };
  Eigen::MatrixXd local(3, range.count), all(3, P);
  for (int j = 0; j < range.count; ++j) local.col(j) = column(range.first + j);
  for (int w = 0; w < P; ++w) all.col(w) = column(w);
  Eigen::VectorXd got, want;
  ordered_mean(*world, P, range, local, got);
  SerialCommunicator serial;
  ordered_mean(serial, P, worker_range(P, 0, 1), all, want);
  EXPECT_EQ(got, want);
  EXPECT_EQ(global_min(*world, 10.0 - world->rank()), 10.0 - (world->size() - 1));
}

TEST(Mpi, Diff2EqualsSimulatedWorkers) {
  using namespace descent::privacy;
  const MlpShape shape{6, 5};
  const int P = world->size();
  TeacherTask teacher(shape, 5);
  std::vector<std::unique_ptr<MlpRegression>> all;
  for (int p = 0; p < P; ++p) {
    auto d = teacher.sample(60, static_cast<std::uint64_t>(p));
    all.push_back(std::make_unique<MlpRegression>(shape, d.X, d.y));
  }
  descent::Rng rng = descent::make_rng(5, {1});
  const Eigen::VectorXd x0 = mlp_initial_parameters(shape, rng);
  Diff2Options o;
  o.rounds = 40;
  o.restart = 6;
  o.seed = 17;
  o.guard = GuardPolicy::off;
  // Simulated: every worker in this process.
  WorkerSet sim;
  sim.workers = P;
  for (auto& w : all) sim.local.push_back(w.get());
  Eigen::VectorXd x_sim = x0;
  minimize_diff2(sim, x_sim, o);
  // Distributed: rank r hosts worker r.
  WorkerSet dist;
  dist.comm = world;
  dist.workers = P;
  dist.local.push_back(all[static_cast<std::size_t>(world->rank())].get());
  Eigen::VectorXd x_mpi = x0;
  const descent::Summary s = minimize_diff2(dist, x_mpi, o);
  EXPECT_EQ(x_mpi, x_sim);
  EXPECT_NEAR(s.counters.at("epsilon"), 1.0, 1e-6);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  auto comm = descent::dist::make_communicator(descent::dist::Mode::mpi);
  world = comm.get();
  if (world->rank() != 0) {
    // Only rank 0 prints; every rank runs the (collective) tests.
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int rc = RUN_ALL_TESTS();
  comm.reset();  // MPI_Finalize
  return rc;
}
