#include "descent/experiments/runner.hpp"

#include <cmath>
#include <filesystem>

#include "descent/core/error.hpp"
#include "descent/core/timer.hpp"
#include "descent/core/version.hpp"
#include "descent/io/json.hpp"

namespace descent::experiments {

namespace fs = std::filesystem;

namespace {
nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json run_experiment(const ExperimentInfo& info, const RunOptions& options) {
  const fs::path dir = fs::path(options.out_dir) / info.id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create results folder " + dir.string() + ": " + ec.message());

  ExperimentConfig config;
  config.quick = options.quick;
  config.seed = options.seed;
  config.out_dir = dir.string();
  config.threads = options.threads;

  nlohmann::json summary = {{"id", info.id},
                            {"paper", info.paper},
                            {"summary", info.summary},
                            {"seed", options.seed},
                            {"quick", options.quick},
                            {"version", descent::version},
                            {"threads", options.threads}};
  Stopwatch clock;
  Report report;
  try {
    report = info.run(config);
  } catch (const std::exception& e) {
    summary["error"] = e.what();
    summary["wall_seconds"] = clock.seconds();
    summary["metrics"] = nlohmann::json::object();
    summary["claims"] = nlohmann::json::array();
    summary["config"] = nlohmann::json::object();
    summary["plots"] = nlohmann::json::array();
    io::write_json((dir / "summary.json").string(), summary);
    throw;
  }
  summary["wall_seconds"] = clock.seconds();
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [name, value] : report.metrics) metrics[name] = finite_or_null(value);
  summary["metrics"] = metrics;
  nlohmann::json claims = nlohmann::json::array();
  for (const auto& c : report.claims) claims.push_back(to_json(c));
  summary["claims"] = claims;
  summary["config"] = report.config;
  summary["notes"] = report.notes;
  nlohmann::json plots = nlohmann::json::array();
  for (const auto& p : report.plots) plots.push_back(to_json(p));
  summary["plots"] = plots;

  if (options.render_plots && gnuplot_available())
    for (const auto& p : report.plots) render_plot(dir.string(), p);
  io::write_json((dir / "summary.json").string(), summary);
  return summary;
}

}  // namespace descent::experiments
