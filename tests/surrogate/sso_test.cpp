#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <numeric>

#include "descent/core/error.hpp"
#include "descent/surrogate/direct.hpp"
#include "descent/surrogate/sso.hpp"
#include "descent/surrogate/trainer.hpp"
#include "fixtures.hpp"

namespace descent::surrogate {
namespace {

using testing::binary_labels;
using testing::class_labels;
using testing::features;

// m = 1 with inner step α is SGD with step α, whatever η: the surrogate's gradient at θ_t is
// J_fᵀ G because f_S(θ_t) − z_t = 0 exactly.
TEST(Sso, OneInnerStepIsSgd) {
  const auto x = features(80, 6, 1);
  const LinearModel linear(x, 1);
  const LogisticLoss logistic(binary_labels(*x, 2));
  const MlpModel mlp(x, 8, 3);
  const CrossEntropyLoss ce(class_labels(*x, 3, 3), 3);
  struct Case {
    const TargetModel* model;
    const TargetLoss* loss;
  };
  for (const Case c : {Case{&linear, &logistic}, Case{&mlp, &ce}}) {
    for (double eta : {0.01, 1.0, 300.0}) {
      SCOPED_TRACE(c.model->name() + " eta " + std::to_string(eta));
      const double alpha = 0.3;
      InnerSgd inner(alpha);
      SsoOptions so;
      so.eta = eta;
      so.inner_steps = 1;
      Sso sso(*c.model, *c.loss, inner, so);
      DirectOptions dopt;
      dopt.step_size = alpha;
      DirectStepper sgd(*c.model, *c.loss, dopt);
      Eigen::VectorXd a = c.model->initial_parameters(5), b = a;
      BatchStream s1(80, 16, 9), s2(80, 16, 9);
      double worst = 0;
      for (int t = 0; t < 40; ++t) {
        sso.step(a, s1.next());
        sgd.step(b, s2.next());
        worst = std::max(worst, (a - b).cwiseAbs().maxCoeff());
      }
      EXPECT_LE(worst, 1e-12);
      EXPECT_EQ(sso.costs().expensive, sgd.costs().expensive);
    }
  }
}

// A linear model with squared loss: many inner gradient steps converge to the target-space
// projection θ_{t+1} = θ_t + X_S⁺(−η G), i.e. z_{t+1} = Π_range(X_S)[z_t − η G].
TEST(Sso, ManyInnerStepsGiveTheClosedFormProjection) {
  const auto x = features(60, 5, 4);
  Rng rng = make_rng(7);
  auto y = std::make_shared<Eigen::MatrixXd>(normal_matrix(rng, 60, 2));
  const LinearModel model(x, 2);
  const SquaredLoss loss(y);
  std::vector<Eigen::Index> batch(20);
  std::iota(batch.begin(), batch.end(), 10);
  const Eigen::MatrixXd xs = gather_rows(*x, batch);
  const double eta = 0.5 * 20;  // <= |S|/L = 20
  // The surrogate's Hessian in θ is (1/η) X_SᵀX_S ⊗ I: step 1/L with L its largest eigenvalue.
  const double lmax =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(xs.transpose() * xs).eigenvalues().maxCoeff();
  InnerSgd inner(eta / lmax);
  SsoOptions so;
  so.eta = eta;
  so.inner_steps = 20000;
  so.inner_gradient_tolerance = 0;
  Sso sso(model, loss, inner, so);

  Eigen::VectorXd theta = normal_vector(rng, model.parameters());
  const Eigen::VectorXd theta0 = theta;
  Eigen::MatrixXd z, g;
  model.forward(theta, batch, z, nullptr);
  loss.value_and_gradient(z, batch, g);
  const Eigen::MatrixXd dw = xs.completeOrthogonalDecomposition().solve(-eta * g);  // d x K
  const Eigen::VectorXd expected = theta0 + Eigen::Map<const Eigen::VectorXd>(dw.data(), dw.size());
  sso.step(theta, batch);
  EXPECT_LT((theta - expected).cwiseAbs().maxCoeff(), 1e-8);
}

// Full batch with η <= 1/L_z: L(θ_{t+1}) <= g_t(θ_{t+1}) <= g_t(θ_t) = L(θ_t) at every step.
TEST(Sso, FullBatchWithSmallEtaDecreasesTheLossMonotonically) {
  const auto x = features(100, 6, 11);
  const LinearModel linear(x, 1);
  const LogisticLoss logistic(binary_labels(*x, 12));
  const MlpModel mlp(x, 10, 1, MlpModel::Activation::tanh);
  std::vector<Eigen::Index> all(100);
  std::iota(all.begin(), all.end(), 0);
  const double eta = 100 / logistic.sample_smoothness();  // = 1/L_z of the mean loss
  // Linear model: the surrogate is a quadratic, inner GD with step 1/L decreases it.
  const double lmax =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(x->transpose() * *x).eigenvalues().maxCoeff();
  InnerSgd gd(eta / lmax);
  InnerArmijo armijo;  // for the MLP: Armijo decreases any smooth surrogate
  struct Case {
    const TargetModel* model;
    InnerOptimizer* inner;
  };
  for (const Case c : {Case{&linear, &gd}, Case{&mlp, &armijo}}) {
    SCOPED_TRACE(c.model->name());
    SsoOptions so;
    so.eta = eta;
    so.inner_steps = 10;
    Sso sso(*c.model, logistic, *c.inner, so);
    Eigen::VectorXd theta = c.model->initial_parameters(3);
    double prev = full_loss(*c.model, logistic, theta);
    for (int t = 0; t < 60; ++t) {
      sso.step(theta, all);
      const double now = full_loss(*c.model, logistic, theta);
      EXPECT_LE(now, prev) << "outer step " << t;
      prev = now;
    }
    EXPECT_LT(prev, std::log(2.0));
  }
}

TEST(Sso, MoreInnerStepsLowerTheLossAtEqualExpensiveEvaluations) {
  const auto x = features(400, 8, 21);
  const LinearModel model(x, 1);
  const LogisticLoss loss(binary_labels(*x, 22));
  const auto run = [&](std::size_t m) {
    InnerSgd inner(0.05);
    SsoOptions so;
    so.eta = 4 * 16;
    so.inner_steps = m;
    Sso sso(model, loss, inner, so);
    TrainOptions to;
    to.batch_size = 16;
    to.outer_steps = 50;
    to.seed = 3;
    Eigen::VectorXd theta = model.initial_parameters(0);
    const Summary s = train(sso, model, loss, theta, to);
    EXPECT_EQ(s.counters.at("expensive_evaluations"), 50.0);
    return s.objective;
  };
  EXPECT_LT(run(10), run(1));
}

TEST(Sso, CostCounters) {
  const auto x = features(50, 3, 1);
  const LinearModel model(x, 1);
  const LogisticLoss loss(binary_labels(*x, 1));
  InnerSgd inner(0.1);
  SsoOptions so;
  so.inner_steps = 4;
  so.inner_gradient_tolerance = 0;
  Sso sso(model, loss, inner, so);
  Eigen::VectorXd theta = model.initial_parameters(0);
  BatchStream b(50, 10, 1);
  for (int t = 0; t < 3; ++t) sso.step(theta, b.next());
  EXPECT_EQ(sso.costs().expensive, 3u);
  EXPECT_EQ(sso.costs().inner_steps, 12u);
  EXPECT_EQ(sso.costs().model_forward, 3u * (1 + 4));
  EXPECT_EQ(sso.costs().model_backward, 3u * 4);
  EXPECT_EQ(sso.name(), "sso-sgd-m4");
}

TEST(Sso, TargetLineSearchAndSchedules) {
  const auto x = features(120, 4, 5);
  const LinearModel model(x, 1);
  const LogisticLoss loss(binary_labels(*x, 6));
  InnerArmijo inner;
  SsoOptions so;
  so.eta = 1000;  // far too large: the target-space search must shrink it
  so.inner_steps = 5;
  so.line_search.enabled = true;
  so.schedule = EtaSchedule::exponential;
  so.total_steps = 20;
  Sso sso(model, loss, inner, so);
  TrainOptions to;
  to.batch_size = 20;
  to.outer_steps = 20;
  Eigen::VectorXd theta = model.initial_parameters(0);
  const Summary s = train(sso, model, loss, theta, to);
  EXPECT_EQ(s.status, Status::max_iterations);
  EXPECT_GT(s.counters.at("loss_value_evaluations"), 20.0);
  EXPECT_LT(s.objective, std::log(2.0));
  for (const auto& row : s.history) EXPECT_LT(row.step_size, 1000.0);
}

TEST(Sso, UserInnerOptimizerThroughACallable) {
  const auto x = features(60, 3, 8);
  const LinearModel model(x, 1);
  const LogisticLoss loss(binary_labels(*x, 9));
  int begins = 0;
  InnerCallable user(
      [](const Closure& f, Eigen::VectorXd& th) {
        Eigen::VectorXd g;
        InnerStep s;
        s.value = f(th, &g);
        s.gradient_norm = g.norm();
        th -= 0.2 * g;  // plain gradient step written by the user
        return s;
      },
      "user", [&] { ++begins; });
  SsoOptions so;
  so.inner_steps = 3;
  so.eta = 4 * 12;
  Sso sso(model, loss, user, so);
  Eigen::VectorXd theta = model.initial_parameters(0);
  BatchStream b(60, 12, 2);
  for (int t = 0; t < 5; ++t) sso.step(theta, b.next());
  EXPECT_EQ(begins, 5);
  EXPECT_LT(full_loss(model, loss, theta), std::log(2.0));
}

TEST(Sso, DirectBaselinesLearn) {
  const auto x = features(300, 5, 31);
  const LinearModel model(x, 1);
  const LogisticLoss loss(binary_labels(*x, 32));
  for (auto method : {DirectMethod::sgd, DirectMethod::adam, DirectMethod::sls}) {
    DirectOptions o;
    o.method = method;
    o.adam.lr = 0.05;
    DirectStepper st(model, loss, o);
    TrainOptions to;
    to.batch_size = 25;
    to.outer_steps = 100;
    Eigen::VectorXd theta = model.initial_parameters(0);
    const Summary s = train(st, model, loss, theta, to);
    EXPECT_LT(s.objective, 0.5) << st.name();
    EXPECT_EQ(s.counters.at("expensive_evaluations"), 100.0);
    if (method == DirectMethod::sls) {
      EXPECT_GE(s.counters.at("loss_value_evaluations"), 100.0);
    }
  }
}

// A loss that blew up (finite but 1000-fold its start) is diverged, not a normal finish.
TEST(Sso, BlownUpLossIsDiverged) {
  const auto x = features(300, 5, 31);
  const LinearModel model(x, 1);
  const LogisticLoss loss(binary_labels(*x, 32));
  DirectOptions o;
  o.step_size = 1e7;
  DirectStepper st(model, loss, o);
  TrainOptions to;
  to.batch_size = 25;
  to.outer_steps = 200;
  Eigen::VectorXd theta = model.initial_parameters(0);
  const Summary s = train(st, model, loss, theta, to);
  EXPECT_EQ(s.status, Status::diverged) << s.brief();
  EXPECT_TRUE(std::isfinite(s.objective)) << "caught while still finite";
  to.divergence_factor = 1.0;
  EXPECT_THROW(train(st, model, loss, theta, to), InvalidOption);
}

TEST(Sso, InvalidOptionsNameTheField) {
  const auto x = features(10, 2, 1);
  const LinearModel model(x, 1);
  const LogisticLoss loss(binary_labels(*x, 1));
  InnerSgd inner(0.1);
  const auto field = [&](SsoOptions o) {
    try {
      Sso s(model, loss, inner, o);
    } catch (const InvalidOption& e) {
      return e.field();
    }
    return std::string("none");
  };
  SsoOptions o;
  o.eta = 0;
  EXPECT_EQ(field(o), "eta");
  o = {};
  o.inner_steps = 0;
  EXPECT_EQ(field(o), "inner_steps");
  o = {};
  o.schedule = EtaSchedule::exponential;
  EXPECT_EQ(field(o), "total_steps");
  EXPECT_THROW(InnerSgd(-1.0), InvalidOption);
  const LinearModel two(x, 2);
  EXPECT_THROW(Sso(two, loss, inner, {}), Error);  // 2 outputs vs a 1-output loss
}

}  // namespace
}  // namespace descent::surrogate
