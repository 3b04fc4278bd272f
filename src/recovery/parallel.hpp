// Private: split [0, n) into `threads` contiguous blocks and run f(begin, end) on each, the first
// on the calling thread (core/parallel.hpp; exceptions reach the caller). Each block writes only
// its own outputs, so results do not depend on the thread count.
#pragma once

#include <cstddef>

#include <Eigen/Core>

#include "descent/core/parallel.hpp"

namespace descent::recovery::detail {

template <class F>
void parallel_blocks(Eigen::Index n, int threads, F&& f) {
  descent::parallel_blocks(static_cast<std::size_t>(n), threads,
                           [&](std::size_t begin, std::size_t end, int) {
                             f(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(end));
                           });
}

}  // namespace descent::recovery::detail
