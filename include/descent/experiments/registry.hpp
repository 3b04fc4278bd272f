// The experiment registry: each reproduction registers itself from its own file.
//
//   static const descent::experiments::Registrar reg{{
//       .id = "gd-rosenbrock", .paper = "...", .summary = "...", .run = &run}};
//
// Registrars live in object libraries linked straight into the CLI (see descent_add_experiment
// in cmake/DescentHelpers.cmake), so the linker never drops them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "descent/experiments/report.hpp"

namespace descent::experiments {

struct ExperimentInfo {
  std::string id;       ///< CLI name, e.g. "sns"
  std::string paper;    ///< paper title, authors, venue, year
  std::string summary;  ///< one line: what the reproduction runs
  std::function<Report(const ExperimentConfig&)> run;
};

struct Registrar {
  explicit Registrar(ExperimentInfo info);
};

/// All registered experiments, sorted by id.
std::vector<const ExperimentInfo*> all_experiments();
/// nullptr if unknown.
const ExperimentInfo* find_experiment(const std::string& id);

}  // namespace descent::experiments
