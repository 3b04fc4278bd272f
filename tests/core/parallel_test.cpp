// parallel_blocks / parallel_strided: the partition, and exceptions reaching the caller.
#include "descent/core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace descent {
namespace {

TEST(Parallel, BlocksCoverTheRangeOnceInContiguousPieces) {
  for (int threads : {0, 1, 2, 3, 7, 64})
    for (std::size_t count : {0u, 1u, 5u, 100u}) {
      std::vector<int> hits(count, 0);
      std::mutex m;
      std::vector<std::pair<std::size_t, std::size_t>> blocks;
      parallel_blocks(count, threads, [&](std::size_t b, std::size_t e, int w) {
        EXPECT_GE(w, 0);
        for (std::size_t i = b; i < e; ++i) ++hits[i];
        std::lock_guard lock(m);
        blocks.emplace_back(b, e);
      });
      for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(hits[i], 1) << threads << " " << count;
      const std::size_t expected =
          threads <= 1 || count <= 1 ? 1 : std::min<std::size_t>(std::size_t(threads), count);
      EXPECT_EQ(blocks.size(), expected) << threads << " " << count;
    }
}

TEST(Parallel, StridedVisitsEveryIndexOnce) {
  for (int threads : {1, 2, 5})
    for (std::size_t count : {0u, 1u, 4u, 33u}) {
      std::vector<std::atomic<int>> hits(count);
      parallel_strided(count, threads, [&](std::size_t j) { ++hits[j]; });
      for (std::size_t j = 0; j < count; ++j) EXPECT_EQ(hits[j].load(), 1);
    }
}

TEST(Parallel, AWorkersExceptionReachesTheCaller) {
  // Thrown on a worker thread (block 1), not the calling one: it used to end the process in the
  // ot kernels' splitter.
  EXPECT_THROW(parallel_blocks(100, 4,
                               [](std::size_t b, std::size_t, int w) {
                                 if (w == 1)
                                   throw std::runtime_error("worker " + std::to_string(b));
                               }),
               std::runtime_error);
  EXPECT_THROW(parallel_strided(10, 3,
                                [](std::size_t j) {
                                  if (j == 4) throw std::invalid_argument("j = 4");
                                }),
               std::invalid_argument);
}

}  // namespace
}  // namespace descent
