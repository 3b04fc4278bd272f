// `descent boost fit|predict|cv`: GBNN (gradient-boosted one-hidden-layer networks) on a user's
// CSV or LIBSVM table or a built-in set: fit and save a model, predict with it, nested CV.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include <unistd.h>

#include "cli.hpp"
#include "descent/boost/pipeline.hpp"
#ifdef DESCENT_HAVE_TORCH
#include "descent/boost_torch/sequential.hpp"
#endif
#include "descent/core/error.hpp"
#include "descent/data/table.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"

namespace descent::cli {
namespace {

using namespace descent::boost;

struct ModelFlags {
  int rounds = 200;  // T; total units = rounds · units
  int units = 1;
  double eta = 1.0;
  double subsample = 0.5;
  std::string activation = "logistic";
  double alpha = 1e-4;
  int max_iter = 200;
  double tol = 0.0;
  std::string regression_step = "newton";

  GbnnOptions options(std::uint64_t seed) const {
    GbnnOptions o;
    o.units_per_round = units;
    o.total_units = rounds * units;
    o.eta = eta;
    o.subsample = subsample;
    o.activation = activation_from_string(activation);
    o.alpha = alpha;
    o.max_iter = max_iter;
    o.tol = tol;
    o.regression_step = regression_step_from_string(regression_step);
    o.seed = seed;
    o.validate();
    return o;
  }
};

void add_model_flags(CLI::App* cmd, ModelFlags& m) {
  cmd->add_option("--rounds", m.rounds, "Boosting rounds T (the merged network has T x units)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--units", m.units, "Hidden units of each round's network (J)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--eta", m.eta, "Shrinkage: rho_t = eta x Newton step")
      ->check(finite_positive)
      ->capture_default_str();
  cmd->add_option("--subsample", m.subsample,
                  "Fraction of rows each round fits on (drawn without replacement), in (0, 1]")
      ->check(unit_interval)
      ->capture_default_str();
  cmd->add_option("--activation", m.activation, "logistic, tanh, relu or identity")
      ->check(CLI::IsMember({"logistic", "tanh", "relu", "identity"}))
      ->capture_default_str();
  cmd->add_option("--alpha", m.alpha, "L2 penalty of each round's network")
      ->check(finite_non_negative)
      ->capture_default_str();
  cmd->add_option("--max-iter", m.max_iter, "L-BFGS iterations per round")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--tol", m.tol, "L-BFGS gradient tolerance per round (0: off, as GBNN)")
      ->check(finite_non_negative)
      ->capture_default_str();
  cmd->add_option("--regression-step", m.regression_step,
                  "Regression: newton (rho = eta x sum(r h)/sum(h^2) on all rows) or unit "
                  "(rho = eta, the official code's; see docs/boost.md)")
      ->check(CLI::IsMember({"newton", "unit"}))
      ->capture_default_str();
}

Task parse_task(const std::string& s) {
  return task_from_string(s);
}

data::Dataset read_training_table(const std::string& source, const std::string& target, Task task) {
  data::TableOptions t;
  t.target = target;
  t.classification = task != Task::regression;
  data::Dataset d = data::read_table(source, t);
  if (task == Task::binary && d.classes != 2)
    throw InputError(source, 0, "target",
                     "the binary task needs exactly 2 classes, found " + std::to_string(d.classes) +
                         " (use --task multiclass)");
  return d;
}

std::string score_text(const Evaluation& e) {
  char buf[64];
  if (std::isnan(e.accuracy))
    std::snprintf(buf, sizeof buf, "RMSE %.6g", e.rmse);
  else
    std::snprintf(buf, sizeof buf, "accuracy %.4f", e.accuracy);
  return buf;
}

// ------------------------------------------------------------------------------------ fit

struct FitFlags {
  std::string data, target, task, out, network, torch_out;
  bool no_standardize = false;
  ModelFlags model;
  RunFlags run;
};

int run_fit(const FitFlags& f, const Globals& g) {
  const Task task = parse_task(f.task);
  const GbnnOptions options = f.model.options(g.seed);
#ifndef DESCENT_HAVE_TORCH
  if (!f.torch_out.empty())
    throw Error("--torch needs a build with LibTorch; --network writes the same network as JSON");
#endif
  const data::Dataset d = read_training_table(f.data, f.target, task);
  Callbacks callbacks = make_callbacks(f.run, g);
  RunInfo info;
  info.method = "gbnn";
  info.dimension = static_cast<std::size_t>(d.dimension());
  info.max_iterations = static_cast<std::size_t>(options.rounds());
  callbacks.begin(info);
  const BoostModel m = fit_model(d, task, options, !f.no_standardize, [&](const RoundInfo& r) {
    const Metric extras[] = {{"lbfgs_iterations", double(r.lbfgs_iterations)}};
    IterationInfo it;
    it.iteration = static_cast<std::size_t>(r.round);
    it.objective = r.train_loss;
    it.step_size = r.rho;
    it.seconds = r.seconds;
    it.extras = extras;
    return !callbacks.iteration(it);
  });
  Summary s;
  s.method = "gbnn";
  s.status = m.gbnn.status() == Status::converged && m.gbnn.rounds() < options.rounds()
                 ? Status::stopped
                 : m.gbnn.status();
  s.iterations = static_cast<std::size_t>(m.gbnn.rounds());
  s.objective = m.gbnn.train_losses().empty() ? NAN : m.gbnn.train_losses().back();
  s.message = s.status == Status::stopped ? callbacks.stop_reason()
              : s.status == Status::diverged
                  ? "a round produced a non-finite step or loss; the rounds before it are kept"
                  : "all rounds ran";
  callbacks.end(s);
  if (m.gbnn.rounds() == 0) {
    std::cerr << "descent: error: no round completed; nothing written\n";
    return 1;
  }
  save_model(f.out, m);
  if (!f.network.empty()) {
    const char* meaning = task == Task::binary       ? "logit"
                          : task == Task::multiclass ? "softmax-logits"
                                                     : "value";
    nlohmann::json net = network_to_json(m.gbnn.to_network(), meaning);
    if (m.feature_mean.size() > 0)
      net["standardize"] = {
          {"mean", std::vector<double>(m.feature_mean.data(),
                                       m.feature_mean.data() + m.feature_mean.size())},
          {"scale", std::vector<double>(m.feature_scale.data(),
                                        m.feature_scale.data() + m.feature_scale.size())}};
    io::write_json(f.network, net, 1);
  }
#ifdef DESCENT_HAVE_TORCH
  if (!f.torch_out.empty()) boost_torch::save_sequential(f.torch_out, m.gbnn.to_network());
#endif
  const Evaluation train = evaluate(m, d);
  if (g.json) {
    print_json({{"status", std::string(to_string(s.status))},
                {"task", std::string(to_string(task))},
                {"rounds", m.gbnn.rounds()},
                {"hidden_units", m.gbnn.to_network().hidden()},
                {"train_loss", s.objective},
                {"train_accuracy", std::isnan(train.accuracy) ? nlohmann::json(nullptr)
                                                              : nlohmann::json(train.accuracy)},
                {"train_rmse",
                 std::isnan(train.rmse) ? nlohmann::json(nullptr) : nlohmann::json(train.rmse)},
                {"rows", d.size()},
                {"features", d.dimension()},
                {"model", f.out}});
  } else {
    std::cout << "GBNN (" << to_string(task) << ") on " << d.name << " (" << d.size() << " rows, "
              << d.dimension() << " features): " << m.gbnn.rounds() << " rounds, "
              << m.gbnn.to_network().hidden() << " hidden units, training loss " << s.objective
              << ", training " << score_text(train) << "\n  model: " << f.out << "\n";
    if (!f.network.empty()) std::cout << "  merged network: " << f.network << "\n";
    if (!f.torch_out.empty())
      std::cout << "  merged network as a LibTorch Sequential: " << f.torch_out << "\n";
  }
  return exit_code(s.status, Goal::budget);
}

// -------------------------------------------------------------------------------- predict

struct PredictFlags {
  std::string model, data, target, out, staged;
  int rounds = -1;
};

int run_predict(const PredictFlags& f, const Globals& g) {
  const BoostModel m = load_model(f.model);
  const Task task = m.gbnn.task();
  data::TableOptions t;
  t.target = f.target.empty() ? m.target_name : f.target;
  t.classification = task != Task::regression;
  t.known_classes = m.class_values;
  if (t.classification && t.known_classes.empty())
    for (int k = 0; k < m.gbnn.classes(); ++k) t.known_classes.push_back(k);
  t.require_target = !f.staged.empty();
  t.expected_features = m.feature_names;
  t.expected_feature_count = static_cast<std::size_t>(m.gbnn.inputs());
  const data::Dataset d = data::read_table(f.data, t);
  if (f.rounds > m.gbnn.rounds())
    throw InvalidOption("rounds", "the model has " + std::to_string(m.gbnn.rounds()) +
                                      " rounds, asked for " + std::to_string(f.rounds));
  const Eigen::MatrixXd x = m.prepare(d.features);
  const Eigen::MatrixXd raw = m.gbnn.raw(x, f.rounds);
  const Eigen::VectorXd decision = m.gbnn.decide(raw);
  const bool has_target = d.targets.size() == d.size();

  // Write everything only after every check passed: no partial output.
  std::vector<std::string> columns{"prediction"};
  Eigen::MatrixXd table(d.size(), 1);
  for (Eigen::Index i = 0; i < d.size(); ++i) table(i, 0) = m.label_of(decision[i]);
  if (task != Task::regression) {
    const Eigen::MatrixXd p = m.gbnn.probabilities(raw);
    table.conservativeResize(Eigen::NoChange, 1 + p.cols());
    table.rightCols(p.cols()) = p;
    for (int k = 0; k < m.gbnn.classes(); ++k) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "p_%.10g", m.label_of(k));
      columns.emplace_back(buf);
    }
  }
  if (!f.staged.empty()) {
    std::vector<Evaluation> curve;
    m.gbnn.staged_raw(x, [&](int, const Eigen::MatrixXd& fr) {
      curve.push_back(evaluate_scores(m.gbnn, fr, d.targets));
    });
    Eigen::MatrixXd s(Eigen::Index(curve.size()), 3);
    for (std::size_t i = 0; i < curve.size(); ++i)
      s.row(Eigen::Index(i)) << double(i),
          task == Task::regression ? curve[i].rmse : curve[i].accuracy, curve[i].loss;
    io::write_csv(f.staged, s, {"round", task == Task::regression ? "rmse" : "accuracy", "loss"});
  }
  io::write_csv(f.out, table, columns);
  std::optional<Evaluation> score;
  if (has_target) score = evaluate_scores(m.gbnn, raw, d.targets);
  if (g.json) {
    nlohmann::json j{{"rows", d.size()},
                     {"predictions", f.out},
                     {"rounds", f.rounds < 0 ? m.gbnn.rounds() : f.rounds}};
    if (score) {
      if (task == Task::regression)
        j["rmse"] = score->rmse;
      else
        j["accuracy"] = score->accuracy;
      j["loss"] = score->loss;
    }
    print_json(j);
  } else {
    std::cout << "predicted " << d.size() << " rows with "
              << (f.rounds < 0 ? m.gbnn.rounds() : f.rounds) << " rounds -> " << f.out;
    if (score) std::cout << "; " << score_text(*score) << ", loss " << score->loss;
    std::cout << "\n";
    if (!f.staged.empty()) std::cout << "  staged scores: " << f.staged << "\n";
  }
  return 0;
}

