// CG / PCG with every preconditioner, the preconditioners themselves (also inside Eigen's CG),
// tolerance modes, warm starts, residual history and failure statuses.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>

#include <Eigen/Eigenvalues>
#include <Eigen/IterativeLinearSolvers>

#include "descent/core/callbacks.hpp"
#include "descent/core/error.hpp"
#include "descent/linalg/cg.hpp"
#include "descent/linalg/generators.hpp"
#include "descent/linalg/preconditioners.hpp"

namespace {

using namespace descent;
using namespace descent::linalg;

// An SPD test matrix that is not a plain Laplacian: a 2-D Laplacian with a random positive
// diagonal and random symmetric couplings (kept diagonally dominant).
SparseMatrix random_spd(int m, std::uint64_t seed) {
  Rng rng = make_rng(seed);
  const SparseMatrix lap = laplacian_2d(m);
  const int n = static_cast<int>(lap.rows());
  std::vector<Eigen::Triplet<double, int>> t;
  for (int k = 0; k < lap.outerSize(); ++k)
    for (SparseMatrix::InnerIterator it(lap, k); it; ++it)
      t.emplace_back(static_cast<int>(it.row()), static_cast<int>(it.col()), it.value());
  const Vector extra = uniform_vector(rng, n, 0.0, 2.0);
  for (int i = 0; i < n; ++i) t.emplace_back(i, i, extra[i]);
  std::uniform_int_distribution<int> pick(0, n - 1);
  for (int e = 0; e < n / 4; ++e) {
    const int i = pick(rng), j = pick(rng);
    if (i == j) continue;
    t.emplace_back(i, j, -0.3);
    t.emplace_back(j, i, -0.3);
    t.emplace_back(i, i, 0.3);
    t.emplace_back(j, j, 0.3);
  }
  SparseMatrix out(n, n);
  out.setFromTriplets(t.begin(), t.end());
  out.makeCompressed();
  return out;
}

std::vector<std::unique_ptr<Preconditioner>> all_preconditioners(const SparseMatrix& a) {
  std::vector<std::unique_ptr<Preconditioner>> out;
  out.push_back(std::make_unique<IdentityPreconditioner>(a));
  out.push_back(std::make_unique<JacobiPreconditioner>(a));
  out.push_back(std::make_unique<SsorPreconditioner>(a, 1.0));
  out.push_back(std::make_unique<SsorPreconditioner>(a, 1.6));
  out.push_back(std::make_unique<IncompleteCholesky>(a));
  return out;
}

TEST(Cg, EveryPreconditionerSolvesSpdSystemsToTolerance) {
  for (std::uint64_t seed : {1u, 2u}) {
    for (const SparseMatrix& a : {random_spd(20, seed), laplacian_2d(25), laplacian_3d(8)}) {
      Rng rng = make_rng(seed, {7});
      const Vector b = normal_vector(rng, a.rows());
      std::size_t plain_iterations = 0;
      for (const auto& m : all_preconditioners(a)) {
        Vector x = Vector::Zero(a.rows());
        CgOptions o;
        o.tolerance = 1e-10;
        const Summary s = conjugate_gradient(a, b, x, m.get(), o);
        ASSERT_TRUE(s.converged()) << m->name() << ": " << s.brief();
        EXPECT_LE((b - a * x).norm(), 1e-10 * b.norm()) << m->name();
        if (m->name() == "none") {
          plain_iterations = s.iterations;
        } else if (m->name() != "jacobi") {
          EXPECT_LT(s.iterations, plain_iterations) << m->name();
        }
      }
    }
  }
}

TEST(Cg, NullPreconditionerEqualsIdentity) {
  const SparseMatrix a = random_spd(12, 3);
  Rng rng = make_rng(4);
  const Vector b = normal_vector(rng, a.rows());
  Vector x1 = Vector::Zero(a.rows()), x2 = x1;
  IdentityPreconditioner id(a);
  const Summary s1 = conjugate_gradient(a, b, x1);
  const Summary s2 = conjugate_gradient(a, b, x2, &id);
  EXPECT_EQ(s1.iterations, s2.iterations);
  EXPECT_EQ((x1 - x2).norm(), 0.0);
  EXPECT_EQ(s1.method, "cg");
  EXPECT_EQ(s2.method, "pcg-none");
}

TEST(Cg, ToleranceModesWarmStartAndHistory) {
  const SparseMatrix a = laplacian_2d(30);
  Rng rng = make_rng(5);
  const Vector b = normal_vector(rng, a.rows());
  SsorPreconditioner m(a, 1.5);
  CgOptions o;
  o.record_history = true;
  Vector x = Vector::Zero(a.rows());
  const Summary cold = conjugate_gradient(a, b, x, &m, o);
  ASSERT_TRUE(cold.converged());
  const auto hist = residual_history(cold);
  ASSERT_EQ(hist.size(), cold.iterations + 1);
  EXPECT_NEAR(hist.front(), b.norm(), 1e-12 * b.norm());
  EXPECT_LE(hist.back(), 1e-8 * b.norm());
  EXPECT_EQ(cold.history[3].extras.at(0).first, "relative_residual");

  // Warm start from the solution: nothing to do (relative to ||b||).
  Vector warm = x;
  EXPECT_EQ(conjugate_gradient(a, b, warm, &m).iterations, 0u);
  // Relative to ||r0|| from a warm start demands a further 1e-8 reduction.
  Vector near = x + 1e-3 * normal_vector(rng, a.rows());
  CgOptions init;
  init.tolerance_mode = ToleranceMode::relative_initial;
  Vector near2 = near;
  const Summary s_init = conjugate_gradient(a, b, near2, &m, init);
  const Summary s_rhs = conjugate_gradient(a, b, near, &m);
  EXPECT_GT(s_init.iterations, s_rhs.iterations);
  EXPECT_LE((b - a * near2).norm(), 1e-8 * s_init.counters.at("initial_residual") * 1.000001);
  // Absolute.
  CgOptions abs;
  abs.tolerance_mode = ToleranceMode::absolute;
  abs.tolerance = 1e-6;
  Vector z = Vector::Zero(a.rows());
  ASSERT_TRUE(conjugate_gradient(a, b, z, &m, abs).converged());
  EXPECT_LE((b - a * z).norm(), 1e-6);
}

TEST(Cg, ZeroRightHandSide) {
  const SparseMatrix a = laplacian_2d(5);
  Vector x = Vector::Ones(a.rows());
  const Summary s = conjugate_gradient(a, Vector::Zero(a.rows()), x);
  EXPECT_TRUE(s.converged());
  EXPECT_EQ(x.norm(), 0.0);
}

TEST(Cg, FailuresAreStatuses) {
  // Indefinite A: p^T A p <= 0 at some point.
  const SparseMatrix indefinite = shift_diagonal(laplacian_2d(6), -3.0);
  Vector x = Vector::Zero(indefinite.rows());
  const Vector b = Vector::Ones(indefinite.rows());
  const Summary s = conjugate_gradient(indefinite, b, x);
  EXPECT_EQ(s.status, Status::failed) << s.brief();
  // The cap.
  const SparseMatrix a = laplacian_2d(20);
  CgOptions o;
  o.max_iterations = 5;
  Vector y = Vector::Zero(a.rows());
  const Summary capped = conjugate_gradient(a, Vector::Ones(a.rows()), y, nullptr, o);
  EXPECT_EQ(capped.status, Status::max_iterations);
  EXPECT_EQ(capped.iterations, 5u);
  // A callback stops the run.
  Callbacks cbs;
  cbs.emplace<StopWhen<std::function<bool(const IterationInfo&)>>>(
      [](const IterationInfo& info) { return info.iteration >= 3; }, "three is enough");
  Vector w = Vector::Zero(a.rows());
  const Summary stopped = conjugate_gradient(a, Vector::Ones(a.rows()), w, nullptr, {}, cbs);
  EXPECT_EQ(stopped.status, Status::stopped);
  EXPECT_EQ(stopped.iterations, 3u);
  EXPECT_EQ(stopped.message, "three is enough");
  // Overflow: ||b|| = inf made the relative threshold inf, and an infinite residual passed it as
  // "converged" before the Krylov core checked finiteness first.
  Vector big = Vector::Constant(a.rows(), 1e300);
  Vector z = Vector::Zero(a.rows());
  const Summary overflow = conjugate_gradient(a, big, z);
  EXPECT_EQ(overflow.status, Status::diverged) << overflow.brief();
  // p^T A p overflowing mid-run is divergence too.
  Vector large = Vector::Constant(a.rows(), 1e150);
  Vector v = Vector::Zero(a.rows());
  const Summary curvature = conjugate_gradient(SparseMatrix(a * 1e150), large, v);
  EXPECT_EQ(curvature.status, Status::diverged) << curvature.brief();
}

TEST(Cg, Misuse) {
  const SparseMatrix a = laplacian_2d(4);
  Vector x = Vector::Zero(a.rows());
  EXPECT_THROW(conjugate_gradient(a, Vector::Ones(5), x), Error);
  SsorPreconditioner wrong(laplacian_2d(3), 1.0);
  EXPECT_THROW(conjugate_gradient(a, Vector::Ones(a.rows()), x, &wrong), Error);
  CgOptions o;
  o.tolerance = -1;
  EXPECT_THROW(conjugate_gradient(a, Vector::Ones(a.rows()), x, nullptr, o), InvalidOption);
  EXPECT_THROW(SsorPreconditioner(2.5), InvalidOption);
  EXPECT_THROW(SsorPreconditioner(0.0), InvalidOption);
  SparseMatrix nonsym = a;
  nonsym.coeffRef(0, 1) = -2.0;
  EXPECT_THROW(IncompleteCholesky{nonsym}, Error);
}

TEST(Preconditioners, SsorMatchesItsDenseFormAndIsSymmetric) {
  const SparseMatrix a = random_spd(6, 8);
  const Eigen::MatrixXd dense(a);
  const double omega = 1.4;
  const Eigen::MatrixXd d = dense.diagonal().asDiagonal();
  const Eigen::MatrixXd lower = dense.triangularView<Eigen::StrictlyLower>();
  const Eigen::MatrixXd upper = dense.triangularView<Eigen::StrictlyUpper>();
  const Eigen::MatrixXd m =
      (d + omega * lower) * d.inverse() * (d + omega * upper) / (omega * (2.0 - omega));
  SsorPreconditioner p(a, omega);
  Rng rng = make_rng(9);
  const Vector r = normal_vector(rng, a.rows());
  Vector z(a.rows());
  p.apply(r.data(), z.data());
  EXPECT_LE((m * z - r).norm(), 1e-12 * r.norm());
  EXPECT_LE((m - m.transpose()).norm(), 1e-12 * m.norm());
}

TEST(Preconditioners, FusedApplyDotMatchesApplyThenDot) {
  const SparseMatrix a = random_spd(9, 12);
  Rng rng = make_rng(13);
  const Vector r = normal_vector(rng, a.rows());
  for (const auto& m : all_preconditioners(a)) {
    Vector z1(a.rows()), z2(a.rows());
    m->apply(r.data(), z1.data());
    const double rz = m->apply_dot(r.data(), z2.data());
    EXPECT_EQ((z1 - z2).norm(), 0.0) << m->name();
    EXPECT_NEAR(rz, r.dot(z1), 1e-12 * std::abs(r.dot(z1))) << m->name();
  }
}

TEST(Preconditioners, IncompleteCholeskyIsExactWithoutFill) {
  // Tridiagonal SPD: IC(0) is the exact Cholesky factor, so PCG converges in one step.
  const int n = 50;
  std::vector<Eigen::Triplet<double, int>> t;
  for (int i = 0; i < n; ++i) {
    t.emplace_back(i, i, 2.5);
    if (i > 0) t.emplace_back(i, i - 1, -1.0), t.emplace_back(i - 1, i, -1.0);
  }
  SparseMatrix a(n, n);
  a.setFromTriplets(t.begin(), t.end());
  a.makeCompressed();
  IncompleteCholesky ic(a);
  EXPECT_EQ(ic.shift(), 0.0);
  const Eigen::MatrixXd l(ic.factor());
  EXPECT_LE((l * l.transpose() - Eigen::MatrixXd(a)).norm(), 1e-12);
  Vector x = Vector::Zero(n);
  const Summary s = conjugate_gradient(a, Vector::Ones(n), x, &ic);
  EXPECT_TRUE(s.converged());
  EXPECT_EQ(s.iterations, 1u);
}

TEST(Preconditioners, IncompleteCholeskyShiftsOnBreakdown) {
  // SPD but far from an M-matrix: IC(0) without shift can meet a non-positive pivot.
  Eigen::MatrixXd dense(4, 4);
  dense << 3, -2, 0, 2, -2, 3, -2, 0, 0, -2, 3, -2, 2, 0, -2, 3;
  ASSERT_GT(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(dense).eigenvalues().minCoeff(), 0);
  const SparseMatrix a = dense.sparseView();
  IncompleteCholesky ic(a);
  Vector x = Vector::Zero(4);
  const Vector b = Vector::Ones(4);
  EXPECT_TRUE(conjugate_gradient(a, b, x, &ic).converged());
}

TEST(Preconditioners, WorkInsideEigensConjugateGradient) {
  const SparseMatrix csr = random_spd(15, 10);
  const Eigen::SparseMatrix<double> a = csr;  // column-major, as Eigen users usually have
  Rng rng = make_rng(11);
  const Eigen::VectorXd b = normal_vector(rng, a.rows());
  {
    Eigen::ConjugateGradient<Eigen::SparseMatrix<double>, Eigen::Lower | Eigen::Upper,
                             SsorPreconditioner>
        cg;
    cg.preconditioner().set_omega(1.5);
    cg.setTolerance(1e-10);
    cg.compute(a);
    const Eigen::VectorXd x = cg.solve(b);
    EXPECT_EQ(cg.info(), Eigen::Success);
    EXPECT_LE((b - a * x).norm(), 1.1e-10 * b.norm());
    Eigen::ConjugateGradient<Eigen::SparseMatrix<double>, Eigen::Lower | Eigen::Upper,
                             Eigen::IdentityPreconditioner>
        plain;
    plain.setTolerance(1e-10);
    plain.compute(a);
    const Eigen::VectorXd xp = plain.solve(b);
    EXPECT_LE((b - a * xp).norm(), 1.1e-10 * b.norm());
    EXPECT_LT(cg.iterations(), plain.iterations());
  }
  {
    Eigen::ConjugateGradient<Eigen::SparseMatrix<double>, Eigen::Lower | Eigen::Upper,
                             IncompleteCholesky>
        cg;
    cg.setTolerance(1e-10);
    cg.compute(a);
    const Eigen::VectorXd x = cg.solve(b);
    EXPECT_LE((b - a * x).norm(), 1.1e-10 * b.norm());
  }
  {
    Eigen::ConjugateGradient<Eigen::SparseMatrix<double>, Eigen::Lower | Eigen::Upper,
                             JacobiPreconditioner>
        cg;
    cg.setTolerance(1e-10);
    cg.compute(a);
    const Eigen::VectorXd x = cg.solve(b);
    EXPECT_LE((b - a * x).norm(), 1.1e-10 * b.norm());
  }
}

}  // namespace
