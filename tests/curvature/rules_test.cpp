// Batch-size rules, fits, the λ_max(H_B) estimator, the learning-rate policy and the Wu–Su
// networks' analytic curvature.
#include <gtest/gtest.h>

#include <cmath>

#include <Eigen/Eigenvalues>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/curvature/batch_size.hpp"
#include "descent/curvature/hutchinson.hpp"
#include "descent/curvature/lanczos.hpp"
#include "descent/curvature/lr_policy.hpp"
#include "descent/curvature/networks.hpp"

namespace {

using namespace descent;
using namespace descent::curvature;
using Eigen::MatrixXd;
using Eigen::VectorXd;

TEST(ScalingRules, LinearAndSquareRoot) {
  EXPECT_DOUBLE_EQ(linear_scaled_lr(0.1, 128, 512), 0.4);
  EXPECT_DOUBLE_EQ(sqrt_scaled_lr(1e-3, 128, 512), 2e-3);
  const LrScaling sgd{.base_lr = 0.05, .base_batch = 32, .rule = ScalingRule::linear};
  const LrScaling adam{.base_lr = 1e-3, .base_batch = 32, .rule = ScalingRule::square_root};
  const LrScaling none{.base_lr = 0.3, .base_batch = 32, .rule = ScalingRule::none};
  EXPECT_DOUBLE_EQ(sgd(8), 0.0125);
  EXPECT_DOUBLE_EQ(adam(8), 5e-4);
  EXPECT_DOUBLE_EQ(none(1024), 0.3);
  EXPECT_EQ(scaling_rule_from_string("sqrt"), ScalingRule::square_root);
  EXPECT_EQ(scaling_rule_from_string(to_string(ScalingRule::linear)), ScalingRule::linear);
  EXPECT_THROW(scaling_rule_from_string("cubic"), InvalidOption);
  EXPECT_THROW(sgd(0), InvalidOption);
  EXPECT_THROW((LrScaling{.base_lr = -1}.validate()), InvalidOption);
}

TEST(Fits, RecoverKnownLaws) {
  const std::vector<double> b = {8, 16, 32, 64, 128};
  std::vector<double> lam, lr;
  for (double x : b) lam.push_back(2.0 + 40.0 / x), lr.push_back(3e-3 * std::pow(x, 0.5));
  const LinearFit f = fit_inverse_batch(b, lam);
  EXPECT_NEAR(f.intercept, 2.0, 1e-12);
  EXPECT_NEAR(f.slope, 40.0, 1e-10);
  EXPECT_NEAR(f.r2, 1.0, 1e-12);
  const LinearFit g = fit_log_log(b, lr);
  EXPECT_NEAR(g.slope, 0.5, 1e-12);
  EXPECT_NEAR(std::exp(g.intercept), 3e-3, 1e-12);
  // Noise lowers R².
  lam[2] += 3;
  EXPECT_LT(fit_inverse_batch(b, lam).r2, 0.99);
  EXPECT_THROW(fit_log_log(b, std::vector<double>{1, 2, 3, 4, -1}), InvalidOption);
  EXPECT_THROW(fit_line(std::vector<double>{1, 1}, std::vector<double>{1, 2}), InvalidOption);
}

TEST(MaxStableLearningRate, ScansTheGrid) {
  const auto grid = log2_grid(-6, 2);
  ASSERT_EQ(grid.size(), 9u);
  EXPECT_DOUBLE_EQ(grid.front(), 1.0 / 64);
  EXPECT_DOUBLE_EQ(max_stable_learning_rate([](double lr) { return lr < 0.3; }, grid), 0.25);
  EXPECT_DOUBLE_EQ(max_stable_learning_rate([](double) { return false; }, grid), 0.0);
  // A lone stable rate after two failures is not reached by default, but is with a full scan.
  const auto odd = [](double lr) { return lr <= 0.125 || lr == 2.0; };
  EXPECT_DOUBLE_EQ(max_stable_learning_rate(odd, grid), 0.125);
  EXPECT_DOUBLE_EQ(max_stable_learning_rate(odd, grid, 0), 2.0);
}

// A "batch Hessian" H + noise/sqrt(B): its λ_max falls towards λ_max(H) as B grows.
TEST(BatchHessian, LambdaMaxFallsWithBatchSize) {
  const Eigen::Index n = 60;
  const MatrixXd h = VectorXd::LinSpaced(n, 0.0, 1.0).asDiagonal();
  auto noises = std::make_shared<std::vector<MatrixXd>>();
  const BatchOperatorFactory factory = [h, noises](std::size_t b, std::size_t draw) {
    Rng rng = make_rng(draw, {b});
    const MatrixXd w = normal_matrix(rng, h.rows(), h.rows());
    noises->push_back(h + (w + w.transpose()) / std::sqrt(2.0 * double(h.rows()) * double(b)));
    const MatrixXd* m = &noises->back();
    return symmetric_operator(h.rows(), [m](std::span<const double> v, std::span<double> out) {
      Eigen::Map<VectorXd>(out.data(), m->rows()) =
          *m * Eigen::Map<const VectorXd>(v.data(), m->cols());
    });
  };
  BatchHessianOptions o;
  o.batch_sizes = {1, 2, 4, 8, 16, 32};
  o.draws = 8;
  o.lanczos.steps = 60;
  noises->reserve(o.batch_sizes.size() * o.draws);
  const BatchHessianCurve c = batch_hessian_lambda_max(factory, o);
  ASSERT_EQ(c.mean_lambda_max.size(), 6u);
  EXPECT_TRUE(c.non_increasing);
  EXPECT_GT(c.mean_lambda_max.front(), c.mean_lambda_max.back() + 0.5);
  EXPECT_GT(c.mean_lambda_max.back(), 1.0);  // never below λ_max(H) = 1
  EXPECT_GT(c.fit.r2, 0.8);
  EXPECT_GT(c.fit.slope, 0);
}

TEST(LrPolicy, FormulasOnAQuadratic) {
  const VectorXd lambda = VectorXd::LinSpaced(20, 0.5, 8.0);
  const MatrixXd h = lambda.asDiagonal();
  const VectorXd g = VectorXd::LinSpaced(20, 1.0, -1.0);
  const CurvatureProbe probe{g, dense_operator(h)};
  LrPolicyOptions o;
  const LearningRateUpdate q = curvature_learning_rate(probe, o);
  ASSERT_TRUE(q.applied);
  EXPECT_NEAR(q.lr, g.squaredNorm() / g.dot(h * g), 1e-14);
  // The step minimises the quadratic along −g.
  const auto f = [&](double a) {
    const VectorXd x = -a * g;
    return 0.5 * x.dot(h * x) + g.dot(x);
  };
  EXPECT_LT(f(q.lr), f(0.9 * q.lr));
  EXPECT_LT(f(q.lr), f(1.1 * q.lr));

  o.rule = LrRule::inverse_lambda_max;
  o.lanczos_steps = 20;
  EXPECT_NEAR(curvature_learning_rate(probe, o).lr, 1.0 / 8.0, 1e-10);
  o.rule = LrRule::polyak_heavy_ball;
  const LearningRateUpdate p = curvature_learning_rate(probe, o);
  const double a = std::sqrt(8.0), b = std::sqrt(0.5);
  EXPECT_NEAR(p.lr, 4 / ((a + b) * (a + b)), 1e-10);
  EXPECT_NEAR(p.momentum, std::pow((a - b) / (a + b), 2), 1e-10);
  o.max_lr = 0.01;
  EXPECT_DOUBLE_EQ(curvature_learning_rate(probe, o).lr, 0.01);
  EXPECT_EQ(lr_rule_from_string("polyak"), LrRule::polyak_heavy_ball);
  EXPECT_THROW(lr_rule_from_string("adam"), InvalidOption);
}

TEST(LrPolicy, SkipsNegativeCurvatureAndRunsAsACallback) {
  const MatrixXd h = -MatrixXd::Identity(3, 3);
  const VectorXd g = VectorXd::Ones(3);
  EXPECT_FALSE(curvature_learning_rate({g, dense_operator(h)}, {}).applied);

  const MatrixXd h2 = 4 * MatrixXd::Identity(3, 3);
  double lr = 1.0;
  CurvatureLrPolicy policy(
      {.every = 2},
      [&] {
        return CurvatureProbe{g, dense_operator(h2)};
      },
      [&](const LearningRateUpdate& u) { lr = u.lr; });
  for (std::size_t it = 1; it <= 5; ++it) {
    IterationInfo info;
    info.iteration = it;
    EXPECT_FALSE(policy.iteration(info));
  }
  EXPECT_EQ(policy.history().size(), 2u);
  EXPECT_DOUBLE_EQ(lr, 0.25);
}

// Wu–Su networks: analytic gradient, Jacobian, Tr G and Hessian products.
TEST(Networks, DiagonalNetHessianProductMatchesTheDenseHessian) {
  const Eigen::Index d = 40, n = 25;
  Rng rng = make_rng(21);
  const MatrixXd x = uniform_matrix(rng, n, d, -1, 1);
  const VectorXd y = normal_vector(rng, n);
  const DiagonalLinearNet net(d);
  const VectorXd theta = normal_vector(rng, 2 * d);
  const MatrixXd h = net.dense_hessian(theta, x, y);
  // Dense Hessian vs central differences of the analytic gradient.
  VectorXd gp, gm;
  for (Eigen::Index k : {0l, 7l, 45l}) {
    VectorXd e = VectorXd::Zero(2 * d);
    e(k) = 1e-5;
    net.gradient(theta + e, x, y, gp);
    net.gradient(theta - e, x, y, gm);
    EXPECT_LT(((gp - gm) / 2e-5 - h.col(k)).norm(), 1e-7 * (1 + h.col(k).norm()));
  }
  const SymmetricOperator op = net.hessian(theta, x, y);
  for (int t = 0; t < 3; ++t) {
    const VectorXd v = normal_vector(rng, 2 * d);
    EXPECT_LT((op(v) - h * v).norm(), 1e-8 * (h * v).norm());
  }
  const MatrixXd j = net.jacobian(theta, x);
  EXPECT_NEAR(net.trace_gauss_newton(theta, x), j.squaredNorm() / n, 1e-10 * j.squaredNorm() / n);
  // Lanczos λ_max of the Hessian operator, 20 steps, vs the dense eigenvalues.
  const double exact = Eigen::SelfAdjointEigenSolver<MatrixXd>(h).eigenvalues().maxCoeff();
  EXPECT_LT(std::abs(lanczos(op, {.steps = 20}).lambda_max() - exact) / exact, 1e-6);
}

TEST(Networks, ReluNetGradientsAndExactTrace) {
  const Eigen::Index d = 12, m = 9, n = 30;
  Rng rng = make_rng(22);
  const MatrixXd x = normal_matrix(rng, n, d);
  const VectorXd y = normal_vector(rng, n);
  const TwoLayerReluNet net(d, m);
  const VectorXd theta = normal_vector(rng, net.parameters());
  VectorXd g;
  const double l = net.gradient(theta, x, y, g);
  EXPECT_NEAR(l, net.loss(theta, x, y), 1e-14);
  const MatrixXd j = net.jacobian(theta, x);
  EXPECT_LT((g - j.transpose() * (net.predict(theta, x) - y) / double(n)).norm(), 1e-12);
  for (Eigen::Index k : {0l, 3l, 20l, 100l}) {
    VectorXd e = VectorXd::Zero(theta.size());
    e(k) = 1e-6;
    const double fd = (net.loss(theta + e, x, y) - net.loss(theta - e, x, y)) / 2e-6;
    EXPECT_NEAR(fd, g(k), 1e-6 * (1 + std::abs(g(k))));
  }
  const double tr = j.squaredNorm() / n;
  EXPECT_NEAR(net.trace_gauss_newton(theta, x), tr, 1e-10 * tr);
  // One SGD step equals θ − η r ∇f_i.
  VectorXd t2 = theta;
  const double r = net.sgd_step(t2, x.row(4), y(4), 0.01);
  EXPECT_NEAR(r, net.predict(theta, x)(4) - y(4), 1e-12);
  EXPECT_LT((t2 - (theta - 0.01 * r * j.row(4).transpose())).norm(), 1e-12);
  // Hutchinson on G = JᵀJ/n with 1000 probes within 3% of the exact trace.
  const auto est = hutchinson(gram_operator(j), {.max_probes = 1000});
  EXPECT_LT(std::abs(est.trace - tr) / tr, 0.03);
  EXPECT_GT(net.path_norm(theta), 0);
}

}  // namespace
