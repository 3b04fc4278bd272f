// SOR/SSOR iterations: exact agreement with a straightforward port of Algorithm 1, the SSOR
// splitting, tolerance modes, warm starts and misuse.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <Eigen/Dense>

#include "descent/core/error.hpp"
#include "descent/linalg/generators.hpp"
#include "descent/linalg/sor.hpp"

namespace {

using namespace descent;
using namespace descent::linalg;

// A literal port of the paper's sor.m on dense arrays: M = D/omega + L; x += M \ r;
// r = b - A x; stop when ||r|| <= tol ||r0||. Plain loops in ascending column order.
std::size_t reference_sor(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, double omega,
                          double tol, std::size_t cap = 10000) {
  const Eigen::Index n = a.rows();
  std::vector<double> x(n, 0.0), r(n), d(n);
  auto residual = [&] {
    double nrm = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      double s = 0.0;
      for (Eigen::Index j = 0; j < n; ++j) s += a(i, j) * x[j];
      r[i] = b[i] - s;
      nrm += r[i] * r[i];
    }
    return std::sqrt(nrm);
  };
  const double r0 = residual();
  for (std::size_t k = 1; k <= cap; ++k) {
    for (Eigen::Index i = 0; i < n; ++i) {
      double s = r[i];
      for (Eigen::Index j = 0; j < i; ++j) s -= a(i, j) * d[j];
      d[i] = s / (a(i, i) / omega);
    }
    for (Eigen::Index i = 0; i < n; ++i) x[i] += d[i];
    if (residual() <= tol * r0) return k;
  }
  return cap;
}

TEST(Sor, CountsEqualAReferencePortOfAlgorithm1) {
  Rng rng = make_rng(42);
  const SparseMatrix base = laplacian_2d(10);
  for (double c : {-0.15, 0.0, 0.2, 0.45}) {
    const SparseMatrix a = shift_diagonal(base, c);
    const Eigen::MatrixXd dense(a);
    const Vector b = truncated_normal(rng, a.rows());
    for (double omega : {1.0, 1.2, 1.4, 1.6, 1.8, 1.95}) {
      SorOptions o;
      o.omega = omega;
      Vector x = Vector::Zero(a.rows());
      const Summary s = sor(a, b, x, o);
      ASSERT_TRUE(s.converged()) << s.brief();
      EXPECT_EQ(s.iterations, reference_sor(dense, b, omega, 1e-8))
          << "c " << c << " omega " << omega;
      // The reusable solver gives the same count.
      SorSolver solver(a);
      Vector y = Vector::Zero(a.rows());
      EXPECT_EQ(solver.solve(b, y, o).iterations, s.iterations);
      EXPECT_EQ((x - y).norm(), 0.0);
    }
  }
}

TEST(Sor, OmegaOneIsGaussSeidelAndSolves) {
  const SparseMatrix a = laplacian_2d(8);
  Rng rng = make_rng(1);
  const Vector b = normal_vector(rng, a.rows());
  Vector x = Vector::Zero(a.rows());
  SorOptions o;
  o.tolerance = 1e-10;
  o.record_history = true;
  const Summary s = sor(a, b, x, o);
  ASSERT_TRUE(s.converged());
  EXPECT_LE((b - a * x).norm(), 1e-10 * b.norm() * 1.0000001);
  ASSERT_EQ(s.history.size(), s.iterations);
  EXPECT_NEAR(s.history.back().gradient_norm, (b - a * x).norm(), 1e-12);
}

TEST(Sor, SymmetricSorMatchesTheSplitting) {
  // One SSOR step equals x + W_ssor^{-1} r with W_ssor = (omega/(2-omega)) W D^{-1} W^T.
  const SparseMatrix a = shift_diagonal(laplacian_2d(5), 0.3);
  const Eigen::MatrixXd dense(a);
  const double omega = 1.3;
  Eigen::MatrixXd w = dense.triangularView<Eigen::StrictlyLower>();
  w.diagonal() = dense.diagonal() / omega;
  const Eigen::MatrixXd dinv = dense.diagonal().cwiseInverse().asDiagonal();
  const Eigen::MatrixXd wssor = omega / (2.0 - omega) * w * dinv * w.transpose();
  Rng rng = make_rng(2);
  const Vector b = normal_vector(rng, a.rows());
  Vector x = Vector::Zero(a.rows());
  SorOptions o;
  o.omega = omega;
  o.symmetric = true;
  o.max_iterations = 1;
  sor(a, b, x, o);
  const Vector expected = wssor.lu().solve(b);
  EXPECT_LE((x - expected).norm(), 1e-12 * expected.norm());
  // And it converges, in fewer iterations than plain SOR at this omega.
  o.max_iterations = 10000;
  Vector xs = Vector::Zero(a.rows());
  EXPECT_TRUE(sor(a, b, xs, o).converged());
}

