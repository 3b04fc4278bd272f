// `descent predict-fit`: DyNAS-T's objective predictor alone (Ridge and RBF-SVR tuned by
// scikit-learn's grid-search protocol, the better kept) on a user's CSV, with its CV scores and
// optionally held-out MAPE and Kendall tau.
#include <algorithm>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/evo/predictor.hpp"
#include "descent/io/csv.hpp"
#include "evo_flags.hpp"

namespace descent::cli {
namespace {

using Index = Eigen::Index;

struct PredictFlags {
  std::string data, target, model = "best", features, exclude;
  std::size_t holdout = 0;
  int folds = 5;
};

Index column(const io::CsvTable& t, const std::string& name, const std::string& file,
             const char* flag) {
  const auto it = std::find(t.columns.begin(), t.columns.end(), name);
  if (it == t.columns.end()) throw InvalidOption(flag, "'" + name + "' is not a column of " + file);
  return it - t.columns.begin();
}

int run_predict_fit(const PredictFlags& f, const Globals& g) {
  if (f.model != "best" && f.model != "ridge" && f.model != "svr")
    throw InvalidOption("model", "must be best, ridge or svr, got '" + f.model + "'");
  if (f.folds < 2) throw InvalidOption("folds", "must be >= 2");
  io::CsvOptions opts;
  opts.header = io::CsvOptions::Header::yes;
  const io::CsvTable t = io::read_csv(f.data, opts);
  const Index y_col = column(t, f.target, f.data, "target");
  std::vector<Index> x_cols;
  if (!f.features.empty()) {
    for (const auto& n : split_names(f.features, "features"))
      x_cols.push_back(column(t, n, f.data, "features"));
  } else {
    const auto excluded = split_names(f.exclude, "exclude");
    for (const auto& n : excluded) column(t, n, f.data, "exclude");
    for (Index c = 0; c < t.values.cols(); ++c)
      if (c != y_col && std::find(excluded.begin(), excluded.end(),
                                  t.columns[static_cast<std::size_t>(c)]) == excluded.end())
        x_cols.push_back(c);
  }
  if (std::find(x_cols.begin(), x_cols.end(), y_col) != x_cols.end())
    throw InvalidOption("features", "includes the target '" + f.target + "'");
  if (x_cols.empty()) throw InvalidOption("features", "leaves no feature column");
  const Index n = t.values.rows();
  const Index train = n - static_cast<Index>(f.holdout);
  if (train < 2 * f.folds)
    throw InvalidOption("holdout", "leaves " + std::to_string(train) + " training rows; " +
                                       std::to_string(f.folds) + "-fold search needs at least " +
                                       std::to_string(2 * f.folds));
  Eigen::MatrixXd X(n, static_cast<Index>(x_cols.size()));
  for (std::size_t k = 0; k < x_cols.size(); ++k)
    X.col(static_cast<Index>(k)) = t.values.col(x_cols[k]);
  const Eigen::VectorXd y = t.values.col(y_col);

  evo::Predictor p(f.model, f.folds);
  p.fit(X.topRows(train), y.head(train));
  nlohmann::json j{{"data", f.data},
                   {"target", f.target},
                   {"rows", n},
                   {"training_rows", train},
                   {"features", x_cols.size()},
                   {"features_kept", p.columns().size()},
                   {"chosen", p.chosen()},
                   {"label_scale", p.label_scale()}};
  if (f.model != "svr")
    j["ridge"] = {{"alpha", p.ridge_search().best_value()},
                  {"cv_mape", -p.ridge_search().best_score()}};
  if (f.model != "ridge")
    j["svr"] = {{"C", p.svr_search().best_value()}, {"cv_mape", -p.svr_search().best_score()}};
  if (f.holdout > 0) {
    const Eigen::VectorXd pred = p.predict(X.bottomRows(static_cast<Index>(f.holdout)));
    const Eigen::VectorXd truth = y.tail(static_cast<Index>(f.holdout));
    j["holdout"] = {{"rows", f.holdout},
                    {"mape", evo::mape(truth, pred)},
                    {"kendall_tau", evo::kendall_tau(truth, pred)}};
  }
  if (g.json) {
    print_json(j);
    return 0;
  }
  std::cout << "predictor for " << f.target << " on " << train << " rows of " << f.data << " ("
            << p.columns().size() << " of " << x_cols.size() << " features vary): " << p.chosen()
            << "\n";
  if (j.contains("ridge"))
    std::cout << "  ridge alpha " << j["ridge"]["alpha"].get<double>() << ", " << f.folds
              << "-fold CV MAPE " << j["ridge"]["cv_mape"].get<double>() << "\n";
  if (j.contains("svr"))
    std::cout << "  svr   C " << j["svr"]["C"].get<double>() << ", " << f.folds << "-fold CV MAPE "
              << j["svr"]["cv_mape"].get<double>() << "\n";
  if (j.contains("holdout"))
    std::cout << "  held-out " << f.holdout << " rows: MAPE " << j["holdout"]["mape"].get<double>()
              << ", Kendall tau " << j["holdout"]["kendall_tau"].get<double>() << "\n";
  return 0;
}

const CommandRegistrar registrar("predict-fit", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<PredictFlags>();
  auto* cmd = app.add_subcommand(
      "predict-fit", "Fit DyNAS-T's objective predictor (Ridge / RBF-SVR grid search) to a CSV");
  cmd->add_option("--data", f->data, "CSV with a header: feature columns and the target")
      ->required();
  cmd->add_option("--target", f->target, "the column to predict")->required();
  cmd->add_option("--model", f->model, "best, ridge or svr")->capture_default_str();
  cmd->add_option("--features", f->features, "feature columns (default: all but the target)");
  cmd->add_option("--exclude", f->exclude, "columns left out of the default features");
  cmd->add_option("--holdout", f->holdout, "the last N rows are held out and scored")
      ->capture_default_str();
  cmd->add_option("--folds", f->folds, "K of the K-fold grid search")->capture_default_str();
  cmd->footer(
      "Example: descent predict-fit --data front.results.csv --target accuracy --exclude macs "
      "--holdout 50\nExit status: 0, or 2 for a malformed file or option.");
  return Command{cmd, [f, &g] { return run_predict_fit(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
