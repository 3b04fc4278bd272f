// descent::optim span kernels: diffGrad against PyTorch golden values, the legacy alias mode
// against Adam at lr/2, transforms, schedules, and the Eigen front end on the diffGrad functions.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "descent/core/error.hpp"
#include "descent/core/problems.hpp"
#include "descent/io/npy.hpp"
#include "descent/optim/optimize.hpp"
#include "descent/optim/synthetic.hpp"

namespace {

using namespace descent;
using namespace descent::optim;

std::vector<float> load_f32(const std::string& name) {
  const auto a = io::read_npy(std::string(DESCENT_SOURCE_DIR) + "/tests/optim/golden/" + name);
  return {a.data.begin(), a.data.end()};
}

// tests/optim/make_diffgrad_golden.py: 100 steps of diffGrad_v2 in float32 (lr 1e-2).
void check_golden(double weight_decay, const std::string& expected_file) {
  std::vector<float> x = load_f32("diffgrad_x0.npy");
  const std::vector<float> grads = load_f32("diffgrad_grads.npy");
  const std::vector<float> expected = load_f32(expected_file);
  const std::size_t n = x.size();
  ASSERT_EQ(grads.size(), 100 * n);
  DiffGradOptions o;
  o.lr = 1e-2;
  o.weight_decay = weight_decay;
  std::vector<float> m(n, 0), v(n, 0), prev(n, 0);
  for (int t = 1; t <= 100; ++t)
    diffgrad_step<float>(o, t, x, std::span<const float>(grads.data() + (t - 1) * n, n), m, v,
                         prev);
  double worst = 0, moved = 0;
  const std::vector<float> x0 = load_f32("diffgrad_x0.npy");
  for (std::size_t i = 0; i < n; ++i) {
    worst = std::max(worst, std::abs(double(x[i]) - double(expected[i])));
    moved = std::max(moved, std::abs(double(x[i]) - double(x0[i])));
  }
  EXPECT_LT(worst, 1e-6);
  EXPECT_GT(moved, 1e-2);  // the comparison is not vacuous: parameters did move
}

TEST(DiffGrad, MatchesPyTorchReferenceFloat32) {
  check_golden(0.0, "diffgrad_x100_wd0.npy");
}

TEST(DiffGrad, MatchesPyTorchReferenceWithWeightDecay) {
  check_golden(0.01, "diffgrad_x100_wd001.npy");
}

std::vector<double> pseudo_gradient(int t, std::size_t n) {
  std::vector<double> g(n);
  for (std::size_t i = 0; i < n; ++i) g[i] = std::sin(0.7 * double(t) * double(i + 1)) * (1.0 + i);
  return g;
}

TEST(DiffGrad, LegacyAliasModeIsAdamAtHalfLearningRateFromStepTwo) {
  const std::size_t n = 16;
  DiffGradOptions legacy;
  legacy.lr = 0.05;
  legacy.legacy_alias_bug = true;
  AdamOptions adam;  // Adam with diffGrad's epsilon placement at half the learning rate
  adam.lr = legacy.lr / 2;
  adam.eps_placement = EpsPlacement::raw;
  std::vector<double> xl(n, 1.0), xa(n, 1.0), ml(n, 0), vl(n, 0), pl(n, 0), ma(n, 0), va(n, 0);
  // Gradients depend on x, so equal trajectories really need equal updates.
  auto grad = [&](int t, const std::vector<double>& x) {
    auto g = pseudo_gradient(t, n);
    for (std::size_t i = 0; i < n; ++i) g[i] += 0.3 * x[i];
    return g;
  };
  for (int t = 1; t <= 60; ++t) {
    const auto before = xl;
    diffgrad_step<double>(legacy, t, xl, grad(t, xl), ml, vl, pl);
    adam_step<double>(adam, t, xa, grad(t, xa), ma, va);
    if (t == 1) {
      // xi_1 = sigmoid(|g_1|) instead of 0.5: the first step is xi_1 / 0.5 times Adam's at lr/2.
      const auto g1 = grad(1, before);
      for (std::size_t i = 0; i < n; ++i) {
        const double xi = 1 / (1 + std::exp(-std::abs(g1[i])));
        EXPECT_NEAR(xl[i] - before[i], (xa[i] - before[i]) * xi / 0.5, 1e-15);
      }
      xa = xl;  // continue both from the same point: from now on they must coincide exactly
    } else {
      ASSERT_EQ(xl, xa) << "t = " << t;  // bit for bit
    }
  }
  EXPECT_EQ(ml, ma);
  EXPECT_EQ(vl, va);
}

TEST(DiffGrad, FixedModeDiffersFromLegacy) {
  const std::size_t n = 8;
  DiffGradOptions fixed, legacy;
  legacy.legacy_alias_bug = true;
  std::vector<double> xf(n, 0.5), xl(n, 0.5), mf(n), vf(n), pf(n), ml(n), vl(n), pl(n);
  for (int t = 1; t <= 5; ++t) {
    const auto g = pseudo_gradient(t, n);
    diffgrad_step<double>(fixed, t, xf, g, mf, vf, pf);
    diffgrad_step<double>(legacy, t, xl, g, ml, vl, pl);
  }
  EXPECT_NE(xf, xl);
}

TEST(DiffGrad, FrictionVariantsStayInTheirRanges) {
  // One step from zero state: the update is -lr * xi * sign-ish, so |dx| / lr bounds xi.
  for (int dfc = 0; dfc <= 5; ++dfc) {
    DiffGradOptions o;
    o.dfc = static_cast<Dfc>(dfc);
    std::vector<double> x(32, 0.0), m(32), v(32), p(32);
    const auto g = pseudo_gradient(3, 32);
    diffgrad_step<double>(o, 1, x, g, m, v, p);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double xi = std::abs(x[i]) / o.lr;  // Adam's first step has |m/sqrt(v)| = 1
      EXPECT_TRUE(std::isfinite(xi));
      if (dfc == 0) {
        EXPECT_GE(xi, 0.5 - 1e-3);
        EXPECT_LT(xi, 1.0);
      }
      if (dfc == 2) {
        EXPECT_GE(xi, 0.5 - 1e-3);
        EXPECT_LT(xi, 5.0);
      }
    }
  }
}

