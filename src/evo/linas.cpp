#include "descent/evo/linas.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/core/run.hpp"
#include "descent/core/timer.hpp"
#include "descent/evo/pareto.hpp"
#include "descent/evo/predictor.hpp"
#include "search_internals.hpp"

namespace descent::evo {

namespace {

using Index = Eigen::Index;
using detail::Evaluator;
using detail::RowSet;

/// `count` distinct uniform configurations outside `excluded` (fewer if the space runs out).
Eigen::MatrixXd fresh_random(const Bounds& bounds, std::size_t count, const RowSet& excluded,
                             Rng& rng) {
  RowSet batch;
  Eigen::MatrixXd X(static_cast<Index>(count), bounds.size());
  std::size_t made = 0;
  for (std::size_t tries = 0; made < count && tries < 100 * count + 1000; ++tries) {
    const Eigen::MatrixXd x = random_population(bounds, 1, rng);
    if (excluded.count(x.row(0)) > 0 || !batch.insert(x.row(0)).second) continue;
    X.row(static_cast<Index>(made++)) = x.row(0);
  }
  return X.topRows(static_cast<Index>(made));
}

/// The next configurations to validate: the inner run's final population (best rank first)
/// without validated ones, then the rest of its evaluations by predicted rank and crowding.
Eigen::MatrixXd next_population(const Nsga2Result& inner, std::size_t count,
                                const RowSet& validated) {
  std::vector<Eigen::RowVectorXd> out;
  RowSet chosen;
  auto take = [&](const Eigen::RowVectorXd& x) {
    if (out.size() < count && validated.count(x) == 0 && chosen.insert(x).second) out.push_back(x);
  };
  for (Index r = 0; r < inner.X.rows(); ++r) take(inner.X.row(r));
  if (out.size() < count) {
    for (const auto& front : non_dominated_sort(inner.all_F)) {
      const std::vector<double> cd = crowding_distance(inner.all_F, front);
      std::vector<std::size_t> order(front.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return cd[a] > cd[b]; });
      for (std::size_t i : order) take(inner.all_X.row(front[i]));
      if (out.size() >= count) break;
    }
  }
  Eigen::MatrixXd P(static_cast<Index>(out.size()), inner.all_X.cols());
  for (std::size_t i = 0; i < out.size(); ++i) P.row(static_cast<Index>(i)) = out[i];
  return P;
}

}  // namespace

void LinasOptions::validate() const {
  if (population < 2) throw InvalidOption("population", "must be >= 2");
  if (evaluations < 1) throw InvalidOption("evaluations", "must be >= 1");
  if (inner_evaluations < population)
    throw InvalidOption("inner_evaluations",
                        "must be at least the population (" + std::to_string(population) + ")");
  if (predictor != "best" && predictor != "ridge" && predictor != "svr")
    throw InvalidOption("predictor", "must be best, ridge or svr, got '" + predictor + "'");
  if (folds < 2) throw InvalidOption("folds", "must be >= 2");
  if (population < static_cast<std::size_t>(folds))
    throw InvalidOption("population", "must be at least folds (" + std::to_string(folds) +
                                          "): the first loop fits the predictors on one "
                                          "population");
  crossover.validate();
  mutation.validate();
  history.validate();
}

Features default_features(const Bounds& bounds) {
  bool all_integer = bounds.size() > 0;
  std::vector<int> choices;
  for (Index i = 0; i < bounds.size(); ++i) {
    all_integer = all_integer && bounds.is_integer(i);
    choices.push_back(static_cast<int>(bounds.upper(i) - bounds.lower(i)) + 1);
  }
  if (!all_integer) return [](const Eigen::MatrixXd& X) { return X; };
  const Eigen::RowVectorXd lower = bounds.lower.transpose();
  return
      [choices, lower](const Eigen::MatrixXd& X) { return one_hot(X.rowwise() - lower, choices); };
}

