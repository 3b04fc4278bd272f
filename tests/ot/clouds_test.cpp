// Matrix-free Sinkhorn on point clouds: agreement with the dense solver for every cost, thread
// independence, plans on request, epsilon scaling, the cost bound, and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/ot/ot.hpp"

namespace descent::ot {
namespace {

struct Clouds {
  Eigen::MatrixXd X, Y;
  Eigen::VectorXd a, b;
};

// Two Gaussian clouds in 3-D (the target shifted) with non-uniform, unnormalised weights.
Clouds random_clouds(std::size_t n, std::size_t m, std::uint64_t seed) {
  Rng rng = make_rng(seed, {0xC10D});
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.2, 2.0);
  Clouds c{Eigen::MatrixXd(n, 3), Eigen::MatrixXd(m, 3), Eigen::VectorXd(n), Eigen::VectorXd(m)};
  for (Eigen::Index i = 0; i < c.X.size(); ++i) c.X.data()[i] = normal(rng);
  for (Eigen::Index i = 0; i < c.Y.size(); ++i) c.Y.data()[i] = 0.5 * normal(rng) + 0.7;
  for (Eigen::Index i = 0; i < c.a.size(); ++i) c.a[i] = uniform(rng);
  for (Eigen::Index i = 0; i < c.b.size(); ++i) c.b[i] = uniform(rng);
  c.b *= c.a.sum() / c.b.sum();
  return c;
}

double max_abs(const Eigen::VectorXd& v) {
  return v.cwiseAbs().maxCoeff();
}

// sum_k |x_k - y_k|^3: a cost no built-in has.
double cubed(std::span<const double> x, std::span<const double> y) {
  double s = 0.0;
  for (std::size_t k = 0; k < x.size(); ++k) s += std::pow(std::abs(x[k] - y[k]), 3.0);
  return s;
}

void expect_matches_dense(const CloudProblem& cloud, double eta) {
  const Problem dense = cloud.dense();
  SinkhornOptions o;
  o.eta = eta;
  o.tolerance = 1e-13;
  o.plan.format = PlanFormat::none;
  const Result want = sinkhorn(dense, o);
  const Result got = sinkhorn(cloud, o);
  ASSERT_TRUE(want.summary.converged()) << want.summary.brief();
  ASSERT_TRUE(got.summary.converged()) << got.summary.brief();
  // The same iteration: the same terms per row and column, summed in tiles.
  EXPECT_EQ(got.summary.iterations, want.summary.iterations);
  EXPECT_LE(max_abs(got.x - want.x), 1e-12);
  EXPECT_LE(max_abs(got.y - want.y), 1e-12);
  EXPECT_NEAR(got.transport_cost, want.transport_cost, 1e-12 * want.transport_cost);
  EXPECT_LE(got.marginal_error, 1e-12);
  EXPECT_NEAR(got.summary.objective, want.summary.objective, 1e-12);
}

TEST(OtClouds, MatchesDenseSinkhornForEveryCost) {
  // 1100 target points: more than one 1024-entry tile per row.
  const Clouds c = random_clouds(70, 1100, 1);
  for (const GroundCost cost : {GroundCost::sqeuclidean, GroundCost::euclidean, GroundCost::l1}) {
    SCOPED_TRACE(std::string(to_string(cost)));
    const CloudProblem cloud(c.X, c.Y, cost, c.a, c.b);
    EXPECT_NEAR(cloud.mass(), c.a.sum(), 1e-12);
    expect_matches_dense(cloud, 5.0);
  }
  SCOPED_TRACE("callable");
  expect_matches_dense(CloudProblem(c.X, c.Y, CostFunction(cubed), c.a, c.b), 2.0);
}

TEST(OtClouds, CostTilesEqualTheDenseMatrix) {
  const Clouds c = random_clouds(37, 29, 2);
  for (const GroundCost cost : {GroundCost::sqeuclidean, GroundCost::euclidean, GroundCost::l1}) {
    const CloudProblem cloud(c.X, c.Y, cost, c.a, c.b);
    const Eigen::MatrixXd want = cost_matrix(c.X, c.Y, cost);
    const Eigen::MatrixXd got = cloud.dense().cost();
    EXPECT_LE((got - want).cwiseAbs().maxCoeff(), 1e-14 * want.maxCoeff());
    EXPECT_DOUBLE_EQ(cloud.max_cost(), want.maxCoeff());
    EXPECT_DOUBLE_EQ(cloud.max_cost(3), want.maxCoeff());
    EXPECT_GE(cloud.cost_bound(), want.maxCoeff());
    EXPECT_DOUBLE_EQ(cloud.cost(4, 7), want(4, 7));
    const CloudProblem half = cloud.scaled_cost(0.5);
    EXPECT_DOUBLE_EQ(half.cost(4, 7), 0.5 * want(4, 7));
    EXPECT_DOUBLE_EQ(half.max_cost(), 0.5 * want.maxCoeff());
  }
}

TEST(OtClouds, ThreadCountDoesNotChangeABit) {
  const Clouds c = random_clouds(301, 257, 3);
  const CloudProblem cloud(c.X, c.Y, GroundCost::sqeuclidean, c.a, c.b);
  SinkhornOptions o;
  o.eta = 20.0;
  o.tolerance = 1e-11;
  const Result one = sinkhorn(cloud, o);
  o.threads = 3;
  const Result three = sinkhorn(cloud, o);
  ASSERT_TRUE(one.summary.converged());
  EXPECT_EQ(one.summary.iterations, three.summary.iterations);
  EXPECT_EQ(one.x, three.x);
  EXPECT_EQ(one.y, three.y);
  EXPECT_EQ(one.transport_cost, three.transport_cost);
  EXPECT_EQ(one.marginal_error, three.marginal_error);
}

TEST(OtClouds, PlansOnlyWhenAsked) {
  const Clouds c = random_clouds(40, 30, 4);
  const CloudProblem cloud(c.X, c.Y, GroundCost::euclidean, c.a, c.b);
  SinkhornOptions o;
  o.eta = 10.0;
  o.tolerance = 1e-12;
  const Result none = sinkhorn(cloud, o);  // automatic = no plan on clouds
  EXPECT_EQ(none.plan.size(), 0);
  EXPECT_FALSE(none.plan_is_sparse());
  o.plan.format = PlanFormat::dense;
  const Result dense = sinkhorn(cloud, o);
  const Result want = sinkhorn(cloud.dense(), o);
  ASSERT_EQ(dense.plan.rows(), 40);
  EXPECT_LE((dense.plan - want.plan).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_NEAR(dense.plan.sum(), 1.0, 1e-12);
  o.plan.format = PlanFormat::sparse;
  o.plan.sparse_threshold = 1e-6;
  const Result sparse = sinkhorn(cloud, o);
  ASSERT_TRUE(sparse.plan_is_sparse());
  const Eigen::MatrixXd kept = sparse.dense_plan();
  for (Eigen::Index j = 0; j < 30; ++j)
    for (Eigen::Index i = 0; i < 40; ++i)
      EXPECT_EQ(kept(i, j), want.plan(i, j) >= 1e-6 ? kept(i, j) : 0.0);
  EXPECT_LE((kept - want.plan).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(OtClouds, EpsilonScalingReachesTheSameOptimum) {
  const Clouds c = random_clouds(120, 90, 5);
  const CloudProblem cloud(c.X, c.Y, GroundCost::sqeuclidean, c.a, c.b);
  EpsilonScalingOptions o;
  o.sinkhorn.eta = 40.0;
  o.sinkhorn.tolerance = 1e-10;
  const Result got = sinkhorn_epsilon_scaling(cloud, o);
  const Result want = sinkhorn_epsilon_scaling(cloud.dense(), o);
  ASSERT_TRUE(got.summary.converged()) << got.summary.brief();
  ASSERT_TRUE(want.summary.converged()) << want.summary.brief();
  // eta_start comes from the bounding box (>= max C), so the stages differ; the optimum does
  // not. Potentials are compared up to their gauge (x + c, y - c).
  EXPECT_LE(cloud.cost_bound(), 3.0 * cloud.max_cost());
  EXPECT_NEAR(got.transport_cost, want.transport_cost, 1e-8);
  const double shift = got.x[0] - want.x[0];
  EXPECT_LE(max_abs(got.x.array() - shift - want.x.array()), 1e-9);
  EXPECT_LE(max_abs(got.y.array() + shift - want.y.array()), 1e-9);
}

TEST(OtClouds, NoUnderflowAtLargeEta) {
  const Clouds c = random_clouds(60, 50, 6);
  const CloudProblem cloud(c.X, c.Y, GroundCost::sqeuclidean, c.a, c.b);
  // exp(-eta C) is 0 for most entries: only the log domain survives.
  SinkhornOptions o;
  o.eta = 2000.0;
  o.tolerance = 1e-9;
  o.max_iterations = 200000;
  const Result r = sinkhorn(cloud.scaled_cost(1.0 / cloud.max_cost()), o);
  ASSERT_TRUE(r.summary.converged()) << r.summary.brief();
  EXPECT_TRUE(r.x.allFinite() && r.y.allFinite());
  EXPECT_LE(r.marginal_error, 1e-9);
}

TEST(OtClouds, BadInputIsAnError) {
  const Clouds c = random_clouds(10, 8, 7);
  Eigen::MatrixXd Y2 = c.Y.leftCols(2);
  EXPECT_THROW(CloudProblem(c.X, Y2, GroundCost::l1), Error);
  Eigen::MatrixXd bad = c.X;
  bad(3, 1) = std::nan("");
  EXPECT_THROW(CloudProblem(bad, c.Y, GroundCost::l1), Error);
  Eigen::VectorXd b = c.b;
  b[0] += 1.0;  // masses differ
  EXPECT_THROW(CloudProblem(c.X, c.Y, GroundCost::l1, c.a, b), Error);
  Eigen::VectorXd a = c.a;
  a[2] = 0.0;
  a *= c.b.sum() / a.sum();
  const CloudProblem zero(c.X, c.Y, GroundCost::l1, a, c.b);  // valid problem...
  EXPECT_THROW(sinkhorn(zero), Error);                        // ...but not for log-domain
  // A callable that returns a negative cost is named with its pair.
  const CloudProblem negative(c.X, c.Y, CostFunction([](auto x, auto y) { return x[0] - y[0]; }));
  try {
    sinkhorn(negative);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c(x_"), std::string::npos) << e.what();
  }
}

TEST(OtClouds, MemoryEstimates) {
  EXPECT_EQ(dense_bytes(100000, 100000), std::size_t(240000000000));  // C twice, K once
  EXPECT_LT(matrix_free_bytes(100000, 100000, 3, 2), std::size_t(30) << 20);
}

}  // namespace
}  // namespace descent::ot
