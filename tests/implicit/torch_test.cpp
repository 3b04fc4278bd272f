// The torch::autograd::Function front end against the Eigen path: same hypergradients for the
// symmetric (ridge) and the non-symmetric (lasso prox-gradient) adjoint systems.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/implicit/inner.hpp"
#include "descent/implicit/objectives.hpp"
#include "descent/implicit_torch/custom_root.hpp"

namespace {

using namespace descent;
using implicit::Mat;
using implicit::Vec;

torch::Tensor t(const Mat& m) {
  // Eigen is column-major: build the row-major tensor from the transpose.
  const Mat mt = m.transpose();
  return torch::from_blob(const_cast<double*>(mt.data()), {m.rows(), m.cols()}, torch::kFloat64)
      .clone();
}
torch::Tensor t(const Vec& v) {
  return torch::from_blob(const_cast<double*>(v.data()), {v.size()}, torch::kFloat64).clone();
}

struct Data {
  Mat x, xv;
  Vec y, yv;
};

Data make(std::uint64_t seed, Eigen::Index n, Eigen::Index p) {
  auto rng = descent::make_rng(seed, {1});
  Data d{descent::normal_matrix(rng, n, p), descent::normal_matrix(rng, n, p),
         descent::normal_vector(rng, n), descent::normal_vector(rng, n)};
  return d;
}

TEST(ImplicitTorch, RidgeHypergradientMatchesEigenPath) {
  torch::set_num_threads(1);
  const Data d = make(3, 40, 8);
  const auto X = t(d.x), Y = t(d.y), XV = t(d.xv), YV = t(d.yv);
  const double n = 40;
  const auto f = [&](const torch::Tensor& w, const torch::Tensor& th) {
    return torch::matmul(X.t(), torch::matmul(X, w) - Y) / n + th * w;
  };
  const auto solver = [&](const torch::Tensor& th) {
    const auto h = torch::matmul(X.t(), X) / n + th.item<double>() * torch::eye(8, torch::kFloat64);
    return torch::linalg::solve(h, torch::matmul(X.t(), Y) / n, true);
  };
  const double lam = 0.3;
  const Vec w = (d.x.transpose() * d.x / n + lam * Mat::Identity(8, 8))
                    .ldlt()
                    .solve(d.x.transpose() * d.y / n);
  const Vec gv = d.xv.transpose() * (d.xv * w - d.yv) / 40.0;
  const double eigen_grad = implicit::root_vjp(implicit::stationarity(implicit::ridge(d.x, d.y)), w,
                                               Vec::Constant(1, lam), gv)
                                .value[0];
  for (implicit::SolverKind k :
       {implicit::SolverKind::cg, implicit::SolverKind::normal_cg, implicit::SolverKind::gmres}) {
    implicit::LinearSolveOptions o;
    o.solver = k;
    o.tolerance = 1e-12;
    implicit_torch::TorchCustomRoot root(solver, f, o);
    auto th = torch::full({1}, lam, torch::kFloat64).requires_grad_(true);
    const auto ws = root(th);
    const auto loss = 0.5 * (torch::matmul(XV, ws) - YV).pow(2).sum() / 40.0;
    loss.backward();
    EXPECT_TRUE(root.last_solve().ok()) << implicit::to_string(k);
    EXPECT_NEAR(th.grad().item<double>(), eigen_grad, 1e-9 * std::abs(eigen_grad))
        << implicit::to_string(k);
  }
}

TEST(ImplicitTorch, LassoFixedPointNeedsANonSymmetricSolver) {
  torch::set_num_threads(1);
  const Data d = make(5, 30, 60);
  const double n = 30;
  const double eta = 1.0 / implicit::least_squares_lipschitz(d.x);
  const double lam = 0.2 * (d.x.transpose() * d.y).cwiseAbs().maxCoeff() / n;
  const implicit::Optimality fe = implicit::proximal_gradient(
      implicit::least_squares(d.x, d.y), implicit::lasso_prox(), Vec::Constant(1, eta));
  Vec w = Vec::Zero(60);
  implicit::solve_fixed_point(fe, w, Vec::Constant(1, lam), {1e-12, 50000, true});
  w = implicit::lasso_refit_on_support(d.x, d.y, lam, w);
  const Vec j_ref = implicit::lasso_support_jacobian(d.x, w);
  const Vec cot = Vec::LinSpaced(60, -1, 1);
  const auto X = t(d.x), Y = t(d.y), W = t(w), C = t(cot);
  const auto f = [&](const torch::Tensor& x, const torch::Tensor& th) {
    const auto z = x - eta * torch::matmul(X.t(), torch::matmul(X, x) - Y) / n;
    return torch::sign(z) * torch::relu(z.abs() - eta * th) - x;
  };
  const auto solver = [&](const torch::Tensor&) { return W.clone(); };
  for (implicit::SolverKind k :
       {implicit::SolverKind::normal_cg, implicit::SolverKind::gmres, implicit::SolverKind::cg}) {
    implicit::LinearSolveOptions o;
    o.solver = k;
    o.tolerance = 1e-12;
    implicit_torch::TorchCustomRoot root(solver, f, o);
    auto th = torch::full({1}, lam, torch::kFloat64).requires_grad_(true);
    (root(th) * C).sum().backward();
    if (k == implicit::SolverKind::cg) {
      EXPECT_TRUE(root.last_solve().nonsymmetric);
      EXPECT_EQ(root.last_solve().status, descent::Status::failed);
    } else {
      EXPECT_TRUE(root.last_solve().ok()) << implicit::to_string(k);
      EXPECT_NEAR(th.grad().item<double>(), cot.dot(j_ref), 1e-8 * std::abs(cot.dot(j_ref)))
          << implicit::to_string(k);
    }
  }
}

TEST(ImplicitTorch, BadInputThrows) {
  EXPECT_THROW(implicit_torch::TorchCustomRoot(
                   nullptr, [](const torch::Tensor& x, const torch::Tensor&) { return x; }),
               descent::Error);
  implicit::LinearSolveOptions o;
  o.tolerance = 0;
  EXPECT_THROW(implicit_torch::TorchCustomRoot(
                   [](const torch::Tensor& th) { return th; },
                   [](const torch::Tensor& x, const torch::Tensor&) { return x; }, o),
               descent::InvalidOption);
}

}  // namespace
