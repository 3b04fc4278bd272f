// Generators (Laplacians, shifts, truncated Gaussians, the heat equation) and the sequence
// runner.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include <Eigen/SparseCholesky>

#include "descent/core/error.hpp"
#include "descent/linalg/generators.hpp"
#include "descent/linalg/sequence.hpp"
#include "descent/linalg/sor.hpp"
#include "descent/linalg/spectral.hpp"

namespace {

using namespace descent;
using namespace descent::linalg;

TEST(Generators, Laplacians) {
  const SparseMatrix a = laplacian_2d(10);
  EXPECT_EQ(a.rows(), 100);
  EXPECT_EQ(a.nonZeros(), 5 * 100 - 4 * 10);
  EXPECT_TRUE(is_symmetric(a));
  EXPECT_EQ(a.coeff(0, 0), 4.0);
  EXPECT_EQ(a.coeff(0, 1), -1.0);
  EXPECT_EQ(a.coeff(0, 10), -1.0);
  EXPECT_EQ(a.coeff(9, 10), 0.0);  // no wrap-around between grid lines
  const SparseMatrix b = laplacian_3d(5);
  EXPECT_EQ(b.rows(), 125);
  EXPECT_EQ(b.coeff(0, 0), 6.0);
  EXPECT_EQ(b.nonZeros(), 7 * 125 - 6 * 25);
  EXPECT_THROW(laplacian_2d(0), Error);
  const SparseMatrix s = shift_diagonal(a, 0.25);
  EXPECT_EQ(s.coeff(5, 5), 4.25);
  EXPECT_EQ(s.coeff(5, 6), -1.0);
}

TEST(Generators, ShiftDistributionsAndTruncatedNormal) {
  Rng rng = make_rng(1);
  for (const auto& [dist, mean] : {std::pair{ShiftDistribution::low_variance(), 0.25},
                                   std::pair{ShiftDistribution::high_variance(), 0.25}}) {
    double sum = 0.0;
    for (int i = 0; i < 20000; ++i) {
      const double c = dist.sample(rng);
      ASSERT_GE(c, -0.15);
      ASSERT_LE(c, 0.45);
      sum += (c + 0.15) / 0.6;
    }
    EXPECT_NEAR(sum / 20000, mean, 0.01);  // Beta(2,6) and Beta(1/2,3/2) both have mean 1/4
  }
  EXPECT_THROW(ShiftDistribution::named("medium"), Error);
  for (int i = 0; i < 100; ++i) EXPECT_LE(truncated_normal(rng, 100).norm(), 10.0);
}

TEST(Heat2D, CoefficientForcingAndInitialCondition) {
  EXPECT_NEAR(Heat2D::diffusion(0.25), 0.1, 1e-15);
  EXPECT_NEAR(Heat2D::diffusion(0.75), 10.0, 1e-12);
  EXPECT_EQ(Heat2D::diffusion(0.0), 0.0);
  const auto [lo, hi] = Heat2D::diffusion_range(5000, 1e-3);
  EXPECT_NEAR(lo, 0.0, 1e-12);
  EXPECT_NEAR(hi, 10.0, 1e-5);
  // At t = 0 the forcing bump is centred at (0.75, 0.5) with peak 32.
  EXPECT_NEAR(Heat2D::forcing(0.0, 0.75, 0.5), 32.0, 1e-12);
  EXPECT_EQ(Heat2D::forcing(0.0, 0.5, 0.5), 0.0);
  Heat2D pde({.nx = 20, .dt = 1e-3});
  EXPECT_EQ(pde.size(), 19 * 19);
  EXPECT_NEAR(pde.state()[9 * 19 + 9], 1.0, 1e-15);  // centre of the initial bump: e^0
}

TEST(Heat2D, CrankNicolsonSystemMatchesItsDefinition) {
  Heat2D pde({.nx = 16, .dt = 1e-3});
  SparseMatrix a;
  Vector b;
  for (int step = 0; step < 300; ++step) {  // advance into the large-kappa half of the period
    pde.system(a, b);
    Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> direct(a);
    pde.advance(direct.solve(b));
  }
  pde.system(a, b);
  const double t = pde.time() + 0.5e-3, kappa = Heat2D::diffusion(t);
  const Eigen::Index n = pde.size();
  const SparseMatrix id = Eigen::MatrixXd::Identity(n, n).sparseView();
  const SparseMatrix expected_a = id - 0.5 * kappa * 1e-3 * pde.laplacian();
  EXPECT_LE((Eigen::MatrixXd(a) - Eigen::MatrixXd(expected_a)).norm(), 1e-12);
  Vector f(n);
  const int m = 15;
  for (int i = 1; i <= m; ++i)
    for (int j = 1; j <= m; ++j) f[(i - 1) * m + (j - 1)] = Heat2D::forcing(t, i / 16.0, j / 16.0);
  const Vector expected_b =
      pde.state() + 0.5 * kappa * 1e-3 * (pde.laplacian() * pde.state()) + 1e-3 * f;
  EXPECT_LE((b - expected_b).norm(), 1e-12 * expected_b.norm());
  EXPECT_TRUE(is_symmetric(a));
  EXPECT_GT(jacobi_spectral_radius(a), 0.0);
}

TEST(Sequence, FixedPolicyEqualsDirectSolves) {
  const SparseMatrix base = laplacian_2d(10);
  SequenceOptions o;
  o.solver = RelaxedSolver::sor;
  o.policy = OmegaPolicy::fixed;
  o.fixed_omega = 1.6;
  SequenceRunner run(o);
  Rng rng = make_rng(2);
  for (int t = 0; t < 10; ++t) {
    const SparseMatrix a = shift_diagonal(base, 0.05 * t);
    const Vector b = truncated_normal(rng, a.rows());
    Vector x = Vector::Zero(a.rows()), y = x;
    const StepRecord r = run.step(a, b, x);
    SorOptions so;
    so.omega = 1.6;
    EXPECT_EQ(r.iterations, sor(a, b, y, so).iterations);
    EXPECT_EQ(r.cost, r.iterations);
    EXPECT_EQ(r.omega, 1.6);
  }
  EXPECT_EQ(run.records().size(), 10u);
  EXPECT_EQ(run.learner(), nullptr);
}

TEST(Sequence, OptimalPolicyUsesYoungsOmega) {
  SequenceOptions o;
  o.solver = RelaxedSolver::sor;
  o.policy = OmegaPolicy::optimal;
  SequenceRunner run(o);
  const SparseMatrix a = shift_diagonal(laplacian_2d(10), 0.1);
  Vector x = Vector::Zero(a.rows());
  const StepRecord r = run.step(a, Vector::Ones(a.rows()), x);
  EXPECT_NEAR(r.omega, optimal_sor_omega(a), 1e-15);
  EXPECT_EQ(r.status, Status::converged);
}

TEST(Sequence, BanditPoliciesLearnAndWarmStart) {
  // SSOR-CG on a heat sequence with warm starts; every learner must keep solving to tolerance.
  for (OmegaPolicy policy : {OmegaPolicy::tsallis, OmegaPolicy::tsallis_cb, OmegaPolicy::chebcb}) {
    SequenceOptions o;
    o.policy = policy;
    o.context_lo = 0.0;
    o.context_hi = 10.0;
    o.seed = 3;
    SequenceRunner run(o);
    Heat2D pde({.nx = 20, .dt = 1e-3});
    SparseMatrix a;
    Vector b;
    for (int t = 0; t < 60; ++t) {
      pde.system(a, b);
      Vector x = pde.state();
      const StepRecord r = run.step(a, b, x, pde.context());
      ASSERT_EQ(r.status, Status::converged);
      EXPECT_LE((b - a * x).norm(), 1e-8 * b.norm() * 1.0000001);
      EXPECT_EQ(r.omega, o.grid[r.arm]);
      pde.advance(x);
    }
    ASSERT_NE(run.learner(), nullptr);
    EXPECT_EQ(run.learner()->rounds(), 60u);
    EXPECT_GT(run.total_iterations(), 0u);
  }
  SequenceOptions bad;
  bad.policy = OmegaPolicy::chebcb;  // no context range
  EXPECT_THROW(SequenceRunner{bad}, InvalidOption);
  EXPECT_THROW(relaxed_solver_from_string("gmres"), Error);
}

}  // namespace

namespace {

TEST(Sequence, EachSystemMayBeAFreshMatrix) {
  // The CLI reads every system into a new matrix that dies after the step; the runner must not
  // touch the previous one (regression: set_omega used to rescale the old, freed matrix).
  using namespace descent;
  using namespace descent::linalg;
  SequenceOptions o;
  o.policy = OmegaPolicy::tsallis;
  SequenceRunner run(o);
  Rng rng = make_rng(4);
  for (int t = 0; t < 20; ++t) {
    auto a = std::make_unique<SparseMatrix>(shift_diagonal(laplacian_2d(6 + t % 3), 0.1));
    const Vector b = normal_vector(rng, a->rows());
    Vector x = Vector::Zero(a->rows());
    EXPECT_EQ(run.step(*a, b, x).status, Status::converged);
    a.reset();
  }
}

}  // namespace
