// SubGM and the l2 baseline: operator algebra, (sub)gradients by finite differences (S7),
// schedules, noise models, and a unit-size recovery (d = 20, r = 2, m = 400).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <Eigen/SVD>

#include "descent/core/error.hpp"
#include "descent/recovery/l2_gd.hpp"
#include "descent/recovery/losses.hpp"
#include "descent/recovery/problem.hpp"
#include "descent/recovery/subgm.hpp"

namespace descent::recovery {
namespace {

TEST(Measurements, PackedOperatorMatchesExplicitSums) {
  const Eigen::Index d = 7, m = 23;
  Rng rng = make_rng(5);
  std::vector<Eigen::MatrixXd> A;
  Eigen::MatrixXd stacked(m, d * d);
  for (Eigen::Index i = 0; i < m; ++i) {
    A.push_back(normal_matrix(rng, d, d));
    stacked.row(i) = Eigen::Map<const Eigen::RowVectorXd>(A.back().data(), d * d);
  }
  const DenseMeasurements op(stacked);
  const Eigen::MatrixXd U = normal_matrix(rng, d, 3);
  const Eigen::MatrixXd X = U * U.transpose();
  const Eigen::VectorXd w = normal_vector(rng, m);
  Eigen::MatrixXd S_ref = Eigen::MatrixXd::Zero(d, d);
  for (Eigen::Index i = 0; i < m; ++i) S_ref += w[i] * (A[i] + A[i].transpose());
  for (int threads : {1, 2, 3}) {
    Eigen::VectorXd out(m);
    op.apply(X, out, threads);
    for (Eigen::Index i = 0; i < m; ++i)
      EXPECT_NEAR(out[i], (A[i].array() * X.array()).sum(), 1e-12);
    Eigen::MatrixXd S(d, d);
    op.adjoint(w, S, threads);
    EXPECT_LT((S - S_ref).norm(), 1e-12);
  }
  // The transposed (row-major) vec order and the (m, d, d) array give the same operator.
  Eigen::MatrixXd stacked_t(m, d * d);
  std::vector<double> array;
  for (Eigen::Index i = 0; i < m; ++i) {
    const Eigen::MatrixXd At = A[i].transpose();
    stacked_t.row(i) = Eigen::Map<const Eigen::RowVectorXd>(At.data(), d * d);
    for (Eigen::Index j = 0; j < d; ++j)
      for (Eigen::Index k = 0; k < d; ++k) array.push_back(A[i](j, k));
  }
  EXPECT_EQ(DenseMeasurements(stacked_t).packed(), op.packed());
  EXPECT_EQ(DenseMeasurements::from_array(array.data(), m, d).packed(), op.packed());
  EXPECT_THROW(DenseMeasurements(Eigen::MatrixXd(3, 10)), Error);
}

TEST(Measurements, MemoryIsCheckedBeforeAllocating) {
  Rng rng = make_rng(1);
  try {
    DenseMeasurements::random(1000, 100000, rng);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GiB"), std::string::npos) << e.what();
  }
}

TEST(Measurements, RandomPrefixDoesNotDependOnM) {
  Rng a = make_rng(3), b = make_rng(3);
  const auto small = DenseMeasurements::random(6, 10, a);
  const auto large = DenseMeasurements::random(6, 25, b);
  EXPECT_EQ(small.packed(), large.packed().topRows(10));
  Rng c = make_rng(3);
  const auto sym = DenseMeasurements::random(6, 10, c, Ensemble::symmetric);
  EXPECT_LT((sym.packed() - std::sqrt(2.0) * small.packed()).norm(), 1e-12);
}

// S7: the sub-gradient matches central differences of f_l1 at a random U (no ties).
TEST(Losses, SubgradientMatchesFiniteDifferences) {
  SyntheticOptions o;
  o.dimension = 12;
  o.rank = 2;
  o.measurements = 150;
  o.noise.outlier_probability = 0.2;
  const RecoveryProblem p = make_synthetic_problem(o, 7);
  Rng rng = make_rng(8);
  const Eigen::MatrixXd U = normal_matrix(rng, 12, 4);
  LossWorkspace ws;
  Eigen::MatrixXd D;
  l1_loss_subgradient(*p.op, p.y, U, D, ws);
  ASSERT_GT(ws.residual.cwiseAbs().minCoeff(), 1e-6);  // tie-free point
  const double h = 1e-6;
  for (int trial = 0; trial < 5; ++trial) {
    const Eigen::MatrixXd E = normal_matrix(rng, 12, 4);
    const double fd =
        (l1_loss(*p.op, p.y, U + h * E, ws) - l1_loss(*p.op, p.y, U - h * E, ws)) / (2 * h);
    const double an = (D.array() * E.array()).sum();
    EXPECT_LE(std::abs(fd - an), 1e-6 * std::abs(an)) << fd << " vs " << an;
  }
  // The l2 gradient, likewise.
  l2_loss_gradient(*p.op, p.y, U, D, ws);
  const Eigen::MatrixXd E = normal_matrix(rng, 12, 4);
  const double fd =
      (l2_loss(*p.op, p.y, U + h * E, ws) - l2_loss(*p.op, p.y, U - h * E, ws)) / (2 * h);
  EXPECT_NEAR(fd, (D.array() * E.array()).sum(), 1e-6 * std::abs(fd));
}

TEST(Schedule, GeometricAndWarmup) {
  StepSchedule g;
  EXPECT_DOUBLE_EQ(g.step(0), 0.5);
  EXPECT_DOUBLE_EQ(g.step(2), 0.5 * 0.99 * 0.99);
  EXPECT_NEAR(g.step_sum(100000), 50.0, 1e-9);
  EXPECT_TRUE(g.from_paper());
  const StepSchedule w = StepSchedule::parse("warmup:eta0=0.4,t0=10");
  EXPECT_FALSE(w.from_paper());
  EXPECT_DOUBLE_EQ(w.rho, 0.95);
  EXPECT_DOUBLE_EQ(w.step(9), 0.4);
  EXPECT_DOUBLE_EQ(w.step(10), 0.4 * 0.95);
  double sum = 0;
  for (std::size_t t = 0; t < 50; ++t) sum += w.step(t);
  EXPECT_NEAR(w.step_sum(50), sum, 1e-12);
  EXPECT_NE(w.to_string().find("not from the paper"), std::string::npos);
  EXPECT_EQ(StepSchedule::parse("geometric:rho=0.98").rho, 0.98);
  EXPECT_THROW(StepSchedule::parse("geometric:rho=1.5"), InvalidOption);
  EXPECT_THROW(StepSchedule::parse("cosine"), Error);
  EXPECT_THROW(StepSchedule::parse("geometric:t0=5"), Error);
  // The spec's escape numbers at the section 1.5 setup: ~52 for alpha = 1e-12, p = 0.1.
  EXPECT_NEAR(escape_step_sum(std::sqrt(1 + 0.5625 + 0.25), 0.5, 1e-12, phi_lower_bound(0.1)), 52,
              1.0);
}

TEST(Problem, NoiseModels) {
  NoiseModel n;
  n.parse("outliers:p=0.25");
  n.parse("gaussian:p=0.5,nu=2");
  EXPECT_EQ(n.outlier_probability, 0.25);
  EXPECT_EQ(n.gaussian_std, 2.0);
  EXPECT_THROW(n.parse("outliers:q=1"), Error);
  EXPECT_THROW(n.parse("laplace:p=1"), Error);
  n.gaussian_probability = 0;
  Rng rng = make_rng(2);
  const Eigen::VectorXd s = generate_noise(n, 20000, 1.0, rng);
  const double frac = (s.array() != 0).cast<double>().mean();
  EXPECT_NEAR(frac, 0.25, 0.01);
  const double sd = std::sqrt((s.array().square()).sum() / (s.array() != 0).count());
  EXPECT_NEAR(sd, 10.0, 0.3);
}

TEST(Problem, GroundTruthSpectrum) {
  Rng rng = make_rng(4);
  const Eigen::MatrixXd U = random_ground_truth(30, default_eigenvalues(3), rng);
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(U * U.transpose());
  EXPECT_NEAR(svd.singularValues()[0], 1.0, 1e-12);
  EXPECT_NEAR(svd.singularValues()[1], 0.75, 1e-12);
  EXPECT_NEAR(svd.singularValues()[2], 0.5, 1e-12);
  EXPECT_NEAR(svd.singularValues()[3], 0.0, 1e-12);
}

TEST(Subgm, SmallInitializationHasSpectralNormAlpha) {
  Rng rng = make_rng(1);
  const Eigen::MatrixXd U = small_initialization(20, 5, 1e-9, rng);
  EXPECT_NEAR(Eigen::JacobiSVD<Eigen::MatrixXd>(U).singularValues()(0), 1e-9, 1e-21);
}

// The spec's unit size: d = 20, r = 2, m = 400, p = 0.1 outliers, warm-up schedule;
// r' in {2, 5} reaches 1e-6 at t ~ 343-345 (10% slack: 380).
class SubgmUnit : public ::testing::TestWithParam<int> {};

TEST_P(SubgmUnit, RecoversWithOverParameterization) {
  SyntheticOptions o;
  o.dimension = 20;
  o.rank = 2;
  o.measurements = 400;
  o.noise.outlier_probability = 0.1;
  const RecoveryProblem p = make_synthetic_problem(o, 1);
  Rng rng = make_rng(1, {4});
  Eigen::MatrixXd U = small_initialization(20, GetParam(), 1e-12, rng);
  SubgmOptions so;
  so.schedule = StepSchedule::parse("warmup");
  so.max_iterations = 400;
  so.record_history = true;
  so.history_stride = 50;
  const Summary s = minimize_subgm(*p.op, p.y, U, so, {}, &p.X_star);
  EXPECT_EQ(s.status, Status::converged) << s.brief();
  EXPECT_LE(s.counters.at("iterations_to_tolerance"), 380);
  EXPECT_EQ(s.counters.at("escaped"), 1.0);
  EXPECT_EQ(s.history.front().iteration, 0u);
  EXPECT_EQ(s.history.back().iteration, 400u);
  // Two threads give the same iterates.
  Rng rng2 = make_rng(1, {4});
  Eigen::MatrixXd U2 = small_initialization(20, GetParam(), 1e-12, rng2);
  so.threads = 2;
  so.record_history = false;
  minimize_subgm(*p.op, p.y, U2, so, {}, &p.X_star);
  EXPECT_EQ(U, U2);
}

INSTANTIATE_TEST_SUITE_P(Ranks, SubgmUnit, ::testing::Values(2, 5));

TEST(Subgm, TooFastDecayIsStalled) {
  SyntheticOptions o;
  o.dimension = 20;
  o.rank = 2;
  o.measurements = 400;
  const RecoveryProblem p = make_synthetic_problem(o, 2);
  Rng rng = make_rng(2, {4});
  Eigen::MatrixXd U = small_initialization(20, 3, 1e-9, rng);
  SubgmOptions so;
  so.schedule.rho = 0.9;  // step sum 5: far below the escape budget
  so.max_iterations = 300;
  const Summary s = minimize_subgm(*p.op, p.y, U, so, {}, &p.X_star);
  EXPECT_EQ(s.status, Status::stalled) << s.brief();
}

TEST(Subgm, StepToleranceWithoutReference) {
  SyntheticOptions o;
  o.dimension = 20;
  o.rank = 2;
  o.measurements = 400;
  const RecoveryProblem p = make_synthetic_problem(o, 3);
  Rng rng = make_rng(3, {4});
  Eigen::MatrixXd U = small_initialization(20, 2, 1e-12, rng);
  SubgmOptions so;
  so.schedule = StepSchedule::parse("warmup");
  so.step_tolerance = 1e-8;
  so.max_iterations = 5000;
  const Summary s = minimize_subgm(*p.op, p.y, U, so);
  EXPECT_EQ(s.status, Status::converged) << s.brief();
  EXPECT_LT(s.iterations, 5000u);
  EXPECT_LT(relative_error(U, p.X_star), 1e-6);
}

TEST(L2Gd, ExactRankConvergesAndOutliersBreakIt) {
  SyntheticOptions o;
  o.dimension = 20;
  o.rank = 2;
  o.measurements = 400;
  const RecoveryProblem clean = make_synthetic_problem(o, 4);
  Rng rng = make_rng(4, {4});
  Eigen::MatrixXd U = small_initialization(20, 2, 1e-3, rng);
  L2GdOptions lo;
  lo.max_iterations = 300;
  const Summary s = minimize_l2_gd(*clean.op, clean.y, U, lo, {}, &clean.X_star);
  EXPECT_EQ(s.status, Status::converged) << s.brief();
  o.noise.outlier_probability = 0.1;
  const RecoveryProblem dirty = make_synthetic_problem(o, 4);
  Rng rng2 = make_rng(4, {4});
  Eigen::MatrixXd V = small_initialization(20, 2, 1e-3, rng2);
  lo.step_size = 0.05;
  minimize_l2_gd(*dirty.op, dirty.y, V, lo, {}, &dirty.X_star);
  EXPECT_GT(relative_error(V, dirty.X_star), 0.5);
  lo.step_size = 50;  // far above the stability bound
  Eigen::MatrixXd W = small_initialization(20, 2, 1e-1, rng2);
  EXPECT_EQ(minimize_l2_gd(*clean.op, clean.y, W, lo, {}, &clean.X_star).status, Status::diverged);
}

TEST(Subgm, InvalidOptionsNameTheField) {
  SubgmOptions so;
  so.schedule.rho = 1.0;
  try {
    so.validate();
    FAIL();
  } catch (const InvalidOption& e) {
    EXPECT_EQ(e.field(), "schedule.rho");
  }
  Rng rng = make_rng(1);
  EXPECT_THROW(small_initialization(5, 6, 1e-3, rng), InvalidOption);
  EXPECT_THROW(small_initialization(5, 2, 0.0, rng), InvalidOption);
}

}  // namespace
}  // namespace descent::recovery
