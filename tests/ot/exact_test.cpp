// Exact OT (LEMON network simplex): brute force over permutations, 1-D sorted matching, dual
// feasibility, POT's EMD, and the entropic limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <numeric>

#include <nlohmann/json.hpp>

#include "descent/core/rng.hpp"
#include "descent/io/npy.hpp"
#include "descent/ot/ot.hpp"

namespace descent::ot {
namespace {

double brute_force_assignment(const Eigen::MatrixXd& C) {
  std::vector<int> perm(std::size_t(C.rows()));
  std::iota(perm.begin(), perm.end(), 0);
  double best = std::numeric_limits<double>::infinity();
  do {
    double c = 0;
    for (std::size_t i = 0; i < perm.size(); ++i) c += C(Eigen::Index(i), perm[i]);
    best = std::min(best, c);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best / double(C.rows());
}

TEST(OtExact, MatchesBruteForceOverPermutations) {
  Rng rng = make_rng(3, {1});
  for (Eigen::Index n = 1; n <= 8; ++n) {
    const Problem p = random_assignment(n, rng);
    const Result r = exact_ot(p);
    ASSERT_TRUE(r.summary.converged());
    EXPECT_NEAR(r.transport_cost, brute_force_assignment(p.cost()), 1e-12) << "n = " << n;
    // Birkhoff: for uniform weights an optimal vertex is a permutation matrix / n.
    EXPECT_EQ(r.summary.counters.at("support"), double(n));
    EXPECT_LE(r.marginal_error, 1e-15);
  }
}

TEST(OtExact, OneDimensionalOtIsTheSortedMatching) {
  Rng rng = make_rng(3, {2});
  const Eigen::Index n = 60;
  Eigen::VectorXd x = uniform_vector(rng, n), y = uniform_vector(rng, n);
  Eigen::VectorXd xs = x, ys = y;
  std::sort(xs.begin(), xs.end());
  std::sort(ys.begin(), ys.end());
  for (GroundCost c : {GroundCost::sqeuclidean, GroundCost::euclidean}) {
    const Problem p = from_point_clouds(x, y, c);  // n x 1 clouds
    double sorted = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double d = std::abs(xs[i] - ys[i]);
      sorted += (c == GroundCost::sqeuclidean ? d * d : d) / double(n);
    }
    const Result r = exact_ot(p);
    EXPECT_NEAR(r.transport_cost, sorted, 1e-12) << to_string(c);
    // The entropic solution at large eta is close (bias <= log(n^2) / eta).
    SnsOptions o;
    o.eta = 2000.0 / p.max_cost();
    o.tolerance = 1e-10;
    const Result e = sinkhorn_newton_sparse(p, o);
    ASSERT_TRUE(e.summary.converged()) << e.summary.brief();
    EXPECT_GE(e.transport_cost, sorted - 1e-12);
    EXPECT_LE(e.transport_cost - sorted, std::log(double(n * n)) / o.eta);
  }
}

TEST(OtExact, DualsAreFeasibleAndTightAndMatchPotEmd) {
  const std::string dir = std::string(DESCENT_SOURCE_DIR) + "/tests/ot/data/";
  const Problem p = from_point_clouds(
      io::read_npy_matrix(dir + "sinkhorn_x.npy"), io::read_npy_matrix(dir + "sinkhorn_y.npy"),
      GroundCost::sqeuclidean, io::read_npy_matrix(dir + "sinkhorn_a.npy").col(0),
      io::read_npy_matrix(dir + "sinkhorn_b.npy").col(0));
  std::ifstream in(dir + "golden.json");
  const nlohmann::json g = nlohmann::json::parse(in);
  const Result r = exact_ot(p);
  ASSERT_TRUE(r.summary.converged());
  EXPECT_NEAR(r.transport_cost, g["emd_cost"].get<double>(), 1e-10);
  EXPECT_LE(r.marginal_error, 1e-10);               // non-uniform weights: rounded to 2^-40
  const double scale = p.max_cost() * 0x1p-40 * 2;  // cost rounding
  double worst = 0;
  for (Eigen::Index i = 0; i < p.rows(); ++i)
    for (Eigen::Index j = 0; j < p.cols(); ++j) {
      const double slack = p.cost()(i, j) - r.x[i] - r.y[j];
      worst = std::min(worst, slack);
      if (r.plan(i, j) > 0) {
        EXPECT_NEAR(slack, 0.0, scale);
      }
    }
  EXPECT_GE(worst, -scale);
  EXPECT_NEAR(p.a().dot(r.x) + p.b().dot(r.y), r.transport_cost, 1e-10);
}

TEST(OtExact, SparsePlanFormat) {
  Rng rng = make_rng(3, {3});
  const Problem p = random_assignment(30, rng);
  ExactOptions o;
  o.plan.format = PlanFormat::sparse;
  const Result r = exact_ot(p);
  const Result s = exact_ot(p, o);
  ASSERT_TRUE(s.plan_is_sparse());
  EXPECT_EQ(s.sparse_plan.nonZeros(), 30);
  EXPECT_LE((s.dense_plan() - r.plan).cwiseAbs().maxCoeff(), 0.0);
}

}  // namespace
}  // namespace descent::ot
