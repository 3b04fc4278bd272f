// Clipping, the Gaussian mechanism and the MLP's closed-form per-sample gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/privacy/mechanism.hpp"
#include "descent/privacy/mlp.hpp"

namespace descent::privacy {
namespace {

TEST(Mechanism, ClipFactorGuards) {
  EXPECT_EQ(clip_factor(0.0, 1.0), 1.0);
  EXPECT_EQ(clip_factor(2.0, 0.0), 0.0);
  EXPECT_EQ(clip_factor(0.0, 0.0), 0.0);
  EXPECT_EQ(clip_factor(5.0, INFINITY), 1.0);
  EXPECT_EQ(clip_factor(0.5, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(clip_factor(4.0, 1.0), 0.25);
  std::vector<double> v = {3, 4};
  clip_to_norm(v, 1.0);
  EXPECT_NEAR(std::hypot(v[0], v[1]), 1.0, 1e-15);
}

TEST(Mechanism, ClippedMeanOfRows) {
  Eigen::MatrixXd G(3, 2);
  G << 3, 4, 0, 0, 0.3, 0.4;
  Eigen::VectorXd m;
  clipped_mean(G, 1.0, m);
  EXPECT_NEAR(m[0], (0.6 + 0 + 0.3) / 3, 1e-15);
  EXPECT_NEAR(m[1], (0.8 + 0 + 0.4) / 3, 1e-15);
  DenseSampleGradients dense(G);
  Eigen::VectorXd m2;
  clipped_mean(dense, 1.0, m2);
  EXPECT_LT((m - m2).norm(), 1e-15);
  clipped_mean(dense, 0.0, m2);
  EXPECT_EQ(m2.norm(), 0.0);
}

TEST(Mechanism, EmpiricalNoiseStdIsSigmaTimesC) {
  // P3: the per-coordinate std of N(0, (sigma C)^2) over 10^4 draws is within 2% of sigma C.
  const GaussianMechanism mech{0.094};
  const double C = 0.3;
  Rng rng = make_rng(7, {1});
  std::vector<double> v(10000, 0.0);
  mech.release(v, C, rng);
  double s = 0, s2 = 0;
  for (double x : v) s += x, s2 += x * x;
  const double mean = s / v.size(), sd = std::sqrt(s2 / v.size() - mean * mean);
  EXPECT_NEAR(sd / (0.094 * C), 1.0, 0.02);
}

class MlpTest : public ::testing::Test {
 protected:
  MlpShape shape{5, 4};
  TeacherTask task{shape, 3};
  TeacherTask::Data data = task.sample(30, 0);
  MlpRegression f{shape, data.X, data.y};
  Eigen::VectorXd x = [this] {
    Rng rng = make_rng(11);
    Eigen::VectorXd p = mlp_initial_parameters(shape, rng);
    p.tail(2 * shape.hidden + 1) += 0.3 * normal_vector(rng, 2 * shape.hidden + 1);
    return p;
  }();
};

TEST_F(MlpTest, ShapeParsing) {
  EXPECT_EQ(MlpShape::parse("mlp:20-20-1").dimension(), 441);
  EXPECT_EQ(MlpShape::parse("50-20-1").dimension(), 1041);
  EXPECT_EQ(MlpShape::parse("mlp:20-20-1").to_string(), "mlp:20-20-1");
  EXPECT_THROW(MlpShape::parse("mlp:20-20-2"), Error);
  EXPECT_THROW(MlpShape::parse("mlp:20-x-1"), Error);
}

TEST_F(MlpTest, GradientMatchesFiniteDifferences) {
  Eigen::VectorXd g;
  f.loss_and_gradient(x, g);
  const double h = 1e-6;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    Eigen::VectorXd a = x, b = x;
    a[i] += h;
    b[i] -= h;
    EXPECT_NEAR(g[i], (f.loss(a) - f.loss(b)) / (2 * h), 1e-7) << "parameter " << i;
  }
}

TEST_F(MlpTest, FactoredSampleGradientsMatchDenseOnes) {
  const Eigen::MatrixXd G = f.sample_gradient_matrix(x);
  // The mean of the per-sample gradients is the gradient.
  Eigen::VectorXd g;
  f.loss_and_gradient(x, g);
  EXPECT_LT((G.colwise().mean().transpose() - g).norm(), 1e-14);
  // Per-sample gradient of sample 0 by finite differences of its own loss.
  MlpRegression one(shape, data.X.topRows(1), data.y.head(1));
  const double h = 1e-6;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    Eigen::VectorXd a = x, b = x;
    a[i] += h;
    b[i] -= h;
    EXPECT_NEAR(G(0, i), (one.loss(a) - one.loss(b)) / (2 * h), 1e-7);
  }
  // Norms, difference norms and weighted sums agree with the dense form.
  auto s = f.make_sample_gradients(), t = f.make_sample_gradients();
  f.sample_gradients(x, *s);
  Eigen::VectorXd y = x + 0.1 * Eigen::VectorXd::Ones(x.size());
  f.sample_gradients(y, *t);
  const Eigen::MatrixXd Gy = f.sample_gradient_matrix(y);
  Eigen::VectorXd n1, n2;
  s->norms(n1);
  EXPECT_LT((n1 - G.rowwise().norm()).norm(), 1e-12);
  s->difference_norms(*t, n2);
  EXPECT_LT((n2 - (G - Gy).rowwise().norm()).norm(), 1e-12);
  Eigen::VectorXd w = Eigen::VectorXd::LinSpaced(30, 0.1, 2.0), ws;
  s->weighted_sum(w, ws);
  EXPECT_LT((ws - G.transpose() * w).norm(), 1e-12);
  Eigen::VectorXd cm1, cm2;
  clipped_mean_difference(*s, *t, 0.05, cm1);
  clipped_mean(G - Gy, 0.05, cm2);
  EXPECT_LT((cm1 - cm2).norm(), 1e-13);
}

TEST_F(MlpTest, TeacherStreamsAreIndependentOfEachOther) {
  const auto a = task.sample(10, 5), b = task.sample(10, 5), c = task.sample(10, 6);
  EXPECT_EQ(a.X, b.X);
  EXPECT_EQ(a.y, b.y);
  EXPECT_NE(a.X, c.X);
  EXPECT_THROW(MlpRegression(MlpShape{4, 4}, data.X, data.y), Error);
}

}  // namespace
}  // namespace descent::privacy