TEST(Kernels, SgdNesterovMatchesHandComputation) {
  SgdOptions o;
  o.lr = 0.1;
  o.momentum = 0.9;
  o.nesterov = true;
  std::vector<double> x{1.0}, b{0.0};
  const std::vector<double> g1{2.0}, g2{1.0};
  sgd_step<double>(o, 1, x, g1, b);  // b = 2, x -= 0.1 * (2 + 0.9*2)
  EXPECT_DOUBLE_EQ(x[0], 1.0 - 0.1 * 3.8);
  sgd_step<double>(o, 2, x, g2, b);  // b = 0.9*2 + 1 = 2.8, x -= 0.1 * (1 + 0.9*2.8)
  EXPECT_DOUBLE_EQ(x[0], 1.0 - 0.38 - 0.1 * (1 + 0.9 * 2.8));
}

TEST(Kernels, AdamWDecouplesWeightDecay) {
  AdamOptions o;
  o.lr = 0.1;
  o.weight_decay = 0.5;
  o.decoupled = true;
  std::vector<double> x{2.0}, m{0}, v{0};
  const std::vector<double> g{0.0};
  adam_step<double>(o, 1, x, g, m, v);  // zero gradient: only the decay acts
  EXPECT_DOUBLE_EQ(x[0], 2.0 * (1 - 0.05));
}

TEST(Kernels, NormalizedMomentumTakesStepsOfLengthLr) {
  NormalizedMomentumOptions o;
  o.lr = 0.3;
  std::vector<double> x{0.0, 0.0}, m{0, 0};
  const std::vector<double> g{3.0, 4.0};
  normalized_momentum_step<double>(o, 1, x, g, m);
  EXPECT_NEAR(std::hypot(x[0], x[1]), 0.3, 1e-12);
}

TEST(Kernels, MismatchedBuffersAreRejected) {
  std::vector<double> x(3), g(3), m(2), v(3);
  EXPECT_THROW(adam_step<double>(AdamOptions{}, 1, x, g, m, v), Error);
}

TEST(Rule, HyperParametersByName) {
  auto r = UpdateRule::make("diffgrad");
  EXPECT_DOUBLE_EQ(r.get("lr"), 1e-3);
  r.set("beta1", 0.95);
  EXPECT_DOUBLE_EQ(r.get("beta1"), 0.95);
  EXPECT_THROW(r.set("momentum", 0.9), InvalidOption);
  EXPECT_THROW(r.set("lr", -1.0), InvalidOption);
  EXPECT_DOUBLE_EQ(r.get("lr"), 1e-3);  // unchanged after a rejected value
  EXPECT_THROW(UpdateRule::make("adamax"), InvalidOption);
  EXPECT_EQ(UpdateRule::make("sgd").buffers(), 0);
  EXPECT_EQ(UpdateRule::make("diffgrad4").buffers(), 3);
  EXPECT_EQ(std::get<DiffGradOptions>(UpdateRule::make("diffgrad4").options()).dfc, Dfc::dfc4);
}

TEST(Transforms, ClipByNormAndValue) {
  std::vector<double> g{3.0, 4.0};
  EXPECT_DOUBLE_EQ(clip_by_norm<double>(g, 1.0), 5.0);
  EXPECT_NEAR(std::hypot(g[0], g[1]), 1.0, 1e-15);
  std::vector<float> h{-3.0f, 0.5f, 7.0f};
  clip_by_value<float>(h, 1.0);
  EXPECT_EQ(h, (std::vector<float>{-1.0f, 0.5f, 1.0f}));
}

