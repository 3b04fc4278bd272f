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

// The realised noise of round 1 in the released average: the same run with and without noise
// starts from the same x0 and the same clipped means, so x_clean - x_noisy = eta * noise.
Eigen::VectorXd first_round_noise(const Task& task, NoiseModel model, double epsilon,
                                  std::uint64_t seed, Summary* out = nullptr) {
  DpGdOptions o;
  o.rounds = 1;
  o.step_size = 1.0;
  o.clip = 0.5;
  o.seed = seed;
  o.eval_every = 0;
  o.budget.epsilon = epsilon;
  o.noise_model = model;
  Eigen::VectorXd noisy = task.x0, clean = task.x0;
  const Summary s = minimize_dp_gd(task.set, noisy, o);
  if (out) *out = s;
  o.noise_multiplier = 0.0;
  minimize_dp_gd(task.set, clean, o);
  return clean - noisy;
}

double sample_std(const std::vector<Eigen::VectorXd>& draws) {
  double sum2 = 0;
  Eigen::Index count = 0;
  for (const auto& v : draws) sum2 += v.squaredNorm(), count += v.size();
  return std::sqrt(sum2 / double(count));
}

// Acceptance 2 of issue 16: at equal epsilon the central model's noise in the average is 1/sqrt(P)
// of the local model's, and the accountant reports the same epsilon for both.
TEST(Training, CentralNoiseIsOneOverSqrtPOfLocalInTheAverage) {
  const int P = 4;
  Task task({50, 20}, P, 30);  // d = 1061: many noise coordinates per round
  std::vector<Eigen::VectorXd> local, central;
  Summary sl, sc;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    local.push_back(first_round_noise(task, NoiseModel::local, 1.0, seed, &sl));
    central.push_back(first_round_noise(task, NoiseModel::central, 1.0, seed, &sc));
  }
  // Exact bookkeeping: calibrated with n P records, sigma is 1/P of local's, so the noise std in
  // the average (sigma C once, against sigma C / sqrt(P)) is 1/sqrt(P) of local's.
  EXPECT_NEAR(sc.counters.at("noise_std_average") / sl.counters.at("noise_std_average"),
              1.0 / std::sqrt(double(P)), 1e-9);
  EXPECT_NEAR(sc.counters.at("sigma") / sl.counters.at("sigma"), 1.0 / P, 1e-9);
  EXPECT_EQ(sc.counters.at("privacy_n"), 30.0 * P);
  EXPECT_EQ(sl.counters.at("privacy_n"), 30.0);
  EXPECT_EQ(sc.counters.at("noise_central"), 1.0);
  EXPECT_EQ(sl.counters.at("noise_central"), 0.0);
  // The same epsilon for both: calibration at epsilon = 1 over one round.
  EXPECT_NEAR(sl.counters.at("epsilon"), 1.0, 1e-6);
  EXPECT_NEAR(sc.counters.at("epsilon"), 1.0, 1e-6);
  // The realised noise (4 x 1061 draws each: a 1.1 % standard error on a std) matches.
  const double measured_local = sample_std(local), measured_central = sample_std(central);
  EXPECT_NEAR(measured_local / sl.counters.at("noise_std_average"), 1.0, 0.05);
  EXPECT_NEAR(measured_central / sc.counters.at("noise_std_average"), 1.0, 0.05);
  EXPECT_NEAR(measured_central / measured_local, 0.5, 0.05);
}

TEST(Training, CentralNoiseInDiff2AndItsGuard) {
  const int P = 4;
  Task task({6, 5}, P, 80);
  Diff2Options o;
  o.rounds = 30;
  o.restart = 5;
  o.step_size = 0.3;
  o.clip_diff = 1.0;
  o.guard = GuardPolicy::warn;
  o.on_warning = [](const std::string&) {};
  Eigen::VectorXd xl = task.x0, xc = task.x0;
  const Summary sl = minimize_diff2(task.set, xl, o);
  o.noise_model = NoiseModel::central;
  const Summary sc = minimize_diff2(task.set, xc, o);
  EXPECT_NEAR(sc.counters.at("epsilon"), sl.counters.at("epsilon"), 1e-9);
  EXPECT_NEAR(sc.counters.at("sigma1") / sl.counters.at("sigma1"), 1.0 / P, 1e-9);
  EXPECT_NEAR(sc.counters.at("sigma2") / sl.counters.at("sigma2"), 1.0 / P, 1e-9);
  EXPECT_NEAR(sc.counters.at("noise_std_average") / sl.counters.at("noise_std_average"), 0.5, 1e-9);
  // The guard counts one noise source in the average: eta C2 sigma2 sqrt(d / 1).
  const double d = double(task.shape.dimension());
  EXPECT_NEAR(sc.counters.at("guard_per_step"), 0.3 * 1.0 * sc.counters.at("sigma2") * std::sqrt(d),
              1e-12);
  EXPECT_NEAR(sl.counters.at("guard_per_step"),
              0.3 * 1.0 * sl.counters.at("sigma2") * std::sqrt(d / P), 1e-12);
  EXPECT_NE(xl, xc);
  EXPECT_NE(sc.message.find("central noise"), std::string::npos) << sc.message;
}

// With one worker the two models release the same amount of noise (only the streams differ).
TEST(Training, CentralAndLocalAgreeOnOneWorker) {
  Task task({6, 5}, 1, 60);
  Summary sl, sc;
  first_round_noise(task, NoiseModel::local, 2.0, 3, &sl);
  first_round_noise(task, NoiseModel::central, 2.0, 3, &sc);
  EXPECT_DOUBLE_EQ(sl.counters.at("sigma"), sc.counters.at("sigma"));
  EXPECT_DOUBLE_EQ(sl.counters.at("noise_std_average"), sc.counters.at("noise_std_average"));
}

}  // namespace
}  // namespace descent::privacy
