// ID-4 (lasso through the prox-gradient fixed point) and ID-5 (softmax, sparsemax, equality QP),
// plus product checks of every ready mapping against finite differences.
#include <gtest/gtest.h>

#include <cmath>

#include "common.hpp"
#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/implicit/inner.hpp"
#include "descent/implicit/objectives.hpp"

namespace {

using namespace descent::implicit;
using namespace implicit_test;

struct Lasso {
  Mat x;
  Vec y, w;
  double lambda = 0, eta = 0;
};

// n = 100, p = 1000, 4 informative features (the jaxopt PR #274 setting).
Lasso make_lasso(std::uint64_t seed) {
  auto rng = descent::make_rng(seed, {42});
  Lasso l;
  l.x = descent::normal_matrix(rng, 100, 1000);
  Vec wt = Vec::Zero(1000);
  for (int i = 0; i < 4; ++i) wt[i * 250] = (i % 2 ? -1.0 : 1.0) * (2.0 + i);
  l.y = l.x * wt + 0.1 * descent::normal_vector(rng, 100);
  l.lambda = 0.3 * (l.x.transpose() * l.y).cwiseAbs().maxCoeff() / 100.0;
  l.eta = 1.0 / least_squares_lipschitz(l.x);
  const Optimality f =
      proximal_gradient(least_squares(l.x, l.y), lasso_prox(), Vec::Constant(1, l.eta));
  l.w = Vec::Zero(1000);
  solve_fixed_point(f, l.w, Vec::Constant(1, l.lambda), {1e-10, 20000, true});
  l.w = lasso_refit_on_support(l.x, l.y, l.lambda, l.w);
  return l;
}

TEST(ImplicitLasso, Id4NormalCgAndGmresMatchTheSupportFormula) {
  for (std::uint64_t seed : {1u, 2u}) {
    const Lasso l = make_lasso(seed);
    const Optimality f =
        proximal_gradient(least_squares(l.x, l.y), lasso_prox(), Vec::Constant(1, l.eta));
    const Vec th = Vec::Constant(1, l.lambda);
    ASSERT_LT(f.value(l.w, th).norm(), 1e-12);
    const Eigen::Index support = (l.w.array() != 0).count();
    EXPECT_GE(support, 2);
    EXPECT_LE(support, 20);
    const Vec j_ref = lasso_support_jacobian(l.x, l.w);
    for (SolverKind k : {SolverKind::normal_cg, SolverKind::gmres}) {
      LinearSolveOptions o;
      o.solver = k;
      o.tolerance = 1e-12;
      const VjpResult j = root_jvp(f, l.w, th, Vec::Ones(1), o);
      EXPECT_TRUE(j.solve.ok()) << to_string(k) << ": " << j.solve.message;
      EXPECT_LE(rel_err(j.value, j_ref), 1e-8) << to_string(k);
      // VJP side: wᵀJ for a random w.
      const Vec wv = Vec::LinSpaced(1000, -1, 1);
      EXPECT_LE(rel_err(root_vjp(f, l.w, th, wv, o).value[0], wv.dot(j_ref)), 1e-8);
    }
    // Plain CG on the non-symmetric full system is flagged.
    LinearSolveOptions cg;
    cg.solver = SolverKind::cg;
    const VjpResult bad = root_jvp(f, l.w, th, Vec::Ones(1), cg);
    EXPECT_TRUE(bad.solve.nonsymmetric);
    EXPECT_EQ(bad.solve.status, descent::Status::failed);
  }
}

TEST(ImplicitMirrorDescent, Id5SoftmaxJacobian) {
  // f(x, θ) = −⟨x, θ⟩ + Σ x log x on the simplex: the fixed point is softmax(θ).
  const Eigen::Index n = 6;
  SmoothObjective f;
  f.dim_x = f.dim_theta = n;
  f.grad = [](const Vec& x, const Vec& th) -> Vec { return (x.array().log() + 1).matrix() - th; };
  f.hvp = [](const Vec& x, const Vec&, const Vec& v) -> Vec { return v.cwiseQuotient(x); };
  f.cross_vjp = [](const Vec&, const Vec&, const Vec& u) -> Vec { return -u; };
  f.cross_jvp = [](const Vec&, const Vec&, const Vec& t) -> Vec { return -t; };
  Vec th(n);
  th << 0.3, -1.2, 2.0, 0.0, 0.7, -0.4;
  const Vec p = (th.array().exp() / th.array().exp().sum()).matrix();
  const Mat j_ref = Mat(p.asDiagonal()) - p * p.transpose();
  for (double eta : {1.0, 0.5}) {
    const Optimality md = mirror_descent_kl(f, eta);
    Vec x = Vec::Constant(n, 1.0 / n);
    const auto s = solve_fixed_point(md, x, th, {1e-14, 10000, false});
    ASSERT_TRUE(s.converged()) << s.brief();
    EXPECT_LT((x - p).norm(), 1e-12);
    EXPECT_LT(product_check(md, x, th, 3), 1e-7);
    LinearSolveOptions o;
    o.solver = SolverKind::gmres;
    o.tolerance = 1e-14;
    const Mat j = root_jacobian(md, x, th, o).jacobian;
    EXPECT_LE((j - j_ref).norm(), 1e-10 * j_ref.norm()) << "eta " << eta;
  }
}

TEST(ImplicitKkt, Id5SparsemaxJacobian) {
  // sparsemax(θ) = argmin ½||x − θ||² on the simplex: Q = I, q = −θ, 1ᵀx = 1, −x ≤ 0.
  const Eigen::Index d = 6;
  Vec th(d);
  th << 0.9, -0.3, 0.6, 0.1, 1.0, -1.0;
  const Vec x = project_simplex(th);
  QuadraticProgram qp{Mat::Identity(d, d), Mat::Ones(1, d), -Mat::Identity(d, d)};
  // Duals from stationarity x − θ + ν1 − λ = 0 with λ = 0 on the support.
  double nu = 0;
  int s = 0;
  for (Eigen::Index i = 0; i < d; ++i)
    if (x[i] > 0) nu += th[i] - x[i], ++s;
  nu /= s;
  Vec lam = (Vec::Constant(d, nu) - th + x).cwiseMax(0.0);
  for (Eigen::Index i = 0; i < d; ++i)
    if (x[i] > 0) lam[i] = 0;
  Vec z(2 * d + 1), qth(2 * d + 1);
  z << x, nu, lam;
  qth << -th, 1.0, Vec::Zero(d);
  const Optimality f = kkt(qp);
  ASSERT_LT(f.value(z, qth).norm(), 1e-12);
  EXPECT_LT(product_check(f, z, qth, 5), 1e-7);
  LinearSolveOptions o;
  o.solver = SolverKind::lu;
  const Mat jz = root_jacobian(f, z, qth, o).jacobian;
  const Mat j = -jz.topLeftCorner(d, d);  // q = −θ
  const Vec sup = (x.array() > 0).cast<double>();
  const Mat j_ref = Mat(sup.asDiagonal()) - sup * sup.transpose() / sup.sum();
  EXPECT_LE((j - j_ref).norm(), 1e-10 * j_ref.norm());
  // The projected-gradient mapping gives the same Jacobian.
  SmoothObjective dist;
  dist.dim_x = dist.dim_theta = d;
  dist.grad = [](const Vec& x, const Vec& t) -> Vec { return x - t; };
  dist.hvp = [](const Vec&, const Vec&, const Vec& v) -> Vec { return v; };
  dist.cross_vjp = [](const Vec&, const Vec&, const Vec& u) -> Vec { return -u; };
  dist.cross_jvp = [](const Vec&, const Vec&, const Vec& t) -> Vec { return -t; };
  const Optimality pg = projected_gradient(dist, simplex_projection(d), 0.5);
  o.solver = SolverKind::gmres;
  EXPECT_LE((root_jacobian(pg, x, th, o).jacobian - j_ref).norm(), 1e-10 * j_ref.norm());
}

TEST(ImplicitKkt, Id5EqualityQpJacobian) {
  auto rng = descent::make_rng(9, {1});
  const Eigen::Index d = 5, p = 2;
  const Mat g = descent::normal_matrix(rng, d, d);
  QuadraticProgram qp{g * g.transpose() + Mat::Identity(d, d), descent::normal_matrix(rng, p, d),
                      Mat(0, d)};
  Mat k = Mat::Zero(d + p, d + p);
  k.topLeftCorner(d, d) = qp.Q;
  k.topRightCorner(d, p) = qp.A.transpose();
  k.bottomLeftCorner(p, d) = qp.A;
  const Vec th = descent::normal_vector(rng, d + p);  // (q, b)
  Vec rhs(d + p);
  rhs << -th.head(d), th.tail(p);
  const Vec z = k.fullPivLu().solve(rhs);
  // ∂(x, ν)/∂(q, b) = K⁻¹ diag(−I, I)
  Mat dd = Mat::Identity(d + p, d + p);
  dd.topLeftCorner(d, d) *= -1;
  const Mat j_ref = k.fullPivLu().solve(dd);
  const Optimality f = kkt(qp);
  for (SolverKind s :
       {SolverKind::lu, SolverKind::gmres, SolverKind::normal_cg, SolverKind::bicgstab}) {
    LinearSolveOptions o;
    o.solver = s;
    o.tolerance = 1e-13;
    const auto res = root_jacobian(f, z, th, o);
    EXPECT_TRUE(res.worst.ok()) << to_string(s) << ": " << res.worst.message;
    EXPECT_LE((res.jacobian - j_ref).norm(), 1e-10 * j_ref.norm()) << to_string(s);
  }
}

TEST(ImplicitMappings, ProductsMatchFiniteDifferences) {
  auto rng = descent::make_rng(13, {1});
  const Mat x = descent::normal_matrix(rng, 30, 12);
  const Vec y = descent::normal_vector(rng, 30);
  const Vec th = Vec::Constant(1, 0.2);
  const Vec w = descent::normal_vector(rng, 12);
  const SmoothObjective r = ridge(x, y);
  EXPECT_LT(product_check(stationarity(r), w, th, 1), 1e-7);
  EXPECT_LT(product_check(proximal_gradient(r, lasso_prox(), Vec::Constant(1, 0.3)), w, th, 2),
            1e-7);
  EXPECT_LT(
      product_check(proximal_gradient(r, group_lasso_prox(3), Vec::Constant(1, 0.3)), w, th, 3),
      1e-7);
  EXPECT_LT(product_check(projected_gradient(r, box_projection(-0.5, 0.5), 0.3), w, th, 4), 1e-7);
  Vec steps(4);
  steps << 0.1, 0.2, 0.3, 0.4;
  EXPECT_LT(product_check(block_coordinate_descent(r, group_lasso_prox(3), steps), w, th, 5), 1e-7);
  // Softmax regression and the SVM dual, in both parameterisations of λ.
  Eigen::VectorXi lab(30);
  for (int i = 0; i < 30; ++i) lab[i] = i % 3;
  for (Reg reg : {Reg::direct, Reg::log}) {
    const SmoothObjective s = softmax_regression(x, lab, 3, reg);
    EXPECT_LT(product_check(stationarity(s), descent::normal_vector(rng, 36), th, 6), 1e-7);
    const SmoothObjective v = svm_dual(x, lab, 3, reg);
    const Optimality pg = projected_gradient(v, simplex_projection(3), 0.01);
    Vec beta = Vec::Constant(90, 1.0 / 3);
    EXPECT_LT(product_check(stationarity(v), beta, th, 7), 1e-7);
    EXPECT_LT(product_check(pg, beta + 0.01 * descent::normal_vector(rng, 90), th, 8), 1e-6);
  }
}

TEST(ImplicitMappings, FixedPointWrapperAndBadInput) {
  // T(x, θ) = θ/2 + x/2 has fixed point x = θ and ∂x/∂θ = I.
  Optimality t;
  t.dim_x = t.dim_theta = 3;
  t.value = [](const Vec& x, const Vec& th) -> Vec { return 0.5 * (x + th); };
  t.vjp_x = t.jvp_x = [](const Vec&, const Vec&, const Vec& u) -> Vec { return 0.5 * u; };
  t.vjp_theta = t.jvp_theta = [](const Vec&, const Vec&, const Vec& u) -> Vec { return 0.5 * u; };
  const Optimality f = fixed_point(t);
  const Vec th(Vec::LinSpaced(3, 1, 3));
  LinearSolveOptions o;
  o.solver = SolverKind::cg;  // ∂₁F = −I/2 is symmetric but negative definite: CG fails
  EXPECT_EQ(root_jvp(f, th, th, Vec::Ones(3), o).solve.status, descent::Status::failed);
  o.solver = SolverKind::gmres;
  EXPECT_LT((root_jacobian(f, th, th, o).jacobian - Mat::Identity(3, 3)).norm(), 1e-12);
  Optimality no_jvp = f;
  no_jvp.jvp_x = nullptr;  // finite-difference fallback
  EXPECT_LT((root_jacobian(no_jvp, th, th, o).jacobian - Mat::Identity(3, 3)).norm(), 1e-7);

  const SmoothObjective r = ridge(Mat::Identity(4, 4), Vec::Ones(4));
  EXPECT_THROW(proximal_gradient(r, lasso_prox(), Vec::Constant(2, 0.1)), descent::InvalidOption);
  EXPECT_THROW(proximal_gradient(r, lasso_prox(), Vec::Constant(1, -1.0)), descent::InvalidOption);
  EXPECT_THROW(mirror_descent_kl(r, 0.0), descent::InvalidOption);
  EXPECT_THROW(box_projection(1, 0), descent::InvalidOption);
  EXPECT_THROW(block_coordinate_descent(r, lasso_prox(), Vec::Ones(3)), descent::InvalidOption);
  EXPECT_THROW(proximal_gradient(r, group_lasso_prox(3), Vec::Constant(1, 0.1))
                   .value(Vec::Ones(4), Vec::Ones(1)),
               descent::Error);
  EXPECT_THROW(kkt(QuadraticProgram{Mat::Identity(2, 2), Mat::Ones(1, 3), Mat()}),
               descent::InvalidOption);
}

}  // namespace

