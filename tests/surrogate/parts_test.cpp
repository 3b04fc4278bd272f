#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "descent/core/error.hpp"
#include "descent/surrogate/kernel.hpp"
#include "descent/surrogate/loss.hpp"
#include "descent/surrogate/model.hpp"
#include "descent/surrogate/trainer.hpp"
#include "fixtures.hpp"

namespace descent::surrogate {
namespace {

using testing::binary_labels;
using testing::class_labels;
using testing::features;

// ∇_z ℓ against central differences of ℓ.
void check_loss(const TargetLoss& loss, const Eigen::MatrixXd& z,
                const std::vector<Eigen::Index>& batch) {
  SCOPED_TRACE(loss.name());
  Eigen::MatrixXd g;
  const double v = loss.value_and_gradient(z, batch, g);
  EXPECT_DOUBLE_EQ(v, loss.value(z, batch));
  Eigen::MatrixXd fd(z.rows(), z.cols()), zp = z;
  const double h = 1e-6;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    zp(i) = z(i) + h;
    const double up = loss.value(zp, batch);
    zp(i) = z(i) - h;
    fd(i) = (up - loss.value(zp, batch)) / (2 * h);
    zp(i) = z(i);
  }
  EXPECT_LT((fd - g).norm(), 1e-7 * std::max(1.0, g.norm()));
}

TEST(Losses, GradientsMatchFiniteDifferences) {
  const auto x = features(30, 3, 1);
  std::vector<Eigen::Index> batch = {3, 7, 11, 20, 29};
  Rng rng = make_rng(2);
  check_loss(LogisticLoss(binary_labels(*x, 1)), normal_matrix(rng, 5, 1), batch);
  check_loss(CrossEntropyLoss(class_labels(*x, 4, 1), 4), normal_matrix(rng, 5, 4), batch);
  check_loss(SquaredLoss(std::make_shared<Eigen::MatrixXd>(normal_matrix(rng, 30, 3))),
             normal_matrix(rng, 5, 3), batch);
}

// Jᵀw against central differences of ⟨w, f(θ)⟩.
void check_model(const TargetModel& m) {
  SCOPED_TRACE(m.name());
  Rng rng = make_rng(3);
  const std::vector<Eigen::Index> batch = {0, 4, 9, 2};
  const Eigen::VectorXd theta = m.initial_parameters(1) + 0.1 * normal_vector(rng, m.parameters());
  const Eigen::MatrixXd w = normal_matrix(rng, 4, m.outputs());
  Eigen::MatrixXd z;
  ForwardState st;
  m.forward(theta, batch, z, &st);
  Eigen::VectorXd grad;
  m.backward(theta, batch, st, w, grad);
  Eigen::VectorXd fd(m.parameters()), tp = theta;
  const double h = 1e-6;
  for (Eigen::Index j = 0; j < theta.size(); ++j) {
    tp[j] = theta[j] + h;
    m.forward(tp, batch, z, nullptr);
    const double up = (z.array() * w.array()).sum();
    tp[j] = theta[j] - h;
    m.forward(tp, batch, z, nullptr);
    fd[j] = (up - (z.array() * w.array()).sum()) / (2 * h);
    tp[j] = theta[j];
  }
  EXPECT_LT((fd - grad).norm(), 1e-6 * std::max(1.0, grad.norm()));
}

TEST(Models, BackwardMatchesFiniteDifferences) {
  const auto x = features(12, 4, 5);
  check_model(LinearModel(x, 3));
  check_model(MlpModel(x, 6, 3, MlpModel::Activation::tanh));
  check_model(MlpModel(x, 6, 2, MlpModel::Activation::relu));
}

TEST(Models, SeededInitialisation) {
  const auto x = features(5, 4, 5);
  const MlpModel m(x, 7, 3);
  EXPECT_EQ(m.parameters(), 7 * 5 + 7 + 3 * 7 + 3);
  EXPECT_EQ(m.initial_parameters(1), m.initial_parameters(1));
  EXPECT_NE(m.initial_parameters(1), m.initial_parameters(2));
  EXPECT_LE(m.initial_parameters(1).cwiseAbs().maxCoeff(), 1.0 / std::sqrt(5.0));
}

TEST(Kernel, SurrogateTerms) {
  const std::vector<double> z = {1, 2}, zt = {0.5, 2.5}, g = {0.1, -0.2};
  std::vector<double> w(2);
  const double eta = 2;
  const double v = surrogate_terms(z, zt, g, eta, w);
  EXPECT_DOUBLE_EQ(v, 0.1 * 0.5 + -0.2 * -0.5 + (0.25 + 0.25) / (2 * eta));
  EXPECT_DOUBLE_EQ(w[0], 0.1 + 0.5 / eta);
  EXPECT_DOUBLE_EQ(w[1], -0.2 - 0.5 / eta);
  // At z = z_t the weights are g itself, bit for bit.
  surrogate_terms(zt, zt, g, eta, w);
  EXPECT_EQ(w[0], g[0]);
  EXPECT_EQ(w[1], g[1]);
}

TEST(Kernel, Schedules) {
  EXPECT_DOUBLE_EQ(scheduled_eta(EtaSchedule::constant, 3, 7, 0), 3);
  EXPECT_DOUBLE_EQ(scheduled_eta(EtaSchedule::stochastic, 3, 4, 0), 1.5);
  EXPECT_DOUBLE_EQ(scheduled_eta(EtaSchedule::exponential, 3, 10, 10), 0.3);
  EXPECT_DOUBLE_EQ(scheduled_eta(EtaSchedule::exponential, 3, 0, 10), 3 * std::pow(10.0, -0.1));
  EXPECT_EQ(eta_schedule_from_string("stochastic"), EtaSchedule::stochastic);
  EXPECT_THROW(eta_schedule_from_string("cosine"), Error);
  // The reference code's inverse step 1e3 with batch 100 and a sum loss.
  EXPECT_DOUBLE_EQ(eta_from_reference_code(1e3, 100), 0.05);
}

TEST(Kernel, TargetArmijoSatisfiesTheCondition) {
  // ℓ(z) = ½ Σ a_i z_i² with curvature up to 8: the accepted step obeys the Armijo test.
  const std::vector<double> a = {1, 8};
  const auto loss = [&](std::span<const double> z) {
    return 0.5 * (a[0] * z[0] * z[0] + a[1] * z[1] * z[1]);
  };
  const std::vector<double> z = {1, 1}, g = {1, 8};
  TargetLineSearch o;
  o.enabled = true;
  std::size_t evals = 0;
  const double s = target_armijo(loss, z, g, loss(z), 10.0, o, evals);
  const std::vector<double> trial = {z[0] - s * g[0], z[1] - s * g[1]};
  EXPECT_LE(loss(trial), loss(z) - o.c * s * 65);
  EXPECT_GT(s, 0.9 * 2 * (1 - o.c) / 8 * 0.5);  // not shrunk far past the boundary
  EXPECT_GT(evals, 1u);
}

TEST(Trainer, BatchStreamIsSeededAndCoversEpochs) {
  BatchStream a(10, 4, 7), b(10, 4, 7), c(10, 4, 8);
  std::multiset<Eigen::Index> first_epoch;
  bool differs = false;
  for (int k = 0; k < 5; ++k) {
    const auto ba = a.next();
    EXPECT_EQ(ba, b.next());
    if (ba != c.next()) differs = true;
    for (std::size_t i = 0; i < ba.size() && first_epoch.size() < 10; ++i)
      first_epoch.insert(ba[i]);
  }
  EXPECT_TRUE(differs);
  for (Eigen::Index i = 0; i < 10; ++i) EXPECT_EQ(first_epoch.count(i), 1u);
  EXPECT_THROW(BatchStream(3, 4, 0), Error);
}

}  // namespace
}  // namespace descent::surrogate
