// The serial communicator, worker layout and ordered reductions (the MPI side is in
// mpi_test.cpp and mpi_equivalence.cmake, labelled `mpi`).
#include <gtest/gtest.h>

#include <cstdlib>

#include "descent/core/error.hpp"
#include "descent/dist/communicator.hpp"

namespace descent::dist {
namespace {

TEST(Dist, WorkerRangesTileTheWorkers) {
  for (int size = 1; size <= 5; ++size) {
    for (int P = size; P <= 11; ++P) {
      int next = 0;
      for (int r = 0; r < size; ++r) {
        const WorkerRange w = worker_range(P, r, size);
        EXPECT_EQ(w.first, next);
        EXPECT_GE(w.count, P / size);
        EXPECT_LE(w.count, P / size + 1);
        next += w.count;
      }
      EXPECT_EQ(next, P);
    }
  }
  EXPECT_THROW(worker_range(2, 0, 4), Error);
  EXPECT_THROW(worker_range(0, 0, 1), Error);
}

TEST(Dist, OrderedMeanSumsLeftToRight) {
  SerialCommunicator comm;
  Eigen::MatrixXd cols(2, 3);
  cols << 1e16, 1.0, -1e16, 3.0, 4.0, 5.0;
  Eigen::VectorXd out;
  ordered_sum(comm, 3, worker_range(3, 0, 1), cols, out);
  // (1e16 + 1) - 1e16 = 0 in double: the order is fixed, not "whatever MPI does".
  EXPECT_EQ(out[0], (1e16 + 1.0) - 1e16);
  EXPECT_EQ(out[1], 12.0);
  ordered_mean(comm, 3, worker_range(3, 0, 1), cols, out);
  EXPECT_EQ(out[1], 4.0);
  EXPECT_THROW(ordered_mean(comm, 4, worker_range(3, 0, 1), cols, out), Error);
  EXPECT_EQ(global_min(comm, 2.5), 2.5);
}

TEST(Dist, CommunicatorChoice) {
  EXPECT_EQ(mode_from_string("auto"), Mode::automatic);
  EXPECT_THROW(mode_from_string("tcp"), Error);
  auto serial = make_communicator(Mode::serial);
  EXPECT_EQ(serial->size(), 1);
  EXPECT_EQ(serial->name(), "serial");
  // ctest does not run this binary under mpirun, so automatic mode stays serial (and never
  // initialises MPI).
  if (!launched_by_mpi()) {
    EXPECT_EQ(make_communicator(Mode::automatic)->name(), "serial");
  }
  if (!mpi_compiled()) {
    EXPECT_THROW(make_communicator(Mode::mpi), Error);
  }
}

}  // namespace
}  // namespace descent::dist
