// The accountant against the spec's reference values (computed independently, see
// ../shared/papers/robust_recovery_and_privacy.md section 2.1 and check P7).
#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/error.hpp"
#include "descent/privacy/accountant.hpp"

namespace descent::privacy {
namespace {

void expect_rel(double got, double want, double tol) {
  EXPECT_LE(std::abs(got - want), tol * std::abs(want)) << "got " << got << ", want " << want;
}

TEST(Accountant, TightRhoMatchesReferenceTable) {
  const double eps[] = {0.5, 1, 2, 3, 5, 8};
  const double tight[] = {0.00850537, 0.0305560, 0.108254, 0.224245, 0.550968, 1.22971};
  const double classic[] = {0.00531390, 0.0208199, 0.0800454, 0.173483, 0.449623, 1.04914};
  for (int i = 0; i < 6; ++i) {
    expect_rel(rho_of_epsilon(eps[i], 1e-5), tight[i], 1e-4);
    expect_rel(rho_of_epsilon(eps[i], 1e-5, Conversion::classic), classic[i], 1e-4);
  }
}

TEST(Accountant, DpGdSigmaWorkedExample) {
  PrivacyBudget b;
  b.epsilon = 3;
  const double sigma = calibrate_dpgd_sigma(b, 1000, 200);
  EXPECT_NEAR(sigma, 0.04223, 0.5e-5);
  expect_rel(sensitivity_multiplier(sigma, 1000), 21.117, 1e-4);
}

TEST(Accountant, CalibratedRunsSpendTheTarget) {
  for (double e : {0.5, 1.0, 3.0, 8.0}) {
    PrivacyBudget b;
    b.epsilon = e;
    const double sigma = calibrate_dpgd_sigma(b, 2000, 300);
    expect_rel(spent(b, 2000, 300, sigma, 0, 0).epsilon, e, 1e-6);
    for (std::size_t T : {1, 5, 10, 20}) {
      const Diff2Noise nz = calibrate_diff2(b, 2000, 300, T);
      expect_rel(
          spent(b, 2000, nz.restart_rounds, nz.sigma1, nz.difference_rounds, nz.sigma2).epsilon, e,
          1e-6);
    }
  }
}

TEST(Accountant, Diff2SigmasMatchSpecCalibration) {
  PrivacyBudget b;  // eps 1, delta 1e-5
  EXPECT_NEAR(calibrate_dpgd_sigma(b, 2000, 300), 0.07006, 0.5e-5);
  const Diff2Noise nz = calibrate_diff2(b, 2000, 300, 10);
  EXPECT_EQ(nz.restart_rounds, 30u);
  EXPECT_EQ(nz.difference_rounds, 270u);
  EXPECT_NEAR(nz.sigma1, 0.03133, 0.5e-5);
  EXPECT_NEAR(nz.sigma2, 0.09400, 0.5e-5);
}

TEST(Accountant, TEqualsOneGivesDpGdSigma) {
  PrivacyBudget b;
  const Diff2Noise nz = calibrate_diff2(b, 2000, 300, 1);
  EXPECT_EQ(nz.difference_rounds, 0u);
  EXPECT_EQ(nz.rho1, nz.rho);
  EXPECT_EQ(nz.sigma1, calibrate_dpgd_sigma(b, 2000, 300));
}

TEST(Accountant, TightIsNeverAboveClassic) {
  for (double rho : {1e-6, 1e-4, 0.00850537, 0.030556, 0.224245, 1.0, 10.0}) {
    for (double delta : {1e-3, 1e-5, 1e-8}) {
      EXPECT_LE(epsilon_of_rho(rho, delta), epsilon_of_rho(rho, delta, Conversion::classic));
    }
  }
  // The spec's examples: the classic epsilon at the tight rho* for eps = 1 and eps = 3.
  EXPECT_NEAR(epsilon_of_rho(rho_of_epsilon(1, 1e-5), 1e-5, Conversion::classic), 1.2168, 1e-4);
  EXPECT_NEAR(epsilon_of_rho(rho_of_epsilon(3, 1e-5), 1e-5, Conversion::classic), 3.4378, 1e-4);
}

TEST(Accountant, AdjacencyFactorFour) {
  EXPECT_DOUBLE_EQ(gaussian_rho(0.1, 100, Adjacency::replace_one),
                   4 * gaussian_rho(0.1, 100, Adjacency::add_remove));
  EXPECT_TRUE(std::isinf(gaussian_rho(0.0, 100)));
}

TEST(Accountant, SubsampledQOneIsFullBatch) {
  for (double z : {0.5, 1.0, 1.1, 3.7})
    for (int a : {2, 3, 9, 64, 256}) EXPECT_EQ(subsampled_gaussian_rdp(1.0, z, a), a / (2 * z * z));
  // Continuity towards q = 1 from the general (log-space) path.
  expect_rel(subsampled_gaussian_rdp(1.0 - 1e-12, 1.1, 8), 8 / (2 * 1.21), 1e-9);
  EXPECT_EQ(subsampled_gaussian_rdp(0.0, 1.0, 8), 0.0);
}

TEST(Accountant, SubsampledMatchesReferenceTable) {
  struct Row {
    double q, z, v[5];
  };
  const Row rows[] = {
      {0.01, 1.0, {1.7181342e-4, 3.6315405e-4, 8.9364391e-4, 3.0878508, 11.246276}},
      {0.01, 1.1, {1.2851008e-4, 2.6671831e-4, 5.8407034e-4, 1.6998267, 8.4694164}},
      {0.1, 2.0, {2.8362283e-3, 6.0032830e-3, 1.3725430e-2, 4.5291839e-2, 1.6272023}},
  };
  const int orders[] = {2, 4, 8, 16, 32};
  for (const Row& r : rows)
    for (int i = 0; i < 5; ++i)
      expect_rel(subsampled_gaussian_rdp(r.q, r.z, orders[i]), r.v[i], 1e-6);
}

TEST(Accountant, SubsampledComposition) {
  RdpAccountant acc;
  acc.compose_subsampled_gaussian(0.01, 1.1, 1000);
  const EpsilonAtOrder e = acc.epsilon(1e-5);
  EXPECT_NEAR(e.epsilon, 1.7253, 1e-4);
  EXPECT_EQ(e.order, 9.0);
  EXPECT_THROW(acc.epsilon(1e-5, Conversion::classic), Error);
}

TEST(Accountant, SamplingNothingCostsNothing) {
  // q = 0 releases no record: epsilon is 0, not the conversion's log(1/delta)/(alpha - 1).
  RdpAccountant acc;
  acc.compose_subsampled_gaussian(0.0, 1.1, 1000);
  EXPECT_EQ(acc.epsilon(1e-5).epsilon, 0.0);
  acc.compose_subsampled_gaussian(0.01, 1.1, 1);
  EXPECT_GT(acc.epsilon(1e-5).epsilon, 0.0);
}

TEST(Accountant, GaussianAccountantMatchesEpsilonOfRho) {
  RdpAccountant acc;
  acc.compose_gaussian(gaussian_rho(0.07, 2000), 300);
  EXPECT_DOUBLE_EQ(acc.epsilon(1e-5).epsilon, epsilon_of_rho(acc.rho(), 1e-5));
}

TEST(Accountant, InvalidInputsNameTheField) {
  PrivacyBudget b;
  b.delta = 0;
  try {
    b.validate();
    FAIL();
  } catch (const InvalidOption& e) {
    EXPECT_EQ(e.field(), "delta");
  }
  EXPECT_THROW(rho_of_epsilon(-1, 1e-5), InvalidOption);
  EXPECT_THROW(subsampled_gaussian_rdp(0.1, 1.0, 1), InvalidOption);
  EXPECT_THROW(adjacency_from_string("neighbour"), Error);
}

}  // namespace
}  // namespace descent::privacy
