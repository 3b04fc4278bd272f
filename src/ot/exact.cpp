#include "descent/ot/exact.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#ifdef DESCENT_HAVE_LEMON
#include <lemon/network_simplex.h>
#include <lemon/static_graph.h>
#endif

#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/timer.hpp"

namespace descent::ot {

namespace {

using Int = std::int64_t;

bool uniform(const Eigen::VectorXd& w) {
  return (w.array() == w[0]).all();
}

// Integer supplies summing exactly to `total`: round, then give the remainder to the largest.
std::vector<Int> integer_masses(const Eigen::VectorXd& w, double total) {
  std::vector<Int> s(std::size_t(w.size()));
  Int sum = 0;
  for (Eigen::Index i = 0; i < w.size(); ++i) sum += s[std::size_t(i)] = std::llround(w[i] * total);
  const Int diff = static_cast<Int>(total) - sum;
  Eigen::Index big = 0;
  w.maxCoeff(&big);
  s[std::size_t(big)] += diff;
  if (s[std::size_t(big)] < 0) throw Error("exact_ot: mass rounding failed (mass_scale too small)");
  return s;
}

}  // namespace

void ExactOptions::validate() const {
  check::in_closed("mass_scale", mass_scale, 1.0, 0x1p52);
  check::non_negative("cost_scale", cost_scale);
  plan.validate();
}

Result exact_ot(const Problem& problem, const ExactOptions& options) {
  options.validate();
#ifndef DESCENT_HAVE_LEMON
  (void)problem;
  throw Error("exact_ot: descent was built without LEMON (install liblemon-dev and rebuild)");
#else
  Stopwatch clock;
  Result result;
  Summary& s = result.summary;
  s.method = "exact";
  const Eigen::Index n = problem.rows(), m = problem.cols();
  if (double(n) * double(m) > 2e9) throw Error("exact_ot: n * m exceeds the arc limit (2^31)");

  // Mass scale: for uniform weights a multiple of lcm(n, m) makes every supply exact.
  double scale = std::floor(options.mass_scale);
  if (uniform(problem.a()) && uniform(problem.b())) {
    const double l = double(std::lcm(Int(n), Int(m)));
    if (l <= scale) scale = std::floor(scale / l) * l;
  }
  const std::vector<Int> supply = integer_masses(problem.a(), scale);
  const std::vector<Int> demand = integer_masses(problem.b(), scale);
  const double cost_scale = options.cost_scale > 0   ? options.cost_scale
                            : problem.max_cost() > 0 ? 0x1p40 / problem.max_cost()
                                                     : 1.0;
  if (problem.max_cost() * cost_scale > 0x1p52)
    throw Error("exact_ot: cost_scale makes integer costs exceed 2^52");

  // Complete bipartite graph: node i (source), node n + j (target), arcs in row-major order.
  lemon::StaticDigraph graph;
  {
    std::vector<std::pair<int, int> > arcs;
    arcs.reserve(std::size_t(n * m));
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < m; ++j) arcs.emplace_back(int(i), int(n + j));
    graph.build(int(n + m), arcs.begin(), arcs.end());
  }
  lemon::StaticDigraph::ArcMap<Int> cost(graph);
  lemon::StaticDigraph::NodeMap<Int> sup(graph);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < m; ++j)
      cost[graph.arc(int(i * m + j))] = std::llround(problem.cost()(i, j) * cost_scale);
  for (Eigen::Index i = 0; i < n; ++i) sup[graph.node(int(i))] = supply[std::size_t(i)];
  for (Eigen::Index j = 0; j < m; ++j) sup[graph.node(int(n + j))] = -demand[std::size_t(j)];

  lemon::NetworkSimplex<lemon::StaticDigraph, Int, Int> simplex(graph);
  simplex.costMap(cost).supplyMap(sup);
  const auto type = simplex.run();
  if (type != decltype(simplex)::OPTIMAL) {
    s.status = Status::failed;
    s.message = type == decltype(simplex)::INFEASIBLE ? "network simplex: infeasible"
                                                      : "network simplex: unbounded";
    s.seconds = clock.seconds();
    return result;
  }

  // Duals: LEMON's potentials pi satisfy C_ij + pi_i - pi_j >= 0, tight on the support.
  result.x.resize(n);
  result.y.resize(m);
  for (Eigen::Index i = 0; i < n; ++i)
    result.x[i] = -double(simplex.potential(graph.node(int(i)))) / cost_scale;
  for (Eigen::Index j = 0; j < m; ++j)
    result.y[j] = double(simplex.potential(graph.node(int(n + j)))) / cost_scale;
  // Shift the gauge so that min x = 0 (duals are defined up to (c, -c)).
  if (n > 0) {
    const double shift = result.x.minCoeff();
    result.x.array() -= shift;
    result.y.array() += shift;
  }

  const PlanOptions& po = options.plan;
  const bool dense = po.format == PlanFormat::dense ||
                     (po.format == PlanFormat::automatic && std::size_t(n * m) <= po.dense_limit);
  const bool sparse =
      po.format == PlanFormat::sparse || (po.format == PlanFormat::automatic && !dense);
  if (dense) result.plan = Eigen::MatrixXd::Zero(n, m);
  std::vector<Eigen::Triplet<double> > triplets;
  Eigen::VectorXd rowsum = Eigen::VectorXd::Zero(n), colsum = Eigen::VectorXd::Zero(m);
  double total = 0.0;
  std::size_t support = 0;
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < m; ++j) {
      const Int f = simplex.flow(graph.arc(int(i * m + j)));
      if (f == 0) continue;
      const double v = double(f) / scale;
      ++support;
      rowsum[i] += v;
      colsum[j] += v;
      total += v * problem.cost()(i, j);
      if (dense) result.plan(i, j) = v;
      if (sparse) triplets.emplace_back(i, j, v);
    }
  if (sparse) {
    result.sparse_plan.resize(n, m);
    result.sparse_plan.setFromTriplets(triplets.begin(), triplets.end());
  }
  result.transport_cost = total;
  result.marginal_error = (rowsum - problem.a()).lpNorm<1>() + (colsum - problem.b()).lpNorm<1>();
  s.status = Status::converged;
  s.message = "optimal (network simplex)";
  s.objective = total;
  s.gradient_norm = result.marginal_error;
  s.counters["support"] = double(support);
  s.counters["mass_scale"] = scale;
  s.counters["cost_scale"] = cost_scale;
  s.seconds = clock.seconds();
  result.error_history.push_back({0, s.seconds, result.marginal_error});
  return result;
#endif
}

}  // namespace descent::ot
