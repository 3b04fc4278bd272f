#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <memory>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/problems/logsumexp.hpp"
#include "descent/problems/nonlinear_equations.hpp"
#include "descent/problems/regression.hpp"
#include "fd.hpp"

namespace descent::problems {
namespace {

using testing::fd_gradient;
using testing::fd_hessian;
using testing::relative_error;

double min_eigenvalue(const Eigen::MatrixXd& m) {
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(m, Eigen::EigenvaluesOnly)
      .eigenvalues()
      .minCoeff();
}

// Checks ∇f and ∇²f against central differences of f and ∇f (relative error < 1e-6), the
// consistency of value_and_gradient, and the symmetry of every offered approximation.
void check_oracle(const Oracle& f, const Eigen::VectorXd& x) {
  SCOPED_TRACE(f.name());
  Eigen::VectorXd g, g2;
  f.gradient(x, g);
  const double v = f.value_and_gradient(x, g2);
  EXPECT_DOUBLE_EQ(v, f.value(x));
  EXPECT_LT((g - g2).norm(), 1e-14 * std::max(1.0, g.norm()));
  EXPECT_LT(relative_error(g, fd_gradient(f, x)), 1e-6);
  Eigen::MatrixXd h;
  f.hessian(x, h);
  EXPECT_LT(relative_error(h, fd_hessian(f, x)), 1e-6);
  EXPECT_LT((h - h.transpose()).norm(), 1e-12 * std::max(1.0, h.norm()));
  for (auto a : f.approximations()) {
    SCOPED_TRACE(std::string(to_string(a)));
    Eigen::MatrixXd ha;
    f.approximate_hessian(x, a, ha);
    ASSERT_EQ(ha.rows(), f.dimension());
    EXPECT_LT((ha - ha.transpose()).norm(), 1e-12 * std::max(1.0, ha.norm()));
    RankOne r;
    if (f.rank_one(x, a, r)) {
      const Eigen::MatrixXd dense = r.alpha * r.v * r.v.transpose();
      EXPECT_LT((dense - ha).norm(), 1e-12 * std::max(1.0, ha.norm()));
    }
  }
}

Eigen::VectorXd random_point(Eigen::Index n, std::uint64_t seed, double scale = 0.5) {
  Rng rng = make_rng(seed, {1});
  return uniform_vector(rng, n, -scale, scale);
}

TEST(LogSumExp, DerivativesMatchFiniteDifferences) {
  const LogSumExp f = make_random_logsumexp(30, 20, 1.0, 7);
  check_oracle(f, random_point(20, 1));
  const LogSumExp sharp = make_random_logsumexp(30, 20, 0.25, 8);
  check_oracle(sharp, random_point(20, 2));
}

TEST(LogSumExp, ZeroOptimumConstruction) {
  Eigen::MatrixXd original;
  const LogSumExp f = make_random_logsumexp(40, 40, 1.0, 3, &original);
  Eigen::VectorXd g;
  f.gradient(Eigen::VectorXd::Zero(40), g);
  EXPECT_LT(g.norm(), 1e-13);  // x* = 0, so f* = f(0)
  // Convex: f(x) >= f(0) at random points.
  for (int s = 0; s < 5; ++s)
    EXPECT_GE(f.value(random_point(40, 10 + s, 2.0)), f.value(Eigen::VectorXd::Zero(40)));
  // The shifted rows differ from the original ones by a common vector.
  const Eigen::MatrixXd shift = original - f.matrix();
  EXPECT_LT((shift.rowwise() - shift.row(0)).norm(), 1e-12);
}

TEST(LogSumExp, WeightedGaussNewtonDominatesHessian) {
  const LogSumExp f = make_random_logsumexp(60, 50, 1.0, 11);
  for (int s = 0; s < 4; ++s) {
    const Eigen::VectorXd x = random_point(50, 20 + s, 1.0);
    Eigen::MatrixXd h, w;
    f.hessian(x, h);
    f.approximate_hessian(x, HessianApproximation::weighted_gauss_newton, w);
    EXPECT_GE(min_eigenvalue(w - h), -1e-10);
    EXPECT_GE(min_eigenvalue(h), -1e-10);  // convex
  }
}

TEST(LogSumExp, LargeArgumentsStayFinite) {
  const LogSumExp f = make_random_logsumexp(10, 5, 0.01, 2);
  const Eigen::VectorXd x = Eigen::VectorXd::Constant(5, 50.0);
  Eigen::VectorXd g;
  EXPECT_TRUE(std::isfinite(f.value_and_gradient(x, g)));
  EXPECT_TRUE(g.allFinite());
}

TEST(NonlinearEquations, LinearDerivatives) {
  for (double p : {2.0, 3.0, 4.0}) {
    const NonlinearEquations f = make_linear_equations(10, 20, p, 5);
    check_oracle(f, random_point(20, 3, 0.3));
  }
}

TEST(NonlinearEquations, ChebyshevDerivatives) {
  for (double p : {2.0, 4.0}) {
    const NonlinearEquations f = make_chebyshev(12, p);
    check_oracle(f, random_point(12, 4, 0.8));
  }
}

TEST(NonlinearEquations, ChebyshevStructuredProductsMatchDense) {
  const ChebyshevResidual u(9);
  const Eigen::VectorXd x = random_point(9, 5, 1.0), w = random_point(9, 6, 1.0);
  Eigen::MatrixXd j, gn;
  u.jacobian(x, j);
  u.gauss_newton(x, gn);
  EXPECT_LT((gn - j.transpose() * j).norm(), 1e-13);
  Eigen::VectorXd jtw;
  u.jacobian_transpose_times(x, w, jtw);
  EXPECT_LT((jtw - j.transpose() * w).norm(), 1e-13);
}

TEST(NonlinearEquations, RosenbrockDerivatives) {
  for (double p : {2.0, 4.0, 5.0}) {
    const NonlinearEquations f = make_rosenbrock_equations(p);
    check_oracle(f, Eigen::Vector2d(-1.2, 1.0));
    check_oracle(f, Eigen::Vector2d(0.3, -0.4));
  }
}

TEST(NonlinearEquations, KnownOptima) {
  EXPECT_EQ(make_chebyshev(50, 4).value(Eigen::VectorXd::Ones(50)), 0.0);
  EXPECT_EQ(make_rosenbrock_equations(4).value(Eigen::Vector2d(1, 1)), 0.0);
  const NonlinearEquations lin = make_linear_equations(10, 20, 4, 9);
  const auto& u = static_cast<const LinearResidual&>(lin.residual());
  const Eigen::VectorXd xs = u.matrix().completeOrthogonalDecomposition().solve(u.rhs());
  EXPECT_LT(lin.value(xs), 1e-40);  // (1/4)||u||^4 with ||u|| ~ 1e-15
  // Rosenbrock with p = 2 is half the classical function.
  const Eigen::Vector2d x(-1.2, 1.0);
  EXPECT_NEAR(make_rosenbrock_equations(2).value(x),
              0.5 * ((1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0])),
              1e-12);
}

TEST(NonlinearEquations, ZeroResidualBranch) {
  // At u = 0 the Hessian is JᵀJ for p = 2 and 0 for p > 2, without dividing by ||u||.
  const Eigen::VectorXd ones = Eigen::VectorXd::Ones(6);
  for (double p : {2.0, 3.0, 4.0}) {
    const NonlinearEquations f = make_chebyshev(6, p);
    Eigen::MatrixXd h, gnf, fisher, jtj;
    f.hessian(ones, h);
    f.approximate_hessian(ones, HessianApproximation::gauss_newton_fisher, gnf);
    f.approximate_hessian(ones, HessianApproximation::fisher, fisher);
    f.residual().gauss_newton(ones, jtj);
    ASSERT_TRUE(h.allFinite() && gnf.allFinite() && fisher.allFinite());
    EXPECT_EQ(fisher.norm(), 0.0);
    if (p == 2.0) {
      EXPECT_LT((h - jtj).norm(), 1e-14);
      EXPECT_LT((gnf - jtj).norm(), 1e-14);
    } else {
      EXPECT_EQ(h.norm(), 0.0);
      EXPECT_EQ(gnf.norm(), 0.0);
    }
  }
}

TEST(NonlinearEquations, FisherIsRankOneAndZeroForPEqualsTwo) {
  const NonlinearEquations f4 = make_linear_equations(8, 12, 4, 1);
  RankOne r;
  const Eigen::VectorXd x = random_point(12, 7);
  ASSERT_TRUE(f4.rank_one(x, HessianApproximation::fisher, r));
  EXPECT_GT(r.alpha, 0.0);
  EXPECT_FALSE(f4.rank_one(x, HessianApproximation::gauss_newton_fisher, r));
  const NonlinearEquations f2 = make_linear_equations(8, 12, 2, 1);
  ASSERT_TRUE(f2.rank_one(x, HessianApproximation::fisher, r));
  EXPECT_EQ(r.alpha, 0.0);
  // For a linear residual, exact = ||u||^{p−2} AᵀA + Fisher.
  Eigen::MatrixXd h, fisher;
  f4.hessian(x, h);
  f4.approximate_hessian(x, HessianApproximation::fisher, fisher);
  const auto& u = static_cast<const LinearResidual&>(f4.residual());
  const double un = (u.matrix() * x - u.rhs()).norm();
  EXPECT_LT((h - fisher - un * un * u.matrix().transpose() * u.matrix()).norm(), 1e-10 * h.norm());
}

TEST(NonlinearEquations, RejectsBadPower) {
  EXPECT_THROW(make_chebyshev(5, 1.5), Error);
}

// Seeded synthetic classification data with an intercept column.
Eigen::MatrixXd design(Eigen::Index m, Eigen::Index d, std::uint64_t seed) {
  Rng rng = make_rng(seed, {2});
  Eigen::MatrixXd x(m, d + 1);
  x.leftCols(d) = normal_matrix(rng, m, d);
  x.col(d).setOnes();
  return x;
}

TEST(Regression, LogisticDerivativesAndApproximations) {
  const Eigen::MatrixXd x = design(40, 5, 1);
  Eigen::VectorXd y(40);
  for (int i = 0; i < 40; ++i) y[i] = (x(i, 0) + 0.3 * x(i, 1) > 0) ? 1.0 : 0.0;
  const LogisticRegression f(x, y, 1e-3);
  const Eigen::VectorXd w = random_point(6, 3, 2.0);
  check_oracle(f, w);
  Eigen::MatrixXd h, wgn, bound;
  f.hessian(w, h);
  f.approximate_hessian(w, HessianApproximation::weighted_gauss_newton, wgn);
  f.approximate_hessian(w, HessianApproximation::bound, bound);
  EXPECT_GE(min_eigenvalue(wgn - h), -1e-10);
  EXPECT_GE(min_eigenvalue(bound - h), -1e-10);
  EXPECT_THROW(LogisticRegression(x, Eigen::VectorXd::Constant(40, 2.0)), Error);
}

TEST(Regression, SoftmaxDerivativesAndApproximations) {
  const Eigen::MatrixXd x = design(50, 4, 2);
  Eigen::VectorXd y(50);
  for (int i = 0; i < 50; ++i) y[i] = i % 3;
  const SoftmaxRegression f(x, y, 3, 1e-2);
  const Eigen::VectorXd w = random_point(15, 4, 1.0);
  check_oracle(f, w);
  Eigen::MatrixXd h, wgn, bound;
  f.hessian(w, h);
  f.approximate_hessian(w, HessianApproximation::weighted_gauss_newton, wgn);
  f.approximate_hessian(w, HessianApproximation::bound, bound);
  EXPECT_GE(min_eigenvalue(wgn - h), -1e-10);
  EXPECT_GE(min_eigenvalue(bound - h), -1e-10);
  // Two classes of softmax = logistic regression on the logit difference: same value at
  // W = [0, w] (class 1 logit = w·x).
  Eigen::VectorXd y2(50);
  for (int i = 0; i < 50; ++i) y2[i] = i % 2;
  const SoftmaxRegression s2(x, y2, 2, 0.0);
  const LogisticRegression l2(x, y2, 0.0);
  const Eigen::VectorXd wl = random_point(5, 9, 1.0);
  Eigen::VectorXd ws = Eigen::VectorXd::Zero(10);
  ws.tail(5) = wl;
  EXPECT_NEAR(s2.value(ws), l2.value(wl), 1e-13);
}

TEST(Oracle, UnofferedApproximationThrows) {
  const NonlinearEquations f = make_chebyshev(4, 4);
  Eigen::MatrixXd h;
  EXPECT_THROW(f.approximate_hessian(Eigen::VectorXd::Zero(4),
                                     HessianApproximation::weighted_gauss_newton, h),
               Error);
  EXPECT_THROW(f.value(Eigen::VectorXd::Zero(3)), Error);
}

TEST(Oracle, ApproximationNames) {
  for (auto a : {HessianApproximation::exact, HessianApproximation::weighted_gauss_newton,
                 HessianApproximation::fisher, HessianApproximation::gauss_newton_fisher,
                 HessianApproximation::bound})
    EXPECT_EQ(approximation_from_string(to_string(a)), a);
  EXPECT_THROW(approximation_from_string("newton"), Error);
}

}  // namespace
}  // namespace descent::problems
