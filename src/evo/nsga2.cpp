#include "descent/evo/nsga2.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <string>

#include "descent/core/error.hpp"
#include "descent/evo/pareto.hpp"
#include "search_internals.hpp"

namespace descent::evo {

namespace {

using Index = Eigen::Index;

double uniform01(Rng& rng) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

using detail::Evaluator;
using detail::RowSet;

/// A population with the rank and crowding distance its last survival gave each member.
struct Population {
  Eigen::MatrixXd X, F;
  std::vector<int> rank;
  std::vector<double> crowding;
  std::vector<Index> front;  // members of rank 0
};

/// pymoo's RankAndCrowding: whole fronts while they fit, the last by crowding (random ties).
Population survive(const Eigen::MatrixXd& X, const Eigen::MatrixXd& F, std::size_t n, Rng& rng) {
  const auto fronts = non_dominated_sort(F);
  std::vector<Index> keep;
  std::vector<int> rank;
  std::vector<double> crowd;
  for (std::size_t level = 0; level < fronts.size() && keep.size() < n; ++level) {
    const auto& front = fronts[level];
    std::vector<double> cd = crowding_distance(F, front);
    std::vector<std::size_t> order(front.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (keep.size() + front.size() > n) {
      // Larger crowding first; equal distances in random order (pymoo's randomized_argsort).
      std::vector<double> key(front.size());
      for (double& k : key) k = uniform01(rng);
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (cd[a] != cd[b]) return cd[a] > cd[b];
        return key[a] < key[b];
      });
      order.resize(n - keep.size());
    }
    for (std::size_t i : order) {
      keep.push_back(front[i]);
      rank.push_back(static_cast<int>(level));
      crowd.push_back(cd[i]);
    }
  }
  Population p;
  p.X.resize(static_cast<Index>(keep.size()), X.cols());
  p.F.resize(static_cast<Index>(keep.size()), F.cols());
  for (std::size_t i = 0; i < keep.size(); ++i) {
    p.X.row(static_cast<Index>(i)) = X.row(keep[i]);
    p.F.row(static_cast<Index>(i)) = F.row(keep[i]);
    if (rank[i] == 0) p.front.push_back(static_cast<Index>(i));
  }
  p.rank = std::move(rank);
  p.crowding = std::move(crowd);
  return p;
}

/// Binary tournament of pymoo's NSGA-II: dominance, then the larger crowding distance, then a
/// coin.
Index tournament(const Population& p, Index a, Index b, Rng& rng) {
  if (dominates(p.F, a, b)) return a;
  if (dominates(p.F, b, a)) return b;
  const double ca = p.crowding[static_cast<std::size_t>(a)];
  const double cb = p.crowding[static_cast<std::size_t>(b)];
  if (ca > cb) return a;
  if (cb > ca) return b;
  return uniform01(rng) < 0.5 ? a : b;
}

/// `count` offspring of p by tournament, SBX and mutation. With eliminate_duplicates none
/// repeats an evaluated point or another offspring (up to 100 rounds of redrawing). pymoo
/// compares with the current population only; the archive also keeps a search from paying
/// twice for a point that survival dropped earlier, which matters when a validation is costly.
Eigen::MatrixXd offspring(const Population& p, std::size_t count, const Bounds& bounds,
                          const Nsga2Options& o, const RowSet& evaluated, Rng& rng) {
  const Index n = p.X.rows(), dim = p.X.cols();
  RowSet batch;  // this generation's offspring (the archive is only read)
  std::vector<Eigen::RowVectorXd> out;
  std::vector<Index> perm;
  std::size_t next = 0;
  auto draw = [&]() {
    if (n == 1) return Index{0};
    if (next + 1 >= perm.size()) {  // a fresh random permutation of the population
      perm.resize(static_cast<std::size_t>(n));
      std::iota(perm.begin(), perm.end(), Index{0});
      std::shuffle(perm.begin(), perm.end(), rng);
      next = 0;
    }
    const Index a = perm[next], b = perm[next + 1];
    next += 2;
    return tournament(p, a, b, rng);
  };
  Eigen::VectorXd c1(dim), c2(dim);
  for (int round = 0; round < 100 && out.size() < count; ++round) {
    const std::size_t want = count - out.size();
    for (std::size_t made = 0; made < want; made += 2) {
      const Index a = draw(), b = draw();
      sbx(p.X.row(a).transpose(), p.X.row(b).transpose(), c1, c2, bounds, o.crossover, rng);
      polynomial_mutation(c1, bounds, o.mutation, rng);
      polynomial_mutation(c2, bounds, o.mutation, rng);
      for (const Eigen::VectorXd* c : {&c1, &c2}) {
        if (out.size() >= count) break;
        const Eigen::RowVectorXd row = c->transpose();
        if (o.eliminate_duplicates && (evaluated.count(row) > 0 || !batch.insert(row).second))
          continue;
        out.push_back(row);
      }
    }
    if (!o.eliminate_duplicates) break;
  }
  Eigen::MatrixXd Q(static_cast<Index>(out.size()), dim);
  for (std::size_t i = 0; i < out.size(); ++i) Q.row(static_cast<Index>(i)) = out[i];
  return Q;
}

/// `count` uniform points, distinct when `unique` (fewer if the space runs out).
Eigen::MatrixXd unique_random_population(const Bounds& bounds, std::size_t count, bool unique,
                                         Rng& rng) {
  if (!unique) return random_population(bounds, static_cast<Index>(count), rng);
  RowSet seen;
  Eigen::MatrixXd X(static_cast<Index>(count), bounds.size());
  std::size_t made = 0;
  for (std::size_t tries = 0; made < count && tries < 100 * count + 1000; ++tries) {
    const Eigen::MatrixXd x = random_population(bounds, 1, rng);
    if (seen.insert(x.row(0)).second) X.row(static_cast<Index>(made++)) = x.row(0);
  }
  return X.topRows(static_cast<Index>(made));
}

Nsga2Result result_of(Population p, Evaluator& eval, Summary summary) {
  Nsga2Result r;
  r.summary = std::move(summary);
  r.summary.function_evaluations = eval.count;
  r.X = std::move(p.X);
  r.F = std::move(p.F);
  r.front = std::move(p.front);
  r.all_X = std::move(eval.all_X);
  r.all_F = std::move(eval.all_F);
  return r;
}

}  // namespace