TEST(Transforms, Schedules) {
  const auto step = Schedule::parse("step:10:0.5");
  EXPECT_DOUBLE_EQ(step.factor(1), 1.0);
  EXPECT_DOUBLE_EQ(step.factor(10), 1.0);
  EXPECT_DOUBLE_EQ(step.factor(11), 0.5);
  EXPECT_DOUBLE_EQ(step.factor(25), 0.25);
  const auto cw = Schedule::parse("warmup:4+cosine:100");
  EXPECT_DOUBLE_EQ(cw.factor(1), 0.25);
  EXPECT_DOUBLE_EQ(cw.factor(101), 0.0);
  EXPECT_NEAR(cw.factor(51), 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(Schedule::parse("multistep:5,8:0.1").factor(9), 0.1 * 0.1);
  EXPECT_THROW(Schedule::parse("cosine"), InvalidOption);
  EXPECT_THROW(Schedule::parse("linear:3"), InvalidOption);
  ReduceOnPlateau plateau(0.5, 2);
  for (double loss : {1.0, 0.9, 0.9, 0.9}) plateau.observe(loss);
  EXPECT_DOUBLE_EQ(plateau.multiplier(), 1.0);  // reduces after MORE than `patience` bad ones
  plateau.observe(0.9);
  EXPECT_DOUBLE_EQ(plateau.multiplier(), 0.5);
}

// The notebook protocol: x0 = -1, 299 updates, lr 0.1, beta1 0.95, beta2 0.999.
double notebook_final_x(const std::string& problem, const std::string& rule, double lr = 0.1) {
  auto f = make_synthetic(problem);
  OptimizeOptions o;
  o.rule = UpdateRule::make(rule);
  o.rule.set("lr", lr);
  o.rule.set("beta1", 0.95);
  o.max_iterations = 299;
  Eigen::VectorXd x = f->initial_point();
  const Summary s = minimize(*f, x, o);
  EXPECT_EQ(s.status, Status::max_iterations) << s.brief();
  return x[0];
}

TEST(Synthetic, DiffGradReachesTheGlobalMinimaAdamTheLocalOnes) {
  EXPECT_LT(std::abs(notebook_final_x("f1", "diffgrad") + 0.3), 1e-3);
  EXPECT_LT(std::abs(notebook_final_x("f1", "adam") - 0.2), 1e-3);
  const double f2star = make_synthetic("f2")->optimum()[0];
  EXPECT_NEAR(f2star, -0.643, 1e-3);
  EXPECT_LT(std::abs(notebook_final_x("f2", "diffgrad") - f2star), 2e-3);
  EXPECT_LT(std::abs(notebook_final_x("f2", "adam")), 1e-3);
}

TEST(Synthetic, NotebookGradientIsNotTheDerivative) {
  auto exact = make_synthetic("f2"), notebook = make_synthetic("f2-notebook");
  Eigen::VectorXd x = Eigen::VectorXd::Constant(1, 0.3), ge, gn;
  exact->gradient(x, ge);
  notebook->gradient(x, gn);
  const double h = 1e-6;
  Eigen::VectorXd xp = x, xm = x;
  xp[0] += h;
  xm[0] -= h;
  const double fd = (exact->value(xp) - exact->value(xm)) / (2 * h);
  EXPECT_NEAR(ge[0], fd, 1e-6);
  EXPECT_GT(std::abs(gn[0] - fd), 0.1);
}

TEST(Optimize, ReportsDivergence) {
  auto f = make_problem("rosenbrock");
  OptimizeOptions o;
  o.rule = UpdateRule::make("sgd");
  o.rule.set("lr", 1.0);
  o.max_iterations = 100;
  Eigen::VectorXd x = f->initial_point();
  const Summary s = minimize(*f, x, o);
  EXPECT_EQ(s.status, Status::diverged) << s.brief();
}

TEST(Optimize, AdamSolvesTheSphereAndStopsAtTolerance) {
  auto f = make_problem("sphere:n=5");
  OptimizeOptions o;
  o.rule = UpdateRule::make("adam");
  o.rule.set("lr", 0.05);
  o.schedule = Schedule::parse("cosine:3000:0.01");
  o.max_iterations = 3000;
  o.gradient_tolerance = 1e-6;
  Eigen::VectorXd x = f->initial_point();
  const Summary s = minimize(*f, x, o);
  EXPECT_EQ(s.status, Status::converged) << s.brief();
  EXPECT_LT((x - f->optimum()).norm(), 1e-5);
}

}  // namespace
