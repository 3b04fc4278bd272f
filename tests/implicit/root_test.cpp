// ID-1, ID-2, ID-3 and ID-6 of the spec: hypergradients through root_vjp / root_jvp against closed
// forms and finite differences, VJP/JVP consistency and the Jacobian-precision slope.
#include <gtest/gtest.h>

#include <cmath>

#include "common.hpp"
#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/implicit/inner.hpp"
#include "descent/implicit/objectives.hpp"
#include "descent/implicit/unrolled.hpp"

namespace {

using namespace descent::implicit;
using namespace implicit_test;

// Ridge on diabetes: w*(λ) = (XᵀX/n + λI)⁻¹Xᵀy/n, validation loss ½ mean (X_v w − y_v)².
struct RidgeCase {
  Split d = load_split("diabetes", 300);
  double lambda = 0.1;
  Vec w_star(double lam) const {
    const auto n = static_cast<double>(d.xt.rows());
    const Mat h = d.xt.transpose() * d.xt / n + lam * Mat::Identity(d.xt.cols(), d.xt.cols());
    return h.ldlt().solve(d.xt.transpose() * d.yt / n);
  }
  double val_loss(const Vec& w) const {
    return 0.5 * (d.xv * w - d.yv).squaredNorm() / d.xv.rows();
  }
  Vec val_grad(const Vec& w) const { return d.xv.transpose() * (d.xv * w - d.yv) / d.xv.rows(); }
};

TEST(ImplicitRidge, Id1HypergradientMatchesClosedForm) {
  const RidgeCase c;
  const auto n = static_cast<double>(c.d.xt.rows());
  const Vec w = c.w_star(c.lambda);
  const Mat h =
      c.d.xt.transpose() * c.d.xt / n + c.lambda * Mat::Identity(c.d.xt.cols(), c.d.xt.cols());
  const double closed = -c.val_grad(w).dot(h.ldlt().solve(w));
  const Optimality f = stationarity(ridge(c.d.xt, c.d.yt));
  const Vec th = Vec::Constant(1, c.lambda);
  for (SolverKind k : {SolverKind::cg, SolverKind::normal_cg, SolverKind::gmres,
                       SolverKind::bicgstab, SolverKind::cholesky, SolverKind::lu}) {
    LinearSolveOptions o;
    o.solver = k;
    o.tolerance = 1e-13;
    const VjpResult v = root_vjp(f, w, th, c.val_grad(w), o);
    EXPECT_TRUE(v.solve.ok()) << to_string(k) << v.solve.message;
    EXPECT_LE(rel_err(v.value[0], closed), 1e-10) << to_string(k);
    const VjpResult j = root_jvp(f, w, th, Vec::Ones(1), o);
    EXPECT_LE(rel_err(c.val_grad(w).dot(j.value), closed), 1e-10) << to_string(k);
  }
  // custom_root around a solver.
  CustomRoot root([&](const Vec&, const Vec& t) { return c.w_star(t[0]); }, f);
  root.run(Vec::Zero(10), th);
  EXPECT_LT(root.residual(), 1e-12);
  EXPECT_LE(rel_err(root.vjp(c.val_grad(root.solution())).value[0], closed), 1e-9);
}

TEST(ImplicitRidge, Id2HypergradientMatchesFiniteDifferences) {
  const RidgeCase c;
  const Optimality f = stationarity(ridge(c.d.xt, c.d.yt));
  for (double lam : {0.01, 0.1, 3.0}) {
    const Vec w = c.w_star(lam);
    const double g = root_vjp(f, w, Vec::Constant(1, lam), c.val_grad(w)).value[0];
    const double h = 1e-6 * std::max(1.0, lam);
    const double fd = (c.val_loss(c.w_star(lam + h)) - c.val_loss(c.w_star(lam - h))) / (2 * h);
    EXPECT_LE(rel_err(g, fd), 1e-6) << "lambda " << lam;
  }
}

TEST(ImplicitLogreg, Id2HypergradientInLogLambdaMatchesFiniteDifferences) {
  const Split d = load_split("breast-cancer", 400);
  const Eigen::VectorXi yt = labels(d.yt), yv = labels(d.yv);
  const SmoothObjective obj = softmax_regression(d.xt, yt, 2, Reg::log);
  const auto solve_at = [&](double th) {
    Vec w = Vec::Zero(obj.dim_x);
    const auto s = solve_newton_cg(obj, w, Vec::Constant(1, th), {1e-13, 100});
    EXPECT_TRUE(s.converged()) << s.brief();
    return w;
  };
  for (double th : {std::log(1e-3), std::log(1e-1)}) {
    const Vec w = solve_at(th);
    Vec gv;
    softmax_loss(d.xv, yv, w, 2, &gv);
    const double g = root_vjp(stationarity(obj), w, Vec::Constant(1, th), gv).value[0];
    const double h = 1e-6 * std::max(1.0, std::abs(th));
    const double fd = (softmax_loss(d.xv, yv, solve_at(th + h), 2) -
                       softmax_loss(d.xv, yv, solve_at(th - h), 2)) /
                      (2 * h);
    EXPECT_LE(rel_err(g, fd), 1e-6) << "log lambda " << th;
  }
}

TEST(ImplicitConsistency, Id3VjpAndJvpAgree) {
  // Distillation objective: θ = the training images, so both sides are genuinely vectors.
  auto rng = descent::make_rng(7, {1});
  const Eigen::Index m = 6, p = 5;
  const int k = 3;
  Eigen::VectorXi lab(m);
  lab << 0, 1, 2, 0, 1, 2;
  const SmoothObjective obj = softmax_regression_on_data(lab, k, p, 0.1);
  const Vec th = descent::normal_vector(rng, m * p);
  Vec w = Vec::Zero(p * k);
  ASSERT_TRUE(solve_newton_cg(obj, w, th).converged());
  const Optimality f = stationarity(obj);
  EXPECT_LT(product_check(f, w, th, 11), 1e-7);
  LinearSolveOptions o;
  o.solver = SolverKind::cg;
  o.tolerance = 1e-14;
  for (int trial = 0; trial < 3; ++trial) {
    const Vec u = descent::normal_vector(rng, p * k), v = descent::normal_vector(rng, m * p);
    const double lhs = u.dot(root_jvp(f, w, th, v, o).value);
    const double rhs = root_vjp(f, w, th, u, o).value.dot(v);
    EXPECT_LE(std::abs(lhs - rhs), 1e-10 * std::max(1.0, std::abs(lhs)));
  }
}

// ID-6: implicit Jacobian error at an inexact x̂ is linear in ||x̂ − x*|| and no worse than the
// error of unrolled forward-mode differentiation through the same gradient-descent iterates.
TEST(ImplicitPrecision, Id6JacobianErrorIsLinearInInnerError) {
  const Split d = load_split("breast-cancer", 400);
  const SmoothObjective obj = softmax_regression(d.xt, labels(d.yt), 2);
  const Vec th = Vec::Constant(1, 1.0);
  Vec ws = Vec::Zero(obj.dim_x);
  ASSERT_TRUE(solve_newton_cg(obj, ws, th).converged());
  const Optimality f = stationarity(obj);
  LinearSolveOptions o;
  o.solver = SolverKind::cg;
  o.tolerance = 1e-13;
  const Vec j_star = root_jvp(f, ws, th, Vec::Ones(1), o).value;
  const double eta = 1.0 / (0.5 * least_squares_lipschitz(d.xt) + th[0]);
  std::vector<double> lx, lj;
  bool implicit_no_worse = true;
  UnrolledOptions uo;
  uo.alpha = -eta;
  uo.iterations = 50;
  unrolled(f, Vec::Zero(obj.dim_x), th, Mat::Ones(1, 1), uo,
           [&](std::size_t, const Vec& x, const Mat& j_unrolled) {
             const Vec j_impl = root_jvp(f, x, th, Vec::Ones(1), o).value;
             const double ei = (j_impl - j_star).norm(), eu = (j_unrolled.col(0) - j_star).norm();
             implicit_no_worse = implicit_no_worse && ei <= eu;
             lx.push_back(std::log((x - ws).norm()));
             lj.push_back(std::log(ei));
           });
  ASSERT_EQ(lx.size(), 50u);
  const Eigen::Map<Vec> ax(lx.data(), 50), aj(lj.data(), 50);
  const double mx = ax.mean(), mj = aj.mean();
  const double slope =
      ((ax.array() - mx) * (aj.array() - mj)).sum() / (ax.array() - mx).square().sum();
  EXPECT_GE(slope, 0.8);
  EXPECT_LE(slope, 1.2);
  EXPECT_TRUE(implicit_no_worse);
}

TEST(ImplicitErrors, BadInputThrows) {
  const Optimality f = stationarity(ridge(Mat::Identity(3, 3), Vec::Ones(3)));
  EXPECT_THROW(root_vjp(f, Vec::Zero(2), Vec::Ones(1), Vec::Ones(3)), descent::Error);
  EXPECT_THROW(root_vjp(f, Vec::Zero(3), Vec::Ones(2), Vec::Ones(3)), descent::Error);
  EXPECT_THROW(root_vjp(f, Vec::Zero(3), Vec::Ones(1), Vec::Ones(4)), descent::Error);
  EXPECT_THROW(root_jvp(f, Vec::Zero(3), Vec::Ones(1), Vec::Ones(2)), descent::Error);
  Optimality missing = f;
  missing.vjp_theta = nullptr;
  EXPECT_THROW(root_vjp(missing, Vec::Zero(3), Vec::Ones(1), Vec::Ones(3)), descent::Error);
  EXPECT_THROW(ridge(Mat::Identity(3, 3), Vec::Ones(2)), descent::Error);
  CustomRoot r([](const Vec&, const Vec&) { return Vec::Zero(3); }, f);
  EXPECT_THROW(r.vjp(Vec::Ones(3)), descent::Error);  // run() first
  LinearSolveOptions o;
  o.ridge = -1;
  EXPECT_THROW(CustomRoot([](const Vec&, const Vec&) { return Vec::Zero(3); }, f, o),
               descent::InvalidOption);
}

TEST(ImplicitErrors, DivergenceIsAStatus) {
  // Gradient descent with a step far above 2/L blows up: reported, not a silent NaN.
  const SmoothObjective obj = ridge(10 * Mat::Identity(3, 3), Vec::Ones(3));
  UnrolledOptions uo;
  uo.alpha = -10.0;
  uo.iterations = 2000;
  const auto r = unrolled(stationarity(obj), Vec::Ones(3), Vec::Ones(1), Mat::Ones(1, 1), uo);
  EXPECT_EQ(r.summary.status, descent::Status::diverged);
}

}  // namespace
