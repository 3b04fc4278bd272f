// GBNN on data sets: fit, score, nested cross-validation.
#include "descent/boost/pipeline.hpp"

#include <chrono>
#include <cmath>
#include <sstream>

#include "descent/core/error.hpp"

namespace descent::boost {

Task default_task(const data::Dataset& d) {
  if (d.classes == 0) return Task::regression;
  return d.classes == 2 ? Task::binary : Task::multiclass;
}

BoostModel fit_model(const data::Dataset& train, Task task, const GbnnOptions& options,
                     bool standardize, const RoundCallback& on_round) {
  if (task != Task::regression && train.classes < 2)
    throw Error("boost: the " + std::string(to_string(task)) +
                " task needs a target with classes; '" + train.name + "' has none");
  if (task == Task::binary && train.classes != 2)
    throw Error("boost: the binary task needs exactly 2 classes; '" + train.name + "' has " +
                std::to_string(train.classes) + " (use --task multiclass)");
  BoostModel m;
  m.options = options;
  m.feature_names = train.feature_names;
  m.target_name = train.target_name;
  m.class_values = train.class_values;
  m.data_source = train.source.empty() ? train.name : train.source;
  Eigen::MatrixXd x = train.features;
  if (standardize) {
    const data::Standardizer s(x);
    m.feature_mean = s.mean();
    m.feature_scale = s.scale();
    x = s.transform(x);
  }
  m.gbnn = Gbnn::fit(x, train.targets, task, task == Task::regression ? 0 : train.classes, options,
                     on_round);
  return m;
}

Evaluation evaluate_scores(const Gbnn& model, const Eigen::MatrixXd& f, const Eigen::VectorXd& y) {
  Evaluation e;
  e.loss = mean_loss(model.task(), y, f);
  const Eigen::VectorXd p = model.decide(f);
  if (model.task() == Task::regression) {
    e.rmse = std::sqrt((p - y).squaredNorm() / double(y.size()));
  } else {
    e.accuracy = (p.array() == y.array()).cast<double>().mean();
  }
  return e;
}

Evaluation evaluate(const BoostModel& model, const data::Dataset& test, int rounds) {
  return evaluate_scores(model.gbnn, model.gbnn.raw(model.prepare(test.features), rounds),
                         test.targets);
}

std::vector<Evaluation> staged_evaluate(const BoostModel& model, const data::Dataset& test) {
  std::vector<Evaluation> out;
  model.gbnn.staged_raw(model.prepare(test.features), [&](int, const Eigen::MatrixXd& f) {
    out.push_back(evaluate_scores(model.gbnn, f, test.targets));
  });
  return out;
}

GbnnOptions with_point(GbnnOptions base, const data::GridPoint& point) {
  for (const auto& [key, value] : point) {
    if (key == "eta")
      base.eta = value;
    else if (key == "subsample")
      base.subsample = value;
    else if (key == "units")
      base.units_per_round = static_cast<int>(value);
    else if (key == "total_units")
      base.total_units = static_cast<int>(value);
    else if (key == "alpha")
      base.alpha = value;
    else
      throw InvalidOption(
          "grid", "unknown parameter '" + key + "' (eta, subsample, units, total_units, alpha)");
  }
  // Units per round that do not divide the total: keep the total, round the count of rounds.
  if (base.units_per_round > 0 && base.total_units % base.units_per_round != 0)
    base.total_units = (base.total_units / base.units_per_round) * base.units_per_round;
  return base;
}

std::vector<data::GridPoint> parse_grid(const std::string& spec) {
  if (spec == "none" || spec.empty()) return {};
  if (spec == "default")
    return data::expand_grid({{"units", {1, 2, 3, 4}},
                              {"subsample", {0.25, 0.5, 0.75, 1.0}},
                              {"eta", {0.025, 0.05, 0.1, 0.5, 1.0}}});
  if (spec == "small") return data::expand_grid({{"eta", {0.1, 0.5}}, {"subsample", {0.5, 1.0}}});
  std::map<std::string, std::vector<double>> axes;
  std::stringstream ss(spec);
  std::string axis;
  while (std::getline(ss, axis, ';')) {
    const auto eq = axis.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InvalidOption("grid", "'" + axis + "' is not NAME=V1,V2,...");
    const std::string name = axis.substr(0, eq);
    std::stringstream vs(axis.substr(eq + 1));
    std::string v;
    std::vector<double> values;
    while (std::getline(vs, v, ',')) {
      std::size_t used = 0;
      double x = 0;
      try {
        x = std::stod(v, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != v.size() || v.empty() || !std::isfinite(x))
        throw InvalidOption("grid", "'" + v + "' in '" + axis + "' is not a finite number");
      values.push_back(x);
    }
    axes[name] = values;
  }
  std::vector<data::GridPoint> points = data::expand_grid(axes);
  for (const auto& p : points) with_point(GbnnOptions{}, p).validate();  // names and ranges
  return points;
}

CvResult nested_cv(const data::Dataset& d, Task task, const GbnnOptions& base,
                   const std::vector<data::GridPoint>& grid, const CvOptions& o,
                   const std::function<void(int, int)>& progress) {
  const bool stratify = task != Task::regression;
  auto split = [&](const data::Dataset& s, int k, std::uint64_t seed) {
    return stratify ? data::stratified_kfold(s.targets, k, seed) : data::kfold(s.size(), k, seed);
  };
  if (o.inner_folds < 2) throw InvalidOption("inner_folds", "must be >= 2");
  const std::vector<data::Fold> outer = split(d, o.folds, o.seed);
  CvResult result;
  std::vector<double> scores;
  for (std::size_t f = 0; f < outer.size(); ++f) {
    if (progress) progress(static_cast<int>(f), static_cast<int>(outer.size()));
    const auto start = std::chrono::steady_clock::now();
    const data::Dataset train = d.subset(outer[f].train), test = d.subset(outer[f].test);
    CvFold fold;
    GbnnOptions chosen = base;
    if (!grid.empty()) {
      const auto inner = split(train, o.inner_folds, derive_seed(o.seed, {f}));
      const data::GridSearchResult gs =
          data::grid_search(grid, inner, [&](const data::GridPoint& p, const data::Fold& in) {
            const BoostModel m =
                fit_model(train.subset(in.train), task, with_point(base, p), o.standardize);
            return evaluate(m, train.subset(in.test)).score();
          });
      fold.best = gs.best_score().point;
      chosen = with_point(base, fold.best);
    }
    fold.test = evaluate(fit_model(train, task, chosen, o.standardize), test);
    fold.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    scores.push_back(fold.test.score());
    result.folds.push_back(std::move(fold));
  }
  std::tie(result.mean, result.std) = data::mean_and_std(scores);
  return result;
}

}  // namespace descent::boost
