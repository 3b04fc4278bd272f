// Bytes held by LibTorch's CPU tensors, current and peak: a counting wrapper installed as the
// CPU allocator for this object's lifetime. Used to measure the activation memory of a training
// step (NoProp's "memory does not grow with the number of blocks"); tensors allocated before
// the tracker existed are not counted.
#pragma once

#include <cstdint>

namespace descent::torch_support {

class ScopedAllocationTracker {
 public:
  ScopedAllocationTracker();
  ~ScopedAllocationTracker();
  ScopedAllocationTracker(const ScopedAllocationTracker&) = delete;
  ScopedAllocationTracker& operator=(const ScopedAllocationTracker&) = delete;

  /// Bytes allocated through the tracker and not yet freed.
  std::int64_t current() const;
  /// The highest current() since construction or the last reset_peak().
  std::int64_t peak() const;
  /// Sets peak() to current().
  void reset_peak();
};

}  // namespace descent::torch_support