Nsga2Result linas(const Problem& problem, const LinasOptions& o, Callbacks callbacks,
                  Features features) {
  problem.validate();
  o.validate();
  if (!features) features = default_features(problem.bounds);
  const std::size_t loops = (o.evaluations + o.population - 1) / o.population;
  Run run("linas", static_cast<std::size_t>(problem.bounds.size()), loops, o.history, callbacks);
  Rng rng = make_rng(o.seed, {0x4c494e41});  // "LINA"

  Evaluator validations{problem, "linas", {}, {}, 0, {}};  // every validated configuration
  validations.all_X.resize(0, problem.bounds.size());
  validations.all_F.resize(0, problem.objectives);
  const RowSet& validated = validations.seen;
  const Eigen::MatrixXd& all_X = validations.all_X;
  const Eigen::MatrixXd& all_F = validations.all_F;
  double predictor_evaluations = 0, fit_seconds = 0;
  Metric extras[2];
  auto row = [&](std::size_t loop) {
    extras[0] = {"validations", static_cast<double>(all_X.rows())};
    extras[1] = {"front_size", static_cast<double>(pareto_front(all_F).size())};
    IterationInfo info;
    info.iteration = loop;
    info.extras = extras;
    return info;
  };

  Eigen::MatrixXd P =
      fresh_random(problem.bounds, std::min(o.population, o.evaluations), validated, rng);
  for (std::size_t loop = 1;; ++loop) {
    if (P.rows() == 0) {
      run.end(Status::stalled, "no configuration not yet validated was found");
      break;
    }
    validations(P);
    if (run.record(row(loop))) break;
    const auto budget_left = o.evaluations - static_cast<std::size_t>(all_X.rows());
    if (budget_left == 0) {
      run.end(Status::max_iterations, "the validation budget is spent");
      break;
    }
    if (all_X.rows() < static_cast<Index>(o.folds)) {  // a space too small to fit predictors
      run.end(Status::stalled, "fewer configurations exist than the predictors' folds (" +
                                   std::to_string(o.folds) + ")");
      break;
    }
    // Predictors on everything validated so far, one per objective.
    Stopwatch fit_clock;
    const Eigen::MatrixXd Z = features(all_X);
    std::vector<std::shared_ptr<Predictor>> predictors;
    for (Index k = 0; k < problem.objectives; ++k) {
      auto p = std::make_shared<Predictor>(o.predictor, o.folds);
      p->fit(Z, all_F.col(k));
      predictors.push_back(std::move(p));
    }
    fit_seconds += fit_clock.seconds();
    Problem cheap;
    cheap.bounds = problem.bounds;
    cheap.objectives = problem.objectives;
    cheap.evaluate = [&](const Eigen::MatrixXd& X, Eigen::MatrixXd& F) {
      const Eigen::MatrixXd z = features(X);
      F.resize(X.rows(), problem.objectives);
      for (Index k = 0; k < problem.objectives; ++k)
        F.col(k) = predictors[static_cast<std::size_t>(k)]->predict(z);
    };
    Nsga2Options inner;
    inner.population = o.population;
    inner.max_evaluations = o.inner_evaluations;
    inner.generations = o.inner_evaluations / o.population;
    inner.crossover = o.crossover;
    inner.mutation = o.mutation;
    inner.seed = derive_seed(o.seed, {0x494e4e45, static_cast<std::uint64_t>(loop)});  // "INNE"
    const Nsga2Result r = nsga2(cheap, inner);
    predictor_evaluations += static_cast<double>(r.summary.function_evaluations);
    P = next_population(r, std::min(o.population, budget_left), validated);
    if (P.rows() < static_cast<Index>(std::min(o.population, budget_left))) {
      // The inner run proposed too few new configurations: top up at random.
      const Eigen::MatrixXd more = fresh_random(
          problem.bounds, std::min(o.population, budget_left) - static_cast<std::size_t>(P.rows()),
          [&] {
            RowSet ex = validated;
            for (Index i = 0; i < P.rows(); ++i) ex.insert(P.row(i));
            return ex;
          }(),
          rng);
      Eigen::MatrixXd both(P.rows() + more.rows(), P.cols());
      both << P, more;
      P = std::move(both);
    }
  }
  if (!run.ended()) run.end(Status::max_iterations, "the validation budget is spent");
  run.summary().function_evaluations = static_cast<std::size_t>(all_X.rows());
  run.summary().counters["predictor_evaluations"] = predictor_evaluations;
  run.summary().counters["predictor_fit_seconds"] = fit_seconds;
  Nsga2Result result;
  result.summary = run.finish(std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::quiet_NaN());
  result.summary.function_evaluations = static_cast<std::size_t>(all_X.rows());
  result.front = pareto_front(all_F);
  result.X = all_X;
  result.F = all_F;
  result.all_X = std::move(validations.all_X);
  result.all_F = std::move(validations.all_F);
  return result;
}

}  // namespace descent::evo
