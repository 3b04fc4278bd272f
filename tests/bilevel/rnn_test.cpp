// The Eigen Elman RNN used for hyper-cleaning: gradients, HVPs and ∇²_xy g·v against finite
// differences in double, and the ROC-AUC helper.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/bilevel/rnn.hpp"

namespace {

using namespace descent;
using namespace descent::bilevel;

// Small synthetic hyper-cleaning data (no data set needed).
HypercleanData tiny(std::uint64_t seed) {
  Rng rng = make_rng(seed);
  HypercleanData d;
  d.classes = 3;
  d.train_x = normal_matrix(rng, 12, 4 * 3);
  d.val_x = normal_matrix(rng, 6, 4 * 3);
  d.test_x = normal_matrix(rng, 2, 4 * 3);
  for (int i = 0; i < 12; ++i) d.train_y.push_back(i % 3);
  for (int i = 0; i < 6; ++i) d.val_y.push_back((i + 1) % 3);
  d.test_y = {0, 1};
  d.flipped.assign(12, false);
  return d;
}

const ElmanShape kShape{3, 5, 4, 3};

TEST(ElmanRnn, GradientMatchesFiniteDifferences) {
  const ElmanClassifier m(kShape);
  Rng rng = make_rng(1);
  const Vec theta = m.init(rng) * 3;  // larger weights: nonlinear regime
  const auto d = tiny(2);
  const Vec w = uniform_vector(rng, 12, 0.2, 1.0);
  Vec g;
  m.loss(theta, d.train_x, d.train_y, &w, &g);
  const double h = 1e-6;
  double worst = 0;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    Vec tp = theta, tm = theta;
    tp(i) += h;
    tm(i) -= h;
    const double fd =
        (m.loss(tp, d.train_x, d.train_y, &w) - m.loss(tm, d.train_x, d.train_y, &w)) / (2 * h);
    worst = std::max(worst, std::abs(fd - g(i)));
  }
  EXPECT_LT(worst, 1e-8);
}

TEST(ElmanRnn, HessianVectorProductMatchesSecondDifferences) {
  HypercleanRnn p(tiny(3), kShape, 8, 4, 1e-3);
  Rng rng = make_rng(4);
  const Vec y = ElmanClassifier(kShape).init(rng) * 2;
  const Vec x = normal_vector(rng, 12);
  const Vec u = normal_vector(rng, y.size()), v = normal_vector(rng, y.size());
  Vec hv, hu;
  p.lower_hvp_yy(x, y, v, hv);
  p.lower_hvp_yy(x, y, u, hu);
  // vᵀHv against the second difference of g along v; symmetry uᵀHv = vᵀHu.
  const double h = 1e-4;
  const double second =
      (p.lower_value(x, y + h * v) - 2 * p.lower_value(x, y) + p.lower_value(x, y - h * v)) /
      (h * h);
  EXPECT_NEAR(v.dot(hv), second, 1e-6 * std::max(1.0, std::abs(second)) + 1e-5);
  EXPECT_NEAR(u.dot(hv), v.dot(hu), 1e-6 * (1 + std::abs(u.dot(hv))));
  // Against the directional derivative of the gradient computed with a different step.
  Vec gp, gm;
  const double k = 1e-6;
  p.lower_grad_y(x, y + k * v, gp);
  p.lower_grad_y(x, y - k * v, gm);
  EXPECT_LT(((gp - gm) / (2 * k) - hv).norm(), 1e-6 * (1 + hv.norm()));
}

TEST(ElmanRnn, CrossDerivativeMatchesFiniteDifferences) {
  HypercleanRnn p(tiny(5), kShape, 8, 4, 1e-3);
  Rng rng = make_rng(6);
  const Vec y = ElmanClassifier(kShape).init(rng) * 2;
  const Vec x = normal_vector(rng, 12);
  const Vec v = normal_vector(rng, y.size());
  Vec jv;
  p.lower_jvp_xy(x, y, v, jv);
  // (∇²_xy g v)_i = ∂/∂x_i ⟨∇_y g(x, y), v⟩.
  const double h = 1e-6;
  Vec gp, gm;
  for (Eigen::Index i = 0; i < 12; ++i) {
    p.lower_grad_y(x + h * Vec::Unit(12, i), y, gp);
    p.lower_grad_y(x - h * Vec::Unit(12, i), y, gm);
    EXPECT_NEAR(jv(i), (gp - gm).dot(v) / (2 * h), 1e-7) << i;
  }
  // The upper level does not depend on the weights.
  Vec gx, gy;
  p.upper_grad(x, y, gx, gy);
  EXPECT_EQ(gx.norm(), 0.0);
}

TEST(ElmanRnn, RocAuc) {
  const Vec s = (Vec(6) << 0.9, 0.8, 0.3, 0.7, 0.2, 0.1).finished();
  EXPECT_DOUBLE_EQ(roc_auc(s, {true, true, true, false, false, false}), 8.0 / 9.0);
  EXPECT_DOUBLE_EQ(roc_auc(Vec::Ones(4), {true, false, true, false}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc(s, {true, true, false, true, false, false}), 1.0);
}

}  // namespace