void Problem::validate() const {
  bounds.validate();
  if (objectives < 1) throw Error("evo: a problem needs at least one objective");
  if (!evaluate) throw Error("evo: the problem has no evaluate function");
}

void Nsga2Options::validate() const {
  if (population < 2) throw InvalidOption("population", "must be >= 2");
  crossover.validate();
  mutation.validate();
  history.validate();
}

Nsga2Result nsga2(const Problem& problem, const Nsga2Options& o, Callbacks callbacks,
                  const Eigen::MatrixXd& initial) {
  problem.validate();
  o.validate();
  Rng rng = make_rng(o.seed, {0x4e534741});  // "NSGA"
  Evaluator eval{problem, "evo", {}, {}, 0, {}};
  Run run("nsga2", static_cast<std::size_t>(problem.bounds.size()), o.generations, o.history,
          callbacks);
  Eigen::MatrixXd X0;
  if (initial.size() > 0) {
    if (initial.cols() != problem.bounds.size())
      throw Error("nsga2: the initial population has " + std::to_string(initial.cols()) +
                  " variables, the problem " + std::to_string(problem.bounds.size()));
    X0 = initial;
    for (Index r = 0; r < X0.rows(); ++r) {
      Eigen::VectorXd x = X0.row(r).transpose();
      repair(x, problem.bounds);
      X0.row(r) = x.transpose();
    }
  } else {
    X0 = unique_random_population(problem.bounds, o.population, o.eliminate_duplicates, rng);
  }
  const Eigen::MatrixXd F0 = eval(X0);
  Population pop = survive(X0, F0, std::min<std::size_t>(o.population, X0.rows()), rng);
  Metric extras[2];  // the history's extra columns (a span of them goes into each row)
  auto row = [&](std::size_t generation) {
    extras[0] = {"front_size", static_cast<double>(pop.front.size())};
    extras[1] = {"evaluations", static_cast<double>(eval.count)};
    IterationInfo info;
    info.iteration = generation;
    info.extras = extras;
    return info;
  };
  run.start(row(0));
  for (std::size_t g = 1; g <= o.generations; ++g) {
    if (o.max_evaluations > 0 && eval.count + o.population > o.max_evaluations) {
      run.end(Status::max_iterations, "the evaluation budget is spent");
      break;
    }
    const Eigen::MatrixXd Q = offspring(pop, o.population, problem.bounds, o, eval.seen, rng);
    if (Q.rows() == 0) {
      run.end(Status::stalled, "no new offspring: every candidate repeats an evaluated point");
      break;
    }
    const Eigen::MatrixXd FQ = eval(Q);
    Eigen::MatrixXd X(pop.X.rows() + Q.rows(), Q.cols()), F(X.rows(), FQ.cols());
    X << pop.X, Q;
    F << pop.F, FQ;
    pop = survive(X, F, o.population, rng);
    if (run.record(row(g))) break;
  }
  if (!run.ended()) run.end(Status::max_iterations, "ran every generation");
  Summary s = run.finish(std::numeric_limits<double>::quiet_NaN(),
                         std::numeric_limits<double>::quiet_NaN());
  return result_of(std::move(pop), eval, std::move(s));
}

Nsga2Result random_search(const Problem& problem, std::size_t evaluations, std::uint64_t seed,
                          std::size_t batch, Callbacks callbacks) {
  problem.validate();
  if (batch == 0) throw InvalidOption("batch", "must be >= 1");
  Rng rng = make_rng(seed, {0x52414e44});  // "RAND"
  Evaluator eval{problem, "evo", {}, {}, 0, {}};
  HistoryOptions history;
  Run run("random", static_cast<std::size_t>(problem.bounds.size()),
          (evaluations + batch - 1) / batch, history, callbacks);
  RowSet seen;
  std::size_t k = 0;
  while (eval.count < evaluations) {
    const std::size_t want = std::min(batch, evaluations - eval.count);
    Eigen::MatrixXd X(static_cast<Index>(want), problem.bounds.size());
    std::size_t made = 0;
    for (int tries = 0; made < want && tries < 100000; ++tries) {
      Eigen::MatrixXd x = random_population(problem.bounds, 1, rng);
      if (!seen.insert(x.row(0)).second) continue;
      X.row(static_cast<Index>(made++)) = x.row(0);
    }
    if (made == 0) {
      run.end(Status::stalled, "the search space has no unevaluated point left");
      break;
    }
    eval(X.topRows(static_cast<Index>(made)));
    IterationInfo info;
    info.iteration = ++k;
    if (run.record(info)) break;
  }
  if (!run.ended()) run.end(Status::max_iterations, "spent the evaluation budget");
  Summary s = run.finish(std::numeric_limits<double>::quiet_NaN(),
                         std::numeric_limits<double>::quiet_NaN());
  Population p;
  p.X = eval.all_X;
  p.F = eval.all_F;
  p.front = pareto_front(p.F);
  return result_of(std::move(p), eval, std::move(s));
}

}  // namespace descent::evo
