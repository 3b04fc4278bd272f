// IGNITE with LibTorch (spec checks I1, I2, I4): the global norm, the bit-exact restore, the
// finite-difference HVP against double backward, the penalty's gradient and the dual update in
// both modes, IGNITE2's fixed λ, the same regulariser around the COMs trainer, a correct
// ensemble mean, and the pipeline's determinism.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/offline_torch/run.hpp"
#include "descent/torch_support/parameters.hpp"

namespace {

using namespace descent::offline_torch;
namespace ts = descent::torch_support;

double cosine(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double dot = 0, na = 0, nb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += (a[i] * b[i]).sum().item<double>();
    na += a[i].square().sum().item<double>();
    nb += b[i].square().sum().item<double>();
  }
  return dot / std::sqrt(na * nb);
}

// A double-precision surrogate and a batch of standard-normal inputs.
struct Fixture {
  GaussianMlp model;
  torch::Tensor x;
  Fixture(const std::string& activation, std::uint64_t seed, std::int64_t width = 32)
      : model(nullptr) {
    SurrogateOptions o;
    o.hidden = {width, width};
    o.activation = activation;
    model = GaussianMlp(6, o, seed);
    model->to(torch::kDouble);
    torch::manual_seed(int64_t(seed));
    x = torch::randn({64, 6}, torch::kDouble);
  }
  std::function<torch::Tensor()> G() {
    return [this] { return model->mean(x).mean(); };
  }
};

