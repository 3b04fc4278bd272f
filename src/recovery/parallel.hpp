// Private: split [0, n) into `threads` contiguous blocks and run f(begin, end) on each, the first
// on the calling thread. Each block writes only its own outputs, so results do not depend on the
// thread count.
#pragma once

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include <Eigen/Core>

namespace descent::recovery::detail {

template <class F>
void parallel_blocks(Eigen::Index n, int threads, F&& f) {
  const int nt = static_cast<int>(std::max<Eigen::Index>(1, std::min<Eigen::Index>(threads, n)));
  if (nt <= 1) {
    f(Eigen::Index{0}, n);
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(nt));
  auto block = [&](int t) {
    try {
      const Eigen::Index b = n * t / nt, e = n * (t + 1) / nt;
      f(b, e);
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < nt; ++t) pool.emplace_back(block, t);
  block(0);
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace descent::recovery::detail