namespace {

using namespace descent::implicit;

// Nested implicit differentiation (jaxopt #338/#419): a projected-gradient mapping whose
// projection (onto the simplex) is itself differentiated through its KKT conditions.
TEST(ImplicitNested, ProjectionDifferentiatedThroughItsKkt) {
  const Eigen::Index d = 5;
  const QuadraticProgram qp{Mat::Identity(d, d), Mat::Ones(1, d), -Mat::Identity(d, d)};
  const Optimality kk = kkt(qp);
  // KKT point of argmin ½||x − z||² on the simplex, from the sort-based projection.
  const auto kkt_point = [d](const Vec& z) {
    const Vec x = project_simplex(z);
    double nu = 0;
    int s = 0;
    for (Eigen::Index i = 0; i < d; ++i)
      if (x[i] > 0) nu += z[i] - x[i], ++s;
    nu /= s;
    Vec lam = (Vec::Constant(d, nu) - z + x).cwiseMax(0.0);
    for (Eigen::Index i = 0; i < d; ++i)
      if (x[i] > 0) lam[i] = 0;
    Vec out(2 * d + 1), th(2 * d + 1);
    out << x, nu, lam;
    th << -z, 1.0, Vec::Zero(d);
    return std::make_pair(out, th);
  };
  LinearSolveOptions lu;
  lu.solver = SolverKind::lu;
  Prox nested;
  nested.value = [](const Vec& z, const Vec&, const Vec&) { return project_simplex(z); };
  nested.jvp_z = [&, d](const Vec& z, const Vec&, const Vec&, const Vec& v) -> Vec {
    const auto [pt, th] = kkt_point(z);
    Vec t = Vec::Zero(2 * d + 1);
    t.head(d) = -v;  // q = −z
    return root_jvp(kk, pt, th, t, lu).value.head(d);
  };
  nested.vjp_theta = [](const Vec&, const Vec& th, const Vec&, const Vec&) -> Vec {
    return Vec::Zero(th.size());
  };
  nested.jvp_theta = [](const Vec& z, const Vec&, const Vec&, const Vec&) -> Vec {
    return Vec::Zero(z.size());
  };
  SmoothObjective dist;  // ½||x − θ||²: the fixed point is sparsemax(θ)
  dist.dim_x = dist.dim_theta = d;
  dist.grad = [](const Vec& x, const Vec& t) -> Vec { return x - t; };
  dist.hvp = [](const Vec&, const Vec&, const Vec& v) -> Vec { return v; };
  dist.cross_vjp = [](const Vec&, const Vec&, const Vec& u) -> Vec { return -u; };
  dist.cross_jvp = dist.cross_vjp;
  Vec th(d);
  th << 0.5, 0.1, 0.4, -0.3, 0.2;
  const Optimality outer = projected_gradient(dist, nested, 0.7);
  Vec x = Vec::Constant(d, 1.0 / d);
  ASSERT_TRUE(solve_fixed_point(outer, x, th, {1e-14, 10000, true}).converged());
  LinearSolveOptions o;
  o.solver = SolverKind::gmres;
  o.tolerance = 1e-13;
  const Mat j = root_jacobian(outer, x, th, o).jacobian;
  const Vec s = (project_simplex(th).array() > 0).cast<double>();
  const Mat j_ref = Mat(s.asDiagonal()) - s * s.transpose() / s.sum();
  EXPECT_LE((j - j_ref).norm(), 1e-10 * j_ref.norm());
}

}  // namespace
