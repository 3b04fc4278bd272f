// The Jacobi spectral radius and Young's optimal omega.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "descent/core/error.hpp"
#include "descent/linalg/generators.hpp"
#include "descent/linalg/spectral.hpp"

namespace {

using namespace descent;
using namespace descent::linalg;

// For the m x m 5-point Laplacian plus c I: beta = 4 cos(pi / (m + 1)) / (4 + c).
double analytic_beta(int m, double c) {
  return 4.0 * std::cos(std::numbers::pi / (m + 1)) / (4.0 + c);
}

TEST(Spectral, JacobiRadiusOfShiftedLaplacians) {
  for (double c : {-0.15, 0.0, 0.3}) {
    const SparseMatrix a = shift_diagonal(laplacian_2d(10), c);
    EXPECT_NEAR(jacobi_spectral_radius(a), analytic_beta(10, c), 1e-12);
  }
  // The Lanczos path on a larger grid.
  SpectralOptions lanczos;
  lanczos.dense_limit = 0;
  const SparseMatrix big = shift_diagonal(laplacian_2d(60), 0.1);
  EXPECT_NEAR(jacobi_spectral_radius(big, lanczos), analytic_beta(60, 0.1), 1e-9);
  // 3-D: beta = cos(pi/(m+1)) (6/6).
  EXPECT_NEAR(jacobi_spectral_radius(laplacian_3d(6)), std::cos(std::numbers::pi / 7), 1e-12);
}

TEST(Spectral, OmegaFormulaForms) {
  for (double beta : {0.0, 0.5, 0.9, 0.99}) {
    const double w = optimal_sor_omega(beta);
    EXPECT_NEAR(w, 2.0 / (1.0 + std::sqrt(1.0 - beta * beta)), 1e-14);
    EXPECT_NEAR(w, 1.0 + beta * beta / std::pow(1.0 + std::sqrt(1.0 - beta * beta), 2), 1e-14);
  }
  EXPECT_THROW(optimal_sor_omega(1.0), Error);
  EXPECT_THROW(optimal_sor_omega(-0.1), Error);
}

TEST(Spectral, OmegaStarIsTheGridMinimumOfTheSorRate) {
  // Acceptance: omega* lies within one grid step (0.01) of the brute-force minimiser of
  // rho(C_omega) over omega in [1, 1.99] for c in [-0.15, 0.45].
  const SparseMatrix base = laplacian_2d(10);
  for (double c = -0.15; c <= 0.45 + 1e-12; c += 0.1) {
    const SparseMatrix a = shift_diagonal(base, c);
    const double star = optimal_sor_omega(a);
    double best_w = 1.0, best_rho = INFINITY;
    for (int i = 0; i <= 99; ++i) {
      const double w = 1.0 + 0.01 * i;
      const double rho = sor_spectral_radius(a, w);
      if (rho < best_rho) best_rho = rho, best_w = w;
    }
    EXPECT_LE(std::abs(best_w - star), 0.01 + 1e-12) << "c = " << c << " omega* = " << star;
    // Young: rho(C_omega*) = omega* - 1.
    EXPECT_NEAR(sor_spectral_radius(a, star), star - 1.0, 2e-3);
  }
}

}  // namespace
