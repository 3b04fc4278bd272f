// Runs reproductions and writes their results; builds REPORT.md from a results folder.
#pragma once

#include <string>

#include "descent/experiments/registry.hpp"

namespace descent::experiments {

struct RunOptions {
  bool quick = false;
  std::uint64_t seed = 0;
  std::string out_dir = "results";
  int threads = 1;
  bool render_plots = true;  ///< call gnuplot right away (REPORT.md re-renders missing ones)
};

/// Runs one experiment into out_dir/<id>/ and writes summary.json (keys id, paper, metrics,
/// claims, config, seed, version, wall_seconds, quick, plots) atomically. Returns the summary.
/// An exception inside the experiment is recorded as summary.json with "error" set, and
/// rethrown, so a failed run never leaves a half-written summary.
nlohmann::json run_experiment(const ExperimentInfo& info, const RunOptions& options);

/// True if a usable gnuplot with a PNG terminal is on PATH.
bool gnuplot_available();

/// Renders one plot of an experiment folder to PNG with gnuplot. Returns false (and leaves no
/// file) if gnuplot is missing or fails; the reason goes to `why`.
bool render_plot(const std::string& experiment_dir, const Plot& plot, std::string* why = nullptr);

/// Writes DIR/REPORT.md from every DIR/<id>/summary.json: one table of all claims, then a
/// section per experiment with metrics, claims and PNG plots. Returns the path written.
std::string write_report(const std::string& dir);

}  // namespace descent::experiments
