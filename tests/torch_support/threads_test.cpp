// Acceptance check for the thread knob: with --threads 1, a LibTorch matmul keeps exactly one
// core busy. Measured as process CPU time over wall time during the matmuls (1.0 = one busy
// thread, 2.0 = both cores). This is a ratio of one run with itself, not a timing threshold.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>

#include <torch/torch.h>

#include "descent/core/threads.hpp"
#include "descent/torch_support/threads.hpp"

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// CPU seconds per wall second while multiplying large matrices for about 1.5 s.
double busy_threads_during_matmul() {
  torch::manual_seed(0);
  const auto a = torch::randn({1024, 1024}, torch::kFloat64);
  const auto b = torch::randn({1024, 1024}, torch::kFloat64);
  auto c = torch::mm(a, b);  // warm up the pools
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  double wall = 0;
  while (wall < 1.5) {
    c = torch::mm(a, b);
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  }
  EXPECT_TRUE(torch::isfinite(c).all().item<bool>());
  return (cpu_seconds() - cpu0) / wall;
}

TEST(TorchThreads, OneThreadMeansOneBusyCore) {
  descent::torch_support::install_thread_hook();
  descent::set_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
  const double busy = busy_threads_during_matmul();
  std::printf("busy threads with --threads 1: %.2f\n", busy);
  EXPECT_LT(busy, 1.3);
  EXPECT_GT(busy, 0.5);  // the measurement itself works

  // With all cores, the same work can use more than one (informational on a loaded machine).
  descent::set_threads(0);
  EXPECT_EQ(at::get_num_threads(), descent::hardware_threads());
  std::printf("busy threads with --threads 0 (%d cores): %.2f\n", descent::hardware_threads(),
              busy_threads_during_matmul());
  descent::set_threads(1);
}

}  // namespace