TEST(Sor, ToleranceModesAndWarmStart) {
  const SparseMatrix a = laplacian_2d(10);
  Rng rng = make_rng(3);
  const Vector b = normal_vector(rng, a.rows());
  SorOptions o;
  o.omega = 1.5;
  Vector x = Vector::Zero(a.rows());
  const Summary cold = sor(a, b, x, o);
  ASSERT_TRUE(cold.converged());
  // From the answer the initial residual already passes an absolute test.
  SorOptions abs = o;
  abs.tolerance_mode = ToleranceMode::absolute;
  abs.tolerance = 1e-6;
  Vector warm = x;
  EXPECT_EQ(sor(a, b, warm, abs).iterations, 0u);
  // A perturbed warm start needs fewer iterations than a cold one for the same absolute target.
  abs.tolerance = 1e-7 * b.norm();
  Vector near = x + 1e-4 * normal_vector(rng, a.rows());
  Vector zero = Vector::Zero(a.rows());
  EXPECT_LT(sor(a, b, near, abs).iterations, sor(a, b, zero, abs).iterations);
}

TEST(Sor, CapAndDivergenceAreStatuses) {
  const SparseMatrix a = laplacian_2d(10);
  const Vector b = Vector::Ones(a.rows());
  SorOptions o;
  o.max_iterations = 3;
  Vector x = Vector::Zero(a.rows());
  const Summary s = sor(a, b, x, o);
  EXPECT_EQ(s.status, Status::max_iterations);
  EXPECT_EQ(s.iterations, 3u);
  // Indefinite: a large negative shift makes SOR blow up.
  const SparseMatrix bad = shift_diagonal(a, -3.9);
  Vector y = Vector::Zero(a.rows());
  o.max_iterations = 100000;
  o.omega = 1.9;
  EXPECT_EQ(sor(bad, b, y, o).status, Status::diverged);
}

TEST(Sor, Misuse) {
  const SparseMatrix a = laplacian_2d(4);
  Vector x = Vector::Zero(a.rows());
  SorOptions o;
  o.omega = 2.0;
  EXPECT_THROW(sor(a, Vector::Ones(a.rows()), x, o), InvalidOption);
  o.omega = 1.0;
  EXPECT_THROW(sor(a, Vector::Ones(3), x, o), Error);
  SparseMatrix rect(3, 4);
  rect.makeCompressed();
  Vector x3 = Vector::Zero(3);
  EXPECT_THROW(sor(rect, Vector::Ones(3), x3, o), Error);
  SparseMatrix no_diag = a;
  no_diag.coeffRef(2, 2) = 0.0;  // stored zero: not positive
  EXPECT_THROW(sor(no_diag, Vector::Ones(a.rows()), x, o), Error);
}

}  // namespace

namespace {

TEST(Sor, GridSolveEqualsScalarSolvesBitForBit) {
  using namespace descent;
  using namespace descent::linalg;
  Rng rng = make_rng(77);
  const SparseMatrix base = laplacian_2d(10);
  const std::vector<double> omegas = {1.0, 1.05, 1.3, 1.5, 1.7, 1.75, 1.9, 1.95, 0.8, 1.62};
  for (int trial = 0; trial < 20; ++trial) {
    const double c = ShiftDistribution::high_variance().sample(rng);
    const SparseMatrix a = shift_diagonal(base, c);
    const Vector b = truncated_normal(rng, a.rows());
    SorSolver solver(a);
    SorOptions o;
    if (trial % 3 == 0) o.max_iterations = 150;  // some lanes hit the cap
    const auto grid = solver.solve_grid(b, Vector::Zero(a.rows()), omegas, o);
    ASSERT_EQ(grid.size(), omegas.size());
    for (std::size_t i = 0; i < omegas.size(); ++i) {
      o.omega = omegas[i];
      Vector x = Vector::Zero(a.rows());
      const SorResult one = solver.solve(b, x, o);
      EXPECT_EQ(grid[i].status, one.status) << omegas[i];
      EXPECT_EQ(grid[i].iterations, one.iterations) << omegas[i];
      EXPECT_EQ(grid[i].residual, one.residual) << omegas[i];
    }
  }
  SorSolver solver(base);
  SorOptions sym;
  sym.symmetric = true;
  EXPECT_THROW(solver.solve_grid(Vector::Ones(100), Vector::Zero(100), omegas, sym), Error);
}

}  // namespace
