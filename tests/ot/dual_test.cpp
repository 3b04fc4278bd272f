// The dual f, its gradient and its Hessian: finite differences, the null vector, and agreement
// between the reference evaluators and the solvers' fused kernels.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>

#include "descent/core/rng.hpp"
#include "descent/ot/ot.hpp"

namespace descent::ot {
namespace {

struct Point {
  Problem problem;
  double eta;
  Eigen::VectorXd x, y;
};

// n = 20 random problem with non-uniform weights at a random (x, y).
Point random_point(std::uint64_t seed) {
  Rng rng = make_rng(seed, {0xd0a1});
  const Eigen::Index n = 20;
  Eigen::VectorXd a = uniform_vector(rng, n, 0.5, 1.5), b = uniform_vector(rng, n, 0.5, 1.5);
  b *= a.sum() / b.sum();
  Problem p(a, b, uniform_matrix(rng, n, n));
  return {p, 10.0, uniform_vector(rng, n, -0.1, 0.1), uniform_vector(rng, n, -0.1, 0.1)};
}

Eigen::VectorXd stack(const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  Eigen::VectorXd z(x.size() + y.size());
  z << x, y;
  return z;
}

TEST(OtDual, GradientMatchesFiniteDifferences) {
  const Point q = random_point(1);
  const Eigen::Index n = q.x.size();
  const Eigen::VectorXd g = dual_gradient(q.problem, q.eta, q.x, q.y);
  Eigen::VectorXd fd(2 * n);
  const double h = 1e-5;
  for (Eigen::Index k = 0; k < 2 * n; ++k) {
    Eigen::VectorXd z = stack(q.x, q.y), zp = z, zm = z;
    zp[k] += h;
    zm[k] -= h;
    fd[k] = (dual_value(q.problem, q.eta, zp.head(n), zp.tail(n)) -
             dual_value(q.problem, q.eta, zm.head(n), zm.tail(n))) /
            (2 * h);
  }
  EXPECT_LE((fd - g).norm() / g.norm(), 1e-6);
}

TEST(OtDual, HessianMatchesFiniteDifferencesAndIsNegativeSemidefinite) {
  const Point q = random_point(2);
  const Eigen::Index n = q.x.size();
  const Eigen::MatrixXd H = dual_hessian(q.problem, q.eta, q.x, q.y);
  Eigen::MatrixXd fd(2 * n, 2 * n);
  const double h = 1e-6;
  for (Eigen::Index k = 0; k < 2 * n; ++k) {
    Eigen::VectorXd zp = stack(q.x, q.y), zm = zp;
    zp[k] += h;
    zm[k] -= h;
    fd.col(k) = (dual_gradient(q.problem, q.eta, zp.head(n), zp.tail(n)) -
                 dual_gradient(q.problem, q.eta, zm.head(n), zm.tail(n))) /
                (2 * h);
  }
  EXPECT_LE((fd - H).norm() / H.norm(), 1e-6);
  // The sign: -H = eta [[diag(P1), P], [P^T, diag(P^T 1)]] is PSD, so H is NSD.
  EXPECT_LE(Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(H).eigenvalues().maxCoeff(),
            1e-12 * H.norm());
  EXPECT_LT(H(0, 0), 0.0);
}

TEST(OtDual, OneMinusOneIsANullVector) {
  const Point q = random_point(3);
  const Eigen::Index n = q.x.size();
  const Eigen::MatrixXd H = dual_hessian(q.problem, q.eta, q.x, q.y);
  Eigen::VectorXd v(2 * n);
  v << Eigen::VectorXd::Ones(n), -Eigen::VectorXd::Ones(n);
  EXPECT_LE((H * v).norm(), 1e-12 * H.norm() * v.norm());
  // f is invariant along (1, -1): the gauge the Newton solver fixes.
  EXPECT_NEAR(dual_value(q.problem, q.eta, q.x.array() + 0.3, q.y.array() - 0.3),
              dual_value(q.problem, q.eta, q.x, q.y), 1e-14);
}

TEST(OtDual, SolverKernelsAgreeWithTheReferenceEvaluators) {
  const Point q = random_point(4);
  SinkhornOptions o;
  o.eta = 200.0;  // exp(-200 C) needs the log domain
  o.tolerance = 1e-13;
  o.plan.format = PlanFormat::dense;
  const Result r = sinkhorn(q.problem, o);
  ASSERT_TRUE(r.summary.converged()) << r.summary.brief();
  const Eigen::MatrixXd P = entropic_plan(q.problem, o.eta, r.x, r.y);
  EXPECT_LE((P - r.plan).cwiseAbs().sum(), 1e-13);
  EXPECT_NEAR(-r.summary.objective, dual_value(q.problem, o.eta, r.x, r.y), 1e-13);
  EXPECT_NEAR(r.marginal_error, marginal_error(q.problem, P), 1e-14);
  EXPECT_NEAR(r.transport_cost, transport_cost(q.problem, P), 1e-14);
  EXPECT_LE(dual_gradient(q.problem, o.eta, r.x, r.y).lpNorm<1>(), 1e-12);
}

}  // namespace
}  // namespace descent::ot
