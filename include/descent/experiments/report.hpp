// What a reproduction returns: named metrics, claims checked against the paper, and plots.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent::experiments {

enum class Verdict { held, not_held, not_measured };
std::string_view to_string(Verdict v) noexcept;
Verdict verdict_from_string(std::string_view s);

/// One claim of the paper, checked by a reproduction.
struct Claim {
  std::string id;           ///< short stable key, e.g. "heavy_ball_fewer_iterations"
  std::string statement;    ///< the claim in words
  std::string paper_value;  ///< what the paper reports (text: a number, a ratio, "yes")
  std::string ours;         ///< what we measured (text)
  Verdict verdict = Verdict::not_measured;
  std::string reason;  ///< why it held / did not / was not measured
};

/// One curve of a plot: columns `x` and `y` of a CSV in the experiment's folder.
struct PlotSeries {
  PlotSeries() = default;
  PlotSeries(std::string csv_, std::string x_, std::string y_, std::string label_ = {},
             std::string yerr_ = {}, std::string z_ = {})
      : csv(std::move(csv_)),
        x(std::move(x_)),
        y(std::move(y_)),
        label(std::move(label_)),
        yerr(std::move(yerr_)),
        z(std::move(z_)) {}
  std::string csv;  ///< file name relative to the experiment folder
  std::string x;    ///< column name
  std::string y;    ///< column name
  std::string label;
  std::string yerr;  ///< optional column of ± error bars (drawn with yerrorlines)
  /// Optional column of ratios drawn as coloured squares at (x, y), labelled with the value, on
  /// a log colour scale from 1/4 (blue) through 1 (white) to 4 (red): a heat map of ratios over
  /// an irregular grid.
  std::string z;
};

/// A plot the report renders to PNG with gnuplot.
struct Plot {
  std::string file;  ///< PNG name relative to the experiment folder
  std::string title;
  std::string xlabel;
  std::string ylabel;
  bool logx = false;
  bool logy = false;
  std::vector<PlotSeries> series;
};

struct Report {
  std::map<std::string, double> metrics;  ///< flat name -> number
  std::vector<Claim> claims;
  std::vector<Plot> plots;
  std::vector<std::string> notes;  ///< free text shown in REPORT.md (one paragraph each)
  nlohmann::json config = nlohmann::json::object();  ///< settings the run actually used

  void metric(const std::string& name, double value) { metrics[name] = value; }
  /// Adds a claim whose verdict is decided by `held`.
  Claim& check(std::string id, std::string statement, std::string paper_value, std::string ours,
               bool held, std::string reason = {});
  Claim& not_measured(std::string id, std::string statement, std::string paper_value,
                      std::string reason);
};

/// What every reproduction receives.
struct ExperimentConfig {
  bool quick = false;      ///< the ~1 minute version
  std::uint64_t seed = 0;  ///< base seed; derive streams with descent::make_rng
  std::string out_dir;     ///< this experiment's folder (exists; write CSVs here)
  int threads = 1;
};

nlohmann::json to_json(const Claim& c);
nlohmann::json to_json(const Plot& p);
Plot plot_from_json(const nlohmann::json& j);

}  // namespace descent::experiments
