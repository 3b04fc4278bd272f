// A callback that stops a run after iteration `at`, with a given reason: the tests of the
// descent::Run contract (callback stop, last row kept) share it.
#pragma once

#include <cstddef>
#include <string>
#include <utility>

#include "descent/core/callbacks.hpp"

namespace descent::test {

class StopAt : public Callback {
 public:
  explicit StopAt(std::size_t at, std::string reason = "test stop")
      : at_(at), reason_(std::move(reason)) {}
  bool iteration(const IterationInfo& info) override { return info.iteration >= at_; }
  std::string stop_reason() const override { return reason_; }

 private:
  std::size_t at_;
  std::string reason_;
};

}  // namespace descent::test
