// Problem construction and validation: clear errors for bad input, renormalisation for rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "descent/core/error.hpp"
#include "descent/ot/ot.hpp"

namespace descent::ot {
namespace {

Eigen::VectorXd uniform(Eigen::Index n) {
  return Eigen::VectorXd::Constant(n, 1.0 / double(n));
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(OtProblem, RejectsBadWeightsAndCosts) {
  const Eigen::MatrixXd C = Eigen::MatrixXd::Ones(3, 3);
  Eigen::VectorXd a = uniform(3);
  a[1] = -0.1;
  EXPECT_NE(error_of([&] { Problem(a, uniform(3), C); }).find("a[1] is negative"),
            std::string::npos);
  a[1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(error_of([&] { Problem(a, uniform(3), C); }).find("a[1] is not finite"),
            std::string::npos);
  Eigen::MatrixXd bad = C;
  bad(2, 1) = -1.0;
  EXPECT_NE(error_of([&] { Problem(uniform(3), uniform(3), bad); }).find("C[2, 1]"),
            std::string::npos);
  bad(2, 1) = std::numeric_limits<double>::infinity();
  EXPECT_NE(error_of([&] { Problem(uniform(3), uniform(3), bad); }).find("C[2, 1]"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Problem(uniform(3), uniform(4), C); }).find("cost matrix is 3 x 3"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Problem(Eigen::VectorXd(), uniform(3), C); }).find("empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] { Problem(Eigen::VectorXd::Zero(3), uniform(3), C); }).find("zero"),
            std::string::npos);
}

TEST(OtProblem, MassMismatchIsAnErrorAboveTheToleranceAndRenormalisedBelow) {
  const Eigen::MatrixXd C = Eigen::MatrixXd::Ones(2, 2);
  Eigen::VectorXd a(2), b(2);
  a << 0.5, 0.5;
  b << 0.5, 0.5 + 1e-6;
  EXPECT_NE(error_of([&] { Problem(a, b, C); }).find("masses differ"), std::string::npos);
  b << 0.5, 0.5 + 1e-12;
  const Problem p(a * 3.0, b * 3.0, C);
  EXPECT_NEAR(p.a().sum(), 1.0, 1e-15);
  EXPECT_NEAR(p.b().sum(), 1.0, 1e-15);
  EXPECT_NEAR(p.mass(), 3.0, 1e-12);
}

TEST(OtProblem, PointCloudCosts) {
  Eigen::MatrixXd X(2, 2), Y(1, 2);
  X << 0, 0, 1, 2;
  Y << 3, 4;
  EXPECT_DOUBLE_EQ(cost_matrix(X, Y, GroundCost::sqeuclidean)(0, 0), 25.0);
  EXPECT_DOUBLE_EQ(cost_matrix(X, Y, GroundCost::euclidean)(0, 0), 5.0);
  EXPECT_DOUBLE_EQ(cost_matrix(X, Y, GroundCost::l1)(1, 0), 4.0);
  const CostFunction linf = [](std::span<const double> x, std::span<const double> y) {
    return std::max(std::abs(x[0] - y[0]), std::abs(x[1] - y[1]));
  };
  EXPECT_DOUBLE_EQ(cost_matrix(X, Y, linf)(0, 0), 4.0);
  const Problem p = from_point_clouds(X, Y, GroundCost::l1);
  EXPECT_EQ(p.rows(), 2);
  EXPECT_EQ(p.cols(), 1);
  EXPECT_DOUBLE_EQ(p.a()[0], 0.5);
  EXPECT_THROW(from_point_clouds(X, Eigen::MatrixXd::Ones(2, 3), GroundCost::l1), Error);
  EXPECT_THROW(from_point_clouds(X, Y, GroundCost::l1, Eigen::VectorXd::Ones(3)), Error);
  EXPECT_EQ(ground_cost_from_string("l2"), GroundCost::euclidean);
  EXPECT_THROW(ground_cost_from_string("cosine"), Error);
}

TEST(OtProblem, ImagesUseThePixelGridAndFlooredWeights) {
  Eigen::MatrixXd img = Eigen::MatrixXd::Zero(3, 4);
  img(1, 2) = 1.0;
  const Problem p = from_images(img, img, GroundCost::sqeuclidean, {.intensity_floor = 1e-6});
  EXPECT_EQ(p.rows(), 12);
  EXPECT_GT(p.a().minCoeff(), 0.0);
  EXPECT_NEAR(p.a()[1 * 4 + 2], (1.0 + 1e-6) / (1.0 + 12e-6), 1e-15);
  // Corners (0,0) and (2,3) are at distance^2 = 1 + 1 in [0,1]^2.
  EXPECT_DOUBLE_EQ(p.cost()(0, 11), 2.0);
  const Problem q = from_images(img, img, GroundCost::l1, {.normalize_cost = true});
  EXPECT_DOUBLE_EQ(q.max_cost(), 1.0);
  img(0, 0) = -1;
  EXPECT_THROW(from_images(img, img, GroundCost::l1), Error);
}

TEST(OtProblem, OptionsNameTheBadField) {
  SinkhornOptions s;
  s.eta = -1;
  try {
    s.validate();
    FAIL();
  } catch (const InvalidOption& e) {
    EXPECT_EQ(e.field(), "eta");
  }
  SnsOptions o;
  o.sparsity = 0;
  EXPECT_THROW(o.validate(), InvalidOption);
  EpsilonScalingOptions e;
  e.factor = 1.0;
  EXPECT_THROW(e.validate(), InvalidOption);
}

TEST(OtProblem, EntropicSolversNeedPositiveWeights) {
  Eigen::VectorXd a(2), b(2);
  a << 1.0, 0.0;
  b << 0.5, 0.5;
  const Problem p(a, b, Eigen::MatrixXd::Ones(2, 2));
  EXPECT_NE(error_of([&] { sinkhorn(p); }).find("strictly positive"), std::string::npos);
  EXPECT_THROW(sinkhorn_newton_sparse(p), Error);
  EXPECT_EQ(exact_ot(p).summary.status, Status::converged);  // exact OT allows zeros
}

}  // namespace
}  // namespace descent::ot
