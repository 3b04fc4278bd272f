#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/newton/cubic_newton.hpp"
#include "descent/newton/hessian_source.hpp"
#include "descent/newton/norm.hpp"
#include "descent/newton/regularized_solver.hpp"
#include "descent/problems/factory.hpp"
#include "descent/problems/nonlinear_equations.hpp"

namespace descent::newton {
namespace {

Eigen::MatrixXd random_spd(Eigen::Index n, std::uint64_t seed, double shift) {
  Rng rng = make_rng(seed, {3});
  const Eigen::MatrixXd a = normal_matrix(rng, n, n);
  Eigen::MatrixXd b = a.transpose() * a / double(n);
  b.diagonal().array() += shift;
  return b;
}

TEST(Norm, IdentityAndGeneral) {
  const Eigen::VectorXd g = Eigen::VectorXd::LinSpaced(5, 1, 5);
  const Norm id(5);
  EXPECT_TRUE(id.is_identity());
  EXPECT_DOUBLE_EQ(id.dual_norm_squared(g), g.squaredNorm());
  const Eigen::MatrixXd b = random_spd(5, 1, 0.5);
  const Norm nb(b, 5);
  EXPECT_NEAR(nb.dual_norm_squared(g), g.dot(b.llt().solve(g)), 1e-12);
  EXPECT_NEAR(nb.norm_squared(g), g.dot(b * g), 1e-12);
  EXPECT_LT((b * nb.solve(g) - g).norm(), 1e-12);
  EXPECT_THROW(Norm(Eigen::MatrixXd::Identity(4, 4), 5), Error);
  Eigen::MatrixXd indefinite = Eigen::MatrixXd::Identity(5, 5);
  indefinite(2, 2) = -1;
  EXPECT_THROW(Norm(indefinite, 5), Error);
}

// The spec's check: ||Δ_sm − Δ_chol|| <= 1e-8 ||Δ|| for the rank-one Fisher term of the linear
// equations with p = 4, in the identity metric and in a well-conditioned general metric.
TEST(RegularizedSolver, ShermanMorrisonMatchesCholesky) {
  const problems::NonlinearEquations f = problems::make_linear_equations(30, 60, 4, 2);
  Rng rng = make_rng(5);
  const Eigen::VectorXd x = uniform_vector(rng, 60, -1, 1);
  Curvature c;
  HessianSource::approximation(f, problems::HessianApproximation::fisher).evaluate(x, c);
  ASSERT_TRUE(c.is_rank_one);
  Eigen::VectorXd g;
  f.gradient(x, g);
  for (int which = 0; which < 2; ++which) {
    const Norm b(which == 0 ? Eigen::MatrixXd() : random_spd(60, 7, 1.0), 60);
    RegularizedSolver chol(b, LinearSolver::cholesky), sm(b, LinearSolver::sherman_morrison);
    for (double lambda : {1e-3, 1.0, 1e3}) {
      Eigen::VectorXd d1, d2;
      ASSERT_TRUE(chol.solve(c, lambda, g, d1));
      ASSERT_TRUE(sm.solve(c, lambda, g, d2));
      EXPECT_LE((d1 - d2).norm(), 1e-8 * d1.norm()) << "metric " << which << " lambda " << lambda;
      // And it really solves the system.
      Eigen::MatrixXd h;
      c.to_dense(h);
      Eigen::MatrixXd a = h;
      b.add_scaled_to(a, lambda);
      EXPECT_LE((a * d1 + g).norm(), 1e-9 * g.norm());
    }
    EXPECT_EQ(chol.solves(), 3u);
    EXPECT_EQ(sm.solves(), 3u);
  }
}

TEST(RegularizedSolver, ShermanMorrisonNeedsRankOne) {
  const Norm b(3);
  RegularizedSolver sm(b, LinearSolver::sherman_morrison);
  Curvature c;
  c.dense = Eigen::MatrixXd::Identity(3, 3);
  Eigen::VectorXd d;
  EXPECT_THROW(sm.solve(c, 1.0, Eigen::VectorXd::Ones(3), d), Error);
}

TEST(RegularizedSolver, ReportsCholeskyFailure) {
  const Norm b(2);
  RegularizedSolver chol(b, LinearSolver::cholesky);
  Curvature c;
  c.dense = Eigen::Matrix2d{{-3.0, 0.0}, {0.0, 1.0}};
  Eigen::VectorXd d;
  EXPECT_FALSE(chol.solve(c, 1.0, Eigen::Vector2d(1, 1), d));  // H + I indefinite
  EXPECT_TRUE(chol.solve(c, 4.0, Eigen::Vector2d(1, 1), d));
  EXPECT_EQ(chol.failures(), 1u);
  EXPECT_EQ(chol.solves(), 2u);
}

TEST(HessianSource, CallableAndApproximation) {
  const problems::Instance in = problems::make_instance("logsumexp:n=8,m=6", 1);
  Curvature c;
  HessianSource::exact(*in.oracle).evaluate(in.x0, c);
  Eigen::MatrixXd h;
  in.oracle->hessian(in.x0, h);
  EXPECT_EQ((c.dense - h).norm(), 0.0);
  const auto user = HessianSource::callable(
      [](const Eigen::VectorXd& x, Eigen::MatrixXd& m) {
        m = Eigen::MatrixXd::Identity(x.size(), x.size());
      },
      "identity");
  user.evaluate(in.x0, c);
  EXPECT_TRUE(c.dense.isIdentity());
  EXPECT_EQ(user.name(), "identity");
  EXPECT_THROW(HessianSource::approximation(*in.oracle, problems::HessianApproximation::fisher),
               Error);
  const auto wrong = HessianSource::callable(
      [](const Eigen::VectorXd&, Eigen::MatrixXd& m) { m = Eigen::MatrixXd::Identity(2, 2); });
  EXPECT_THROW(wrong.evaluate(in.x0, c), Error);
}

// The cubic model's minimiser satisfies g + H h + (M/2)||h|| B h = 0 and is the global
// minimiser, also for an indefinite H (checked against an eigendecomposition).
TEST(CubicModel, StationaryAndGlobal) {
  Rng rng = make_rng(11);
  for (int trial = 0; trial < 4; ++trial) {
    const Eigen::Index n = 6;
    Eigen::MatrixXd h = normal_matrix(rng, n, n);
    h = (0.5 * (h + h.transpose())).eval();  // symmetric, indefinite in general (eval: no aliasing)
    const Eigen::VectorXd g = normal_vector(rng, n);
    const double m = 0.5 + trial;
    const Eigen::MatrixXd b = trial % 2 ? random_spd(n, 20 + trial, 0.5) : Eigen::MatrixXd();
    const CubicStep st = solve_cubic_model(g, h, m, b);
    ASSERT_TRUE(st.converged);
    const Norm nb(b, n);
    const double r = std::sqrt(nb.norm_squared(st.h));
    const Eigen::VectorXd bh = b.size() ? Eigen::VectorXd(b * st.h) : st.h;
    EXPECT_LT((g + h * st.h + 0.5 * m * r * bh).norm(), 1e-8 * g.norm());
    // Global: no random point has a lower model value.
    const auto model = [&](const Eigen::VectorXd& y) {
      const double ry = std::sqrt(nb.norm_squared(y));
      return g.dot(y) + 0.5 * y.dot(h * y) + m / 6 * ry * ry * ry;
    };
    EXPECT_NEAR(model(st.h), st.model_value, 1e-10);
    for (int s = 0; s < 200; ++s)
      EXPECT_GE(model(st.h + 0.3 * normal_vector(rng, n)), st.model_value - 1e-12);
  }
}

TEST(CubicModel, ZeroGradient) {
  const CubicStep st =
      solve_cubic_model(Eigen::VectorXd::Zero(3), Eigen::MatrixXd::Identity(3, 3), 1);
  EXPECT_TRUE(st.converged);
  EXPECT_EQ(st.h.norm(), 0.0);
}

}  // namespace
}  // namespace descent::newton
