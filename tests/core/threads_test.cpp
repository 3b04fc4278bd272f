#include <gtest/gtest.h>

#include <cstdlib>

#include "descent/core/error.hpp"
#include "descent/core/threads.hpp"

namespace descent {
namespace {

TEST(Threads, KnobSetsEnvironmentAndCallsHooks) {
  static int seen = -1;  // static: the hook outlives this test
  add_thread_hook([](int n) { seen = n; });
  set_threads(1);
  EXPECT_EQ(threads(), 1);
  EXPECT_EQ(seen, 1);
  EXPECT_STREQ(std::getenv("OMP_NUM_THREADS"), "1");
  EXPECT_STREQ(std::getenv("OPENBLAS_NUM_THREADS"), "1");
  set_threads(0);  // all cores
  EXPECT_EQ(threads(), hardware_threads());
  EXPECT_EQ(seen, hardware_threads());
  EXPECT_THROW(set_threads(-1), InvalidOption);
  set_threads(1);
}

}  // namespace
}  // namespace descent
