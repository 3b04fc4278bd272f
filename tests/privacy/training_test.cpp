// DP-GD and DIFF2: exact reductions (P2, P3), privacy bookkeeping, the stability guard (P6).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "descent/core/error.hpp"
#include "descent/privacy/diff2.hpp"
#include "descent/privacy/dp_gd.hpp"
#include "descent/privacy/mlp.hpp"

namespace descent::privacy {
namespace {

// P workers with n teacher records each, plus a test set.
struct Task {
  Task(MlpShape shape, int P, Eigen::Index n, std::uint64_t seed = 1) : shape(shape) {
    TeacherTask teacher(shape, seed);
    for (int p = 0; p < P; ++p) {
      auto d = teacher.sample(n, static_cast<std::uint64_t>(p));
      workers.push_back(std::make_unique<MlpRegression>(shape, d.X, d.y));
    }
    auto t = teacher.sample(200, kTestStream);
    test = std::make_unique<MlpRegression>(shape, t.X, t.y);
    set.workers = P;
    for (auto& w : workers) set.local.push_back(w.get());
    set.test = test.get();
    Rng rng = make_rng(seed, {42});
    x0 = mlp_initial_parameters(shape, rng);
  }
  MlpShape shape;
  std::vector<std::unique_ptr<MlpRegression>> workers;
  std::unique_ptr<MlpRegression> test;
  WorkerSet set;
  Eigen::VectorXd x0;
};

TEST(Training, Diff2WithTEqualOneIsDpGdBitForBit) {
  Task task({6, 5}, 3, 50);
  DpGdOptions a;
  a.rounds = 40;
  a.step_size = 0.5;
  a.clip = 0.2;
  a.seed = 9;
  a.eval_every = 7;
  Diff2Options b;
  b.rounds = a.rounds;
  b.step_size = a.step_size;
  b.clip = a.clip;
  b.seed = a.seed;
  b.eval_every = a.eval_every;
  b.restart = 1;
  Eigen::VectorXd xa = task.x0, xb = task.x0;
  const Summary sa = minimize_dp_gd(task.set, xa, a);
  const Summary sb = minimize_diff2(task.set, xb, b);
  EXPECT_EQ(xa, xb);  // bit for bit
  EXPECT_EQ(sa.counters.at("sigma"), sb.counters.at("sigma1"));
  EXPECT_EQ(sb.counters.at("difference_rounds"), 0.0);
  ASSERT_EQ(sa.history.size(), sb.history.size());
  for (std::size_t i = 0; i < sa.history.size(); ++i)
    EXPECT_EQ(sa.history[i].objective, sb.history[i].objective);
  EXPECT_NEAR(sa.counters.at("epsilon"), 1.0, 1e-6);
  EXPECT_NEAR(sb.counters.at("epsilon"), 1.0, 1e-6);
}

// Non-private full-batch GD on f = mean_p f_p.
Eigen::VectorXd plain_gd(const Task& task, Eigen::VectorXd x, double eta, std::size_t rounds) {
  for (std::size_t r = 0; r < rounds; ++r) {
    Eigen::VectorXd g = Eigen::VectorXd::Zero(x.size()), gp;
    for (const auto& w : task.workers) {
      w->loss_and_gradient(x, gp);
      g += gp;
    }
    x -= eta * g / double(task.workers.size());
  }
  return x;
}

TEST(Training, NoNoiseNoClipIsGradientDescent) {
  Task task({6, 5}, 3, 50);
  const Eigen::VectorXd ref = plain_gd(task, task.x0, 0.5, 60);
  // DIFF2 with sigma = 0, C = inf and T = R: the differences telescope to the full gradient.
  Diff2Options o;
  o.rounds = 60;
  o.step_size = 0.5;
  o.clip = o.clip_diff = INFINITY;
  o.restart = 60;
  o.noise_multiplier1 = o.noise_multiplier2 = 0.0;
  Eigen::VectorXd x = task.x0;
  const Summary s = minimize_diff2(task.set, x, o);
  EXPECT_LT((x - ref).lpNorm<Eigen::Infinity>(), 1e-10);
  EXPECT_TRUE(std::isinf(s.counters.at("epsilon")));
  DpGdOptions d;
  d.rounds = 60;
  d.step_size = 0.5;
  d.clip = INFINITY;
  d.noise_multiplier = 0.0;
  Eigen::VectorXd xd = task.x0;
  minimize_dp_gd(task.set, xd, d);
  EXPECT_LT((xd - ref).lpNorm<Eigen::Infinity>(), 1e-12);
}

TEST(Training, ThreadsDoNotChangeTheBits) {
  Task task({6, 5}, 4, 40);
  Diff2Options o;
  o.rounds = 30;
  o.restart = 4;
  o.seed = 3;
  o.guard = GuardPolicy::off;
  Eigen::VectorXd x1 = task.x0, x2 = task.x0;
  minimize_diff2(task.set, x1, o);
  o.threads = 2;
  minimize_diff2(task.set, x2, o);
  EXPECT_EQ(x1, x2);
}

TEST(Training, SummaryRecordsPrivacySpent) {
  Task task({6, 5}, 2, 80);
  Diff2Options o;
  o.rounds = 50;
  o.restart = 5;
  o.budget.epsilon = 2;
  o.guard = GuardPolicy::off;
  Eigen::VectorXd x = task.x0;
  const Summary s = minimize_diff2(task.set, x, o);
  EXPECT_EQ(s.status, Status::max_iterations);
  EXPECT_NEAR(s.counters.at("epsilon"), 2.0, 2e-6);
  EXPECT_EQ(s.counters.at("restart_rounds"), 10.0);
  EXPECT_EQ(s.counters.at("difference_rounds"), 40.0);
  EXPECT_EQ(s.counters.at("n"), 80.0);
  EXPECT_NE(s.message.find("spent epsilon = 2"), std::string::npos) << s.message;
  EXPECT_EQ(s.history.front().iteration, 0u);
  EXPECT_EQ(s.history.back().iteration, 50u);
  EXPECT_LT(s.counters.at("train_loss"), s.history.front().objective);
}

TEST(Training, EarlyStopSpendsOnlyTheRoundsThatRan) {
  Task task({6, 5}, 2, 80);
  DpGdOptions o;
  o.rounds = 100;
  Eigen::VectorXd x = task.x0;
  Callbacks cbs;
  auto stop = [](const IterationInfo& i) { return i.iteration >= 25; };
  cbs.emplace<StopWhen<decltype(stop)>>(stop);
  const Summary s = minimize_dp_gd(task.set, x, o, cbs);
  EXPECT_EQ(s.status, Status::stopped);
  EXPECT_EQ(s.iterations, 25u);
  EXPECT_LT(s.counters.at("epsilon"), 1.0);
  EXPECT_NEAR(s.counters.at("rho"), 25 * gaussian_rho(s.counters.at("sigma"), 80), 1e-15);
}

TEST(Training, UniformOutputIterate) {
  Task task({6, 5}, 2, 40);
  DpGdOptions o;
  o.rounds = 20;
  o.output = OutputIterate::uniform;
  Eigen::VectorXd x = task.x0;
  const Summary s = minimize_dp_gd(task.set, x, o);
  EXPECT_GE(s.counters.at("output_round"), 0.0);
  EXPECT_LT(s.counters.at("output_round"), 20.0);
}

TEST(Training, MisuseIsAnException) {
  Task task({6, 5}, 2, 40);
  Eigen::VectorXd x = task.x0;
  Diff2Options o;
  o.restart = 0;
  EXPECT_THROW(minimize_diff2(task.set, x, o), InvalidOption);
  o = {};
  o.noise_multiplier1 = 0.1;  // without noise_multiplier2
  EXPECT_THROW(minimize_diff2(task.set, x, o), InvalidOption);
  WorkerSet wrong = task.set;
  wrong.workers = 3;
  EXPECT_THROW(minimize_dp_gd(wrong, x, {}), Error);
  Eigen::VectorXd bad(3);
  EXPECT_THROW(minimize_dp_gd(task.set, bad, {}), Error);
}

// P6: the spec's regression case, which diverges without the guard.
struct GuardCase : Task {
  GuardCase() : Task({50, 20}, 4, 500) {}
  Diff2Options options() const {
    Diff2Options o;
    o.rounds = 300;
    o.step_size = 0.3;
    o.clip = 0.3;
    o.clip_diff = 1.0;
    o.restart = 5;
    o.eval_every = 10;
    return o;
  }
};

TEST(Training, StabilityGuardCatchesTheRegressionCase) {
  GuardCase c;
  ASSERT_EQ(c.shape.dimension(), 1041);
  const Diff2Noise nz = calibrate_diff2(c.options().budget, 500, 300, 5);
  const StabilityReport r = check_stability(0.3, 1.0, nz.sigma2, 1041, 4, 5);
  EXPECT_NEAR(r.per_step, 1.7, 0.05);
  EXPECT_FALSE(r.step_ok);
  Eigen::VectorXd x = c.x0;
  try {
    minimize_diff2(c.set, x, c.options());
    FAIL() << "the guard did not refuse";
  } catch (const InvalidOption& e) {
    EXPECT_EQ(e.field(), "step_size");
    EXPECT_NE(std::string(e.what()).find("stability guard"), std::string::npos);
  }
}

TEST(Training, RegressionCaseDivergesUnguardedAndNotWhenCapped) {
  GuardCase c;
  Diff2Options o = c.options();
  std::string warning;
  o.on_warning = [&](const std::string& w) { warning = w; };
  o.guard = GuardPolicy::warn;
  Eigen::VectorXd x = c.x0;
  const Summary warned = minimize_diff2(c.set, x, o);
  EXPECT_NE(warning.find("stability guard"), std::string::npos);
  const double f0 = warned.history.front().objective;
  EXPECT_TRUE(warned.status == Status::diverged || warned.counters.at("train_loss") > 10 * f0)
      << warned.brief();
  std::printf("unguarded: %s\n", warned.brief().c_str());
  o.guard = GuardPolicy::cap;
  x = c.x0;
  const Summary capped = minimize_diff2(c.set, x, o);
  EXPECT_NE(capped.status, Status::diverged) << capped.brief();
  // Bounded (the uncapped run ends above 10 f0 or diverges).
  EXPECT_LT(capped.counters.at("train_loss"), 2 * f0) << "f0 = " << f0;
  EXPECT_LT(capped.counters.at("clip_diff_used"), 1.0);
  EXPECT_NEAR(capped.counters.at("epsilon"), 1.0, 1e-6);
}

}  // namespace
}  // namespace descent::privacy
