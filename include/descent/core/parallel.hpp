// Splitting a loop over threads, with exceptions carried back to the caller: an exception thrown
// in any worker is rethrown on the calling thread after every worker has joined (the first
// worker's, in worker order), instead of terminating the process.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace descent {

/// Runs f(begin, end, worker) over [0, count) split into min(threads, count) contiguous blocks,
/// block b = [b count / k, (b + 1) count / k); the calling thread takes block 0. threads <= 1
/// (or count <= 1) runs f(0, count, 0) inline. Each block should write only its own outputs, so
/// that results do not depend on the thread count.
template <class F>
void parallel_blocks(std::size_t count, int threads, F&& f) {
  const std::size_t k =
      threads <= 1 ? 1
                   : std::max<std::size_t>(1, std::min<std::size_t>(std::size_t(threads), count));
  if (k <= 1) {
    f(std::size_t{0}, count, 0);
    return;
  }
  std::vector<std::exception_ptr> errors(k);
  auto block = [&](std::size_t b) {
    try {
      f(b * count / k, (b + 1) * count / k, static_cast<int>(b));
    } catch (...) {
      errors[b] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(k - 1);
  for (std::size_t b = 1; b < k; ++b) pool.emplace_back(block, b);
  block(0);
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

/// Runs f(j) for j in [0, count), worker t taking j = t, t + k, t + 2k, ... with
/// k = min(threads, count) workers (the calling thread is worker 0).
template <class F>
void parallel_strided(std::size_t count, int threads, F&& f) {
  parallel_blocks(std::min<std::size_t>(count, std::size_t(std::max(threads, 1))), threads,
                  [&](std::size_t begin, std::size_t end, int) {
                    const std::size_t k =
                        std::min<std::size_t>(count, std::size_t(std::max(threads, 1)));
                    for (std::size_t t = begin; t < end; ++t)
                      for (std::size_t j = t; j < count; j += k) f(j);
                  });
}

}  // namespace descent