// ------------------------------------------------------------------------------------- cv

struct CvFlags {
  std::string data, target, task, grid = "small", out;
  int folds = 5, inner_folds = 3;
  bool no_standardize = false;
  ModelFlags model;
};

int run_cv(const CvFlags& f, const Globals& g) {
  const Task task = parse_task(f.task);
  const GbnnOptions base = f.model.options(g.seed);
  const std::vector<data::GridPoint> grid = parse_grid(f.grid);
  const data::Dataset d = read_training_table(f.data, f.target, task);
  CvOptions o;
  o.folds = f.folds;
  o.inner_folds = f.inner_folds;
  o.standardize = !f.no_standardize;
  o.seed = g.seed;
  const bool chatty = !g.quiet && !g.json && isatty(2);
  const CvResult r = nested_cv(d, task, base, grid, o, [&](int k, int n) {
    if (chatty) std::cerr << "fold " << k + 1 << "/" << n << "\r" << std::flush;
  });
  if (chatty) std::cerr << "            \r";
  const bool reg = task == Task::regression;
  if (!f.out.empty()) {
    std::vector<std::string> cols{"fold", reg ? "rmse" : "accuracy", "loss", "seconds"};
    std::vector<std::string> keys;
    if (!r.folds.empty())
      for (const auto& [k, v] : r.folds.front().best) keys.push_back(k);
    for (const auto& k : keys) cols.push_back(k);
    Eigen::MatrixXd t(Eigen::Index(r.folds.size()), Eigen::Index(cols.size()));
    for (std::size_t i = 0; i < r.folds.size(); ++i) {
      const CvFold& fo = r.folds[i];
      t(Eigen::Index(i), 0) = double(i + 1);
      t(Eigen::Index(i), 1) = reg ? fo.test.rmse : fo.test.accuracy;
      t(Eigen::Index(i), 2) = fo.test.loss;
      t(Eigen::Index(i), 3) = fo.seconds;
      for (std::size_t k = 0; k < keys.size(); ++k)
        t(Eigen::Index(i), Eigen::Index(4 + k)) = fo.best.at(keys[k]);
    }
    io::write_csv(f.out, t, cols);
  }
  const double mean = reg ? -r.mean : r.mean;
  if (g.json) {
    nlohmann::json folds = nlohmann::json::array();
    for (const CvFold& fo : r.folds)
      folds.push_back({{"score", reg ? fo.test.rmse : fo.test.accuracy},
                       {"best", data::to_string(fo.best)},
                       {"seconds", fo.seconds}});
    print_json({{"metric", reg ? "rmse" : "accuracy"},
                {"mean", mean},
                {"std", r.std},
                {"folds", folds},
                {"grid_points", grid.size()}});
  } else {
    for (std::size_t i = 0; i < r.folds.size(); ++i) {
      const CvFold& fo = r.folds[i];
      std::cout << "fold " << i + 1 << ": " << score_text(fo.test)
                << (fo.best.empty() ? "" : "  (" + data::to_string(fo.best) + ")") << "\n";
    }
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s %.4f +- %.4f over %zu folds", reg ? "RMSE" : "accuracy",
                  mean, r.std, r.folds.size());
    std::cout << buf
              << (grid.empty() ? ""
                               : " (nested: " + std::to_string(grid.size()) + "-point grid, " +
                                     std::to_string(f.inner_folds) + " inner folds)")
              << "\n";
    if (!f.out.empty()) std::cout << "  per-fold results: " << f.out << "\n";
  }
  return 0;
}

