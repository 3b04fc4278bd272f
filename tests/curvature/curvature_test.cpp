// The Eigen-level curvature algorithms on matrices with known spectra.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/curvature/hutchinson.hpp"
#include "descent/curvature/lanczos.hpp"
#include "descent/curvature/power_iteration.hpp"
#include "descent/curvature/slq.hpp"

namespace {

using namespace descent;
using namespace descent::curvature;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Q diag(λ) Qᵀ with a random orthogonal Q.
MatrixXd with_spectrum(const VectorXd& lambda, std::uint64_t seed) {
  Rng rng = make_rng(seed, {11});
  const Eigen::HouseholderQR<MatrixXd> qr(normal_matrix(rng, lambda.size(), lambda.size()));
  const MatrixXd q = qr.householderQ();
  return q * lambda.asDiagonal() * q.transpose();
}

MatrixXd random_symmetric(Eigen::Index n, std::uint64_t seed) {
  Rng rng = make_rng(seed, {12});
  const MatrixXd a = normal_matrix(rng, n, n);
  return (a + a.transpose()) / std::sqrt(2.0 * n);
}

TEST(Lanczos, ExtremeEigenvaluesOfARandomMatrix) {
  const MatrixXd a = random_symmetric(300, 1);
  const VectorXd exact = Eigen::SelfAdjointEigenSolver<MatrixXd>(a).eigenvalues();
  LanczosOptions o;
  o.steps = 150;
  o.ritz_vectors = true;
  const LanczosResult r = lanczos(dense_operator(a), o);
  ASSERT_EQ(r.status, Status::converged);
  EXPECT_EQ(r.steps, 150u);
  EXPECT_NEAR(r.lambda_max(), exact(299), 1e-8);
  EXPECT_NEAR(r.lambda_min(), exact(0), 1e-8);
  EXPECT_NEAR(r.weights.sum(), 1.0, 1e-12);
  // The top Ritz pair is an eigenpair, and its residual estimate is honest.
  const VectorXd u = r.ritz_vectors.col(r.ritz_vectors.cols() - 1);
  EXPECT_NEAR(u.norm(), 1.0, 1e-10);
  const double res = (a * u - r.lambda_max() * u).norm();
  EXPECT_LT(res, 1e-6);
  EXPECT_NEAR(res, r.residuals(r.residuals.size() - 1), 1e-8);
}

TEST(Lanczos, FullReorthogonalisationAvoidsGhostEigenvalues) {
  // A few large, well separated eigenvalues converge early; without re-orthogonalisation they
  // reappear as spurious copies.
  VectorXd lambda = VectorXd::LinSpaced(200, 0.0, 1.0);
  lambda.tail(3) << 50, 80, 100;
  const MatrixXd a = with_spectrum(lambda, 2);
  LanczosOptions o;
  o.steps = 120;
  const auto count_near = [](const VectorXd& v, double x) {
    return ((v.array() - x).abs() < 1e-6).count();
  };
  const LanczosResult good = lanczos(dense_operator(a), o);
  EXPECT_EQ(count_near(good.ritz_values, 100), 1);
  o.full_reorthogonalization = false;
  const LanczosResult plain = lanczos(dense_operator(a), o);
  EXPECT_GT(count_near(plain.ritz_values, 100), 1);
}

TEST(Lanczos, StopsOnAnInvariantSubspace) {
  VectorXd lambda = VectorXd::Zero(50);
  lambda.head(4) << 1, 2, 3, 4;
  const LanczosResult r = lanczos(dense_operator(with_spectrum(lambda, 3)), {.steps = 30});
  EXPECT_EQ(r.status, Status::converged);
  EXPECT_LE(r.steps, 6u);  // rank 4 plus the null-space component of the start vector
  EXPECT_NEAR(r.lambda_max(), 4.0, 1e-10);
}

TEST(Lanczos, ReportsDivergenceOnNonFiniteProducts) {
  const SymmetricOperator bad =
      symmetric_operator(5, [](std::span<const double>, std::span<double> out) {
        for (double& o : out) o = std::nan("");
      });
  const LanczosResult r = lanczos(bad);
  EXPECT_EQ(r.status, Status::diverged);
  EXPECT_TRUE(std::isnan(r.lambda_max()));
}

TEST(Lanczos, RejectsBadOptions) {
  const MatrixXd a = MatrixXd::Identity(3, 3);
  EXPECT_THROW(lanczos(dense_operator(a), {.steps = 0}), InvalidOption);
  EXPECT_THROW(lanczos(dense_operator(a), {}, VectorXd::Zero(3)), InvalidOption);
}

TEST(Slq, QuadratureIsExactForLowDegreeMoments) {
  const MatrixXd a = random_symmetric(120, 4);
  SlqOptions o;
  o.steps = 10;
  o.probes = 5;
  o.seed = 9;
  const SpectralDensity d = slq(dense_operator(a), o);
  ASSERT_EQ(d.status, Status::converged);
  EXPECT_NEAR(d.weights.sum(), 1.0, 1e-12);
  // Gauss quadrature with m nodes integrates degree ≤ 2m − 1 exactly: each probe's
  // Σ τ_j θ_j^k equals vᵀ A^k v / ||v||² for the same Rademacher v.
  for (int k = 0; k <= 19; ++k) {
    double expected = 0;
    for (std::size_t p = 0; p < o.probes; ++p) {
      Rng rng = make_rng(o.seed, {p});
      VectorXd v = rademacher_vector(rng, a.rows());
      v.normalize();
      VectorXd w = v;
      for (int i = 0; i < k; ++i) w = a * w;
      expected += v.dot(w) / double(o.probes);
    }
    EXPECT_NEAR(d.moment(k), expected, 1e-9 * std::max(1.0, std::abs(expected))) << "k = " << k;
  }
}

TEST(Slq, MatchesTheExactSpectrumMoments) {
  // For a diagonal matrix a Rademacher probe gives vᵀ A^k v / n = tr(A^k)/n exactly, so the SLQ
  // moments equal the exact spectral moments (1/n) Σ λ_i^k.
  const VectorXd lambda = VectorXd::LinSpaced(80, -1.0, 3.0).array().cube();
  const MatrixXd a = lambda.asDiagonal();
  const SpectralDensity d = slq(dense_operator(a), {.steps = 12, .probes = 2});
  for (int k = 1; k <= 6; ++k)
    EXPECT_NEAR(d.moment(k), lambda.array().pow(k).mean(),
                1e-9 * lambda.array().pow(k).abs().mean());
  EXPECT_NEAR(d.trace(), lambda.sum(), 1e-8);
}

TEST(Slq, SmoothedDensityIntegratesToOne) {
  const MatrixXd a = random_symmetric(100, 5);
  const SpectralDensity d = slq(dense_operator(a), {.steps = 30, .probes = 3});
  const double sigma = 0.05;
  const VectorXd grid = d.default_grid(sigma, 2000);
  const VectorXd rho = d.smoothed(grid, sigma);
  const double h = grid(1) - grid(0);
  const double integral = h * (rho.sum() - 0.5 * (rho(0) + rho(rho.size() - 1)));
  EXPECT_NEAR(integral, 1.0, 1e-3);
  EXPECT_TRUE((rho.array() >= 0).all());
}

TEST(Hutchinson, WithinFourSigmaOfTheExactTrace) {
  const MatrixXd a = with_spectrum(VectorXd::LinSpaced(60, -0.5, 4.0), 6);
  HutchinsonOptions o;
  o.max_probes = 1000;
  o.keep_samples = true;
  const TraceEstimate t = hutchinson(dense_operator(a), o);
  EXPECT_EQ(t.status, Status::converged);
  EXPECT_EQ(t.probes, 1000u);
  EXPECT_EQ(t.samples.size(), 1000u);
  const double sigma = std::sqrt(hutchinson_variance(a) / 1000.0);
  EXPECT_LT(std::abs(t.trace - a.trace()), 4 * sigma);
  // The empirical standard error estimates the analytic one.
  EXPECT_NEAR(t.standard_error, sigma, 0.2 * sigma);
}

TEST(Hutchinson, VarianceStoppingRuleStopsEarly) {
  const MatrixXd a = with_spectrum(VectorXd::LinSpaced(60, 1.0, 4.0), 7);
  HutchinsonOptions o;
  o.relative_tolerance = 0.01;
  o.max_probes = 100000;
  const TraceEstimate t = hutchinson(dense_operator(a), o);
  EXPECT_EQ(t.status, Status::converged);
  EXPECT_GE(t.probes, o.min_probes);
  EXPECT_LT(t.probes, o.max_probes);
  EXPECT_LE(t.standard_error, 0.01 * std::abs(t.trace));
  // A tolerance it cannot reach in the budget ends at the cap.
  o.relative_tolerance = 1e-9;
  o.max_probes = 50;
  EXPECT_EQ(hutchinson(dense_operator(a), o).status, Status::max_iterations);
  // An exactly diagonal matrix has zero probe variance.
  const MatrixXd diag = VectorXd::LinSpaced(10, 1, 10).asDiagonal();
  const TraceEstimate td = hutchinson(dense_operator(diag), {.relative_tolerance = 1e-12});
  EXPECT_DOUBLE_EQ(td.trace, 55.0);
  EXPECT_EQ(td.probes, 10u);
}

TEST(PowerIteration, TopKWithDeflation) {
  VectorXd lambda = VectorXd::LinSpaced(40, 0.0, 1.0);
  lambda.tail(3) << 6, 8, 10;
  const MatrixXd a = with_spectrum(lambda, 8);
  PowerIterationOptions o;
  o.top_k = 3;
  o.tolerance = 1e-13;
  const EigenPairs e = power_iteration(dense_operator(a), o);
  ASSERT_EQ(e.status, Status::converged);
  EXPECT_NEAR(e.values(0), 10, 1e-8);
  EXPECT_NEAR(e.values(1), 8, 1e-8);
  EXPECT_NEAR(e.values(2), 6, 1e-8);
  for (int i = 0; i < 3; ++i)
    EXPECT_LT((a * e.vectors.col(i) - e.values(i) * e.vectors.col(i)).norm(), 1e-5);
  EXPECT_NEAR(std::abs(e.vectors.col(0).dot(e.vectors.col(1))), 0.0, 1e-6);
}

TEST(PowerIteration, CapAndDivergenceAreReported) {
  const MatrixXd a = with_spectrum(VectorXd::LinSpaced(30, 1.0, 1.01), 9);  // tiny gap
  PowerIterationOptions o;
  o.max_iterations = 3;
  o.tolerance = 1e-15;
  EXPECT_EQ(power_iteration(dense_operator(a), o).status, Status::max_iterations);
  const SymmetricOperator bad =
      symmetric_operator(4, [](std::span<const double>, std::span<double> out) {
        for (double& x : out) x = INFINITY;
      });
  EXPECT_EQ(power_iteration(bad).status, Status::diverged);
  EXPECT_THROW(power_iteration(dense_operator(a), {.top_k = 31}), InvalidOption);
}

TEST(Operators, GramAndDeflationAndMaterialize) {
  Rng rng = make_rng(10);
  const MatrixXd j = normal_matrix(rng, 7, 5);
  const MatrixXd g = j.transpose() * j / 7.0;
  EXPECT_LT((materialize(gram_operator(j)) - g).norm(), 1e-12);
  const Eigen::SelfAdjointEigenSolver<MatrixXd> es(g);
  const SymmetricOperator def =
      deflated(dense_operator(g), es.eigenvalues().tail(2), es.eigenvectors().rightCols(2));
  const VectorXd rest = Eigen::SelfAdjointEigenSolver<MatrixXd>(materialize(def)).eigenvalues();
  EXPECT_NEAR(rest.maxCoeff(), es.eigenvalues()(2), 1e-12);
}

}  // namespace