TEST(Parameters, GlobalNormSnapshotAndExactHvp) {
  std::vector<torch::Tensor> t{torch::tensor({3.0, 4.0}), torch::Tensor(), torch::tensor({{12.0}})};
  EXPECT_DOUBLE_EQ(ts::global_norm(t), 13.0);  // sqrt(9 + 16 + 144), the undefined one skipped
  // H of f(a, b) = a²b + b³ at (1, 2): [[2b, 2a], [2a, 6b]] = [[4, 2], [2, 12]].
  auto a = torch::tensor({1.0}, torch::requires_grad()),
       b = torch::tensor({2.0}, torch::requires_grad());
  const auto f = [&] { return (a * a * b + b * b * b).sum(); };
  const auto h = ts::exact_hvp(f, {a, b}, {torch::tensor({1.0}), torch::tensor({-1.0})});
  EXPECT_DOUBLE_EQ(h[0].item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(h[1].item<double>(), -10.0);
}

TEST(IgniteI1, FiniteDifferenceHvpMatchesDoubleBackwardAndRestoresBitExactly) {
  // Smooth units: the forward difference converges to H u (cosine -> 1 as r -> 0).
  Fixture s("tanh", 7);
  const auto params = s.model->parameters();
  const auto g = ts::gradient(s.G(), params);
  const double n = ts::global_norm(g);
  double hand = 0;
  for (const auto& t : g) hand += t.square().sum().item<double>();
  EXPECT_NEAR(n, std::sqrt(hand), 1e-12);
  std::vector<torch::Tensor> u, before;
  for (const auto& t : g) u.push_back(t / n);
  for (const auto& p : params) before.push_back(p.detach().clone());
  const auto exact = ts::exact_hvp(s.G(), params, u);
  EXPECT_GE(cosine(ts::finite_difference_hvp(s.G(), params, u, 1e-4, g), exact), 0.999);
  EXPECT_GE(cosine(ts::finite_difference_hvp(s.G(), params, u, 0.05, g), exact), 0.95);
  for (std::size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(torch::equal(params[i], before[i])) << "parameter " << i;
  // Leaky-ReLU (the reference's units): at r = 1e-4 the difference still tracks H u on this
  // batch; at r = 0.05 it crosses kinks and no longer does (docs/offline.md, the I1 finding).
  Fixture l("leaky_relu", 7);
  const auto lp = l.model->parameters();
  const auto lg = ts::gradient(l.G(), lp);
  const double ln = ts::global_norm(lg);
  std::vector<torch::Tensor> lu;
  for (const auto& t : lg) lu.push_back(t / ln);
  const auto lexact = ts::exact_hvp(l.G(), lp, lu);
  EXPECT_GE(cosine(ts::finite_difference_hvp(l.G(), lp, lu, 1e-7, lg), lexact), 0.999);
  EXPECT_LT(cosine(ts::finite_difference_hvp(l.G(), lp, lu, 0.05, lg), lexact), 0.99);
}

TEST(IgniteI2, PenaltyGradientAndDualRuleInBothModes) {
  Fixture s("tanh", 3);
  const auto params = s.model->parameters();
  SharpnessOptions o = SharpnessOptions::defaults(RegularizerKind::ignite);
  o.lambda0 = 0.5;
  o.epsilon = 0.0;
  SharpnessRegularizer reg(o);
  std::vector<torch::Tensor> grads;
  for (const auto& p : params) grads.push_back(torch::zeros_like(p));
  const SharpnessStep st = reg.apply(s.G(), params, grads);
  // grads = λρ (∇G(ω + r u) − ∇G(ω))/r, computed here by hand.
  const auto g = ts::gradient(s.G(), params);
  const double n = ts::global_norm(g);
  std::vector<torch::Tensor> u;
  for (const auto& t : g) u.push_back(t / n);
  const auto fd = ts::finite_difference_hvp(s.G(), params, u, o.r, g);
  for (std::size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(torch::allclose(grads[i], 0.5 * o.rho * fd[i], 1e-12, 1e-14)) << i;
  EXPECT_DOUBLE_EQ(st.grad_norm, n);
  EXPECT_DOUBLE_EQ(st.lambda_before, 0.5);
  EXPECT_DOUBLE_EQ(st.lambda_after, 0.5 + o.eta_lambda * (o.rho * n - 0.0));

  for (DualMode mode : {DualMode::clamped, DualMode::code_faithful}) {
    // ε = 0: λ increases at every step. A huge ε: λ decreases (clamped: down to 0 and stays).
    for (double eps : {0.0, 1e6}) {
      SharpnessOptions q = SharpnessOptions::defaults(RegularizerKind::ignite);
      q.dual = mode;
      q.epsilon = eps;
      q.eta_lambda = 1e-7;
      SharpnessRegularizer r(q);
      double prev = r.lambda();
      for (int k = 0; k < 5; ++k) {
        std::vector<torch::Tensor> gr;
        for (const auto& p : params) gr.push_back(torch::zeros_like(p));
        const SharpnessStep step = r.apply(s.G(), params, gr);
        double expect = prev + q.eta_lambda * (q.rho * step.grad_norm - eps);
        if (mode == DualMode::clamped) expect = std::max(0.0, expect);
        EXPECT_DOUBLE_EQ(step.lambda_after, expect);
        if (eps == 0.0) {
          EXPECT_GT(step.lambda_after, prev);
        } else if (mode == DualMode::code_faithful) {
          EXPECT_LT(step.lambda_after, prev);
        } else {
          EXPECT_EQ(step.lambda_after, 0.0);
        }
        prev = step.lambda_after;
      }
    }
  }
  // IGNITE2 keeps λ; none does nothing.
  SharpnessRegularizer fixed(SharpnessOptions::defaults(RegularizerKind::ignite2));
  std::vector<torch::Tensor> gr;
  for (const auto& p : params) gr.push_back(torch::zeros_like(p));
  EXPECT_DOUBLE_EQ(fixed.apply(s.G(), params, gr).lambda_after, 0.01);
  SharpnessRegularizer none(SharpnessOptions::defaults(RegularizerKind::none));
  std::vector<torch::Tensor> zero;
  for (const auto& p : params) zero.push_back(torch::zeros_like(p));
  none.apply(s.G(), params, zero);
  for (const auto& t : zero) EXPECT_EQ(t.abs().max().item<double>(), 0.0);
  SharpnessOptions bad = SharpnessOptions::defaults(RegularizerKind::ignite);
  bad.r = 0;
  EXPECT_THROW(SharpnessRegularizer{bad}, descent::InvalidOption);
}

// y = −‖x − 0.3‖² on 400 points in 4-D.
std::pair<torch::Tensor, torch::Tensor> bowl() {
  torch::manual_seed(0);
  const torch::Tensor x = torch::randn({400, 4});
  const torch::Tensor y = -(x - 0.3).square().sum(1);
  return {x, (y - y.mean()) / y.std()};
}

TEST(IgniteI4, TheSameRegularizerWrapsTheComsTrainer) {
  const auto [x, y] = bowl();
  for (SurrogateLoss loss : {SurrogateLoss::maximum_likelihood, SurrogateLoss::coms}) {
    SurrogateOptions so;
    so.hidden = {32, 32};
    GaussianMlp m(4, so, 1);
    TrainOptions to;
    to.epochs = 15;
    to.batch = 32;
    to.lr = 3e-3;
    to.loss = loss;
    SharpnessRegularizer reg(SharpnessOptions::defaults(RegularizerKind::ignite));
    const TrainResult r = train_surrogate(m, x, y, to, reg);
    EXPECT_EQ(r.status, descent::Status::max_iterations) << r.message;
    EXPECT_EQ(r.lambda_trace.size(), std::size_t(r.steps));
    EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss);
    EXPECT_TRUE(std::isfinite(r.heldout_sharpness));
  }
}

TEST(Ensemble, MeanAggregationIsTheMean) {
  SurrogateOptions so;
  so.hidden = {8};
  std::vector<GaussianMlp> ms{GaussianMlp(3, so, 1), GaussianMlp(3, so, 2)};
  const torch::Tensor x = torch::randn({5, 3});
  const torch::Tensor a = ms[0]->mean(x), b = ms[1]->mean(x);
  EXPECT_TRUE(torch::allclose(aggregate_mean(ms, x, Aggregation::mean), (a + b) / 2));
  EXPECT_TRUE(torch::allclose(aggregate_mean(ms, x, Aggregation::min), torch::min(a, b)));
}

TEST(Optimisers, GradientAscentStepsAndCmaesClimbs) {
  // score(x) = −‖x − c‖²: one step from 0 with lr moves to 2·lr·c.
  const auto score = [](const torch::Tensor& x) {
    return -(x - torch::tensor({1.0f, -2.0f})).square().sum(1);
  };
  const Eigen::MatrixXd one = gradient_ascent(score, Eigen::MatrixXd::Zero(1, 2), 1, 0.1);
  EXPECT_NEAR(one(0, 0), 0.2, 1e-6);
  EXPECT_NEAR(one(0, 1), -0.4, 1e-6);
  const Eigen::MatrixXd many = gradient_ascent(score, Eigen::MatrixXd::Zero(3, 2), 200, 0.1);
  EXPECT_NEAR(many(2, 1), -2.0, 1e-4);
  descent::offline::CmaesOptions co;
  co.iterations = 60;
  const Eigen::MatrixXd c = cmaes_ascent(score, Eigen::MatrixXd::Zero(2, 2), co);
  EXPECT_NEAR(c(1, 0), 1.0, 1e-2);
}

TEST(Pipeline, RunsAreReproducibleAndScoreWithTheOracle) {
  descent::offline::SyntheticOptions so;
  so.samples = 1000;
  so.normalisation_samples = 10000;
  const auto task = descent::offline::make_synthetic_task("rosenbrock10", so);
  RunOptions o;
  o.surrogate.hidden = {32, 32};
  o.train.epochs = 3;
  o.count = 16;
  o.steps = 20;
  o.sharpness = SharpnessOptions::defaults(RegularizerKind::ignite);
  o.seed = 5;
  const RunResult a = run_offline(task, o), b = run_offline(task, o);
  ASSERT_EQ(a.status, descent::Status::max_iterations) << a.message;
  EXPECT_EQ(a.designs, b.designs);
  EXPECT_EQ(a.designs.rows(), 16);
  EXPECT_EQ(a.oracle_values.size(), 16);
  EXPECT_GE(a.scores.p100, a.scores.p50);
  EXPECT_TRUE(a.predicted_std.minCoeff() > 0);
  o.seed = 6;
  EXPECT_NE(run_offline(task, o).designs, a.designs);
}

}  // namespace