void add_table_flags(CLI::App* cmd, std::string& data, std::string& target) {
  cmd->add_option("--data", data,
                  "A CSV file (header optional), a LIBSVM file (.libsvm/.svm) or a data set "
                  "name (digits, iris, wine, breast-cancer, diabetes)")
      ->required();
  cmd->add_option("--target", target,
                  "The target column: a header name or a 1-based number (default: the last "
                  "column)");
}

const CommandRegistrar registrar("boost", [](CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "boost", "GBNN: gradient-boosted neural networks on a CSV/LIBSVM table (fit, predict, cv)");
  cmd->require_subcommand(1);

  auto fit = std::make_shared<FitFlags>();
  auto* fc = cmd->add_subcommand("fit", "Fit GBNN and save the model (JSON)");
  add_table_flags(fc, fit->data, fit->target);
  fc->add_option("--task", fit->task, "regress, binary or multiclass")
      ->required()
      ->check(CLI::IsMember({"regress", "regression", "binary", "multiclass"}));
  add_model_flags(fc, fit->model);
  fc->add_flag("--no-standardize", fit->no_standardize,
               "Use the features as they are (default: z-score them; the model file keeps the "
               "statistics)");
  fc->add_option("--out", fit->out, "The model file (.json)")->required();
  fc->add_option("--network", fit->network,
                 "Also write the merged one-hidden-layer network (JSON: w1, b1, w2, b2)");
  fc->add_option("--torch", fit->torch_out,
                 "Also write the merged network as a plain LibTorch Sequential(Linear, "
                 "Sigmoid, Linear) for torch::load (.pt; builds with LibTorch)");
  add_run_flags(fc, fit->run);

  auto pred = std::make_shared<PredictFlags>();
  auto* pc = cmd->add_subcommand("predict",
                                 "Predict with a saved model; scores it when the "
                                 "table has the target column");
  pc->add_option("--model", pred->model, "A model written by descent boost fit")->required();
  add_table_flags(pc, pred->data, pred->target);
  pc->add_option("--out", pred->out,
                 "Predictions CSV: prediction (label or value) and, for classes, p_LABEL")
      ->required();
  pc->add_option("--rounds", pred->rounds, "Use only the first N rounds (anytime prediction)")
      ->check(CLI::Range(1, 1000000));
  pc->add_option("--staged", pred->staged,
                 "Write the score after every round (round, accuracy|rmse, loss) to this CSV; "
                 "needs the target column");

  auto cv = std::make_shared<CvFlags>();
  auto* cc = cmd->add_subcommand("cv",
                                 "Nested cross-validation: outer k-fold score, inner grid "
                                 "search");
  add_table_flags(cc, cv->data, cv->target);
  cc->add_option("--task", cv->task, "regress, binary or multiclass")
      ->required()
      ->check(CLI::IsMember({"regress", "regression", "binary", "multiclass"}));
  add_model_flags(cc, cv->model);
  cc->add_option("--folds", cv->folds, "Outer folds (stratified for classification)")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  cc->add_option("--inner-folds", cv->inner_folds, "Folds of the inner grid search")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  cc->add_option("--grid", cv->grid,
                 "default (the paper's 80 points), small (eta 0.1,0.5 x subsample 0.5,1), none, "
                 "or 'eta=0.1,0.5;subsample=0.5,1;units=1,2'")
      ->capture_default_str();
  cc->add_flag("--no-standardize", cv->no_standardize, "Use the features as they are");
  cc->add_option("--out", cv->out, "Per-fold results CSV");

  return Command{cmd, [fit, pred, cv, fc, pc, cc, &g] {
                   if (fc->parsed()) return run_fit(*fit, g);
                   if (pc->parsed()) return run_predict(*pred, g);
                   if (cc->parsed()) return run_cv(*cv, g);
                   return 2;
                 }};
});

}  // namespace
}  // namespace descent::cli
