// Tier B as a search problem, without LibTorch headers (the CLI and Eigen-only callers): the
// elastic digits supernet of elastic_cnn.hpp, trained or loaded once, behind evo::Problem.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "descent/evo/nsga2.hpp"
#include "descent/evo/space.hpp"

namespace descent::evo_torch {

struct DigitsProblemOptions {
  int steps = 3000;        ///< sandwich-rule Adam steps when training
  std::uint64_t seed = 0;  ///< the supernet's initial weights and batches
  std::string checkpoint;  ///< load from here if it exists, else train and save here ("" = no)
};

struct DigitsProblem {
  evo::Problem problem;      ///< objectives in the order asked, minimised (see evaluate below)
  evo::SearchSpace space;    ///< digits_elastic_space()
  double train_seconds = 0;  ///< 0 when loaded from a checkpoint
  /// Any objectives of the same supernet (same names as below), e.g. latency for the front of
  /// a search run on (error, macs).
  std::function<void(const Eigen::MatrixXd&, Eigen::MatrixXd&, const std::vector<std::string>&)>
      measure;
};

/// objectives: any of "accuracy" (held-out top-1 %, maximised: −accuracy), "error" (100 −
/// accuracy), "latency" (ms, median of 20 batch-1 forwards, 1 thread), "macs" (thousands).
/// InvalidOption for another name.
DigitsProblem digits_elastic_problem(const std::vector<std::string>& objectives,
                                     const DigitsProblemOptions& options = {});

}  // namespace descent::evo_torch
