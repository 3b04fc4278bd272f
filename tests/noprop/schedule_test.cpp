// NoProp-DT's schedule and noising process (spec 2.5, maths): the SNR identity, chained
// sampling against the closed-form marginal (1e5 samples), and the KL term against Monte Carlo.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "descent/core/error.hpp"
#include "descent/noprop/schedule.hpp"

namespace {

using descent::noprop::NoiseSchedule;

TEST(NoPropSchedule, SnrIdentityHoldsForEveryBlock) {
  for (int T : {1, 2, 10, 50}) {
    const NoiseSchedule s = NoiseSchedule::cosine(T);
    EXPECT_NEAR(s.alpha_bar(0), 1e-4, 1e-12);
    EXPECT_NEAR(s.alpha_bar(T), 0.9999, 1e-12);
    for (int t = 1; t <= T; ++t) {
      const double lhs = s.a(t) * s.a(t) / s.c(t), rhs = s.snr(t) - s.snr(t - 1);
      EXPECT_NEAR(lhs / rhs, 1.0, 1e-6) << "T " << T << " t " << t;
      EXPECT_GT(s.alpha_bar(t), s.alpha_bar(t - 1));
      // The posterior mean maps the marginal mean at t−1 to the one at t.
      EXPECT_NEAR(s.a(t) + s.b(t) * std::sqrt(s.alpha_bar(t - 1)), std::sqrt(s.alpha_bar(t)),
                  1e-12);
    }
  }
  EXPECT_THROW(NoiseSchedule::cosine(0), descent::InvalidOption);
  EXPECT_THROW(NoiseSchedule::from_alpha_bar({0.5, 0.4}), descent::InvalidOption);
}

TEST(NoPropSchedule, ChainedSamplingMatchesTheMarginal) {
  // z_0 ~ q(z_0 | y), then z_t ~ q(z_t | z_{t−1}, y): every z_t has mean √ᾱ_t u and variance
  // 1 − ᾱ_t (1e5 samples, one coordinate with u = 0.8; within 1 %).
  const NoiseSchedule s = NoiseSchedule::cosine(10);
  const double u = 0.8;
  const int n = 100000;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> g;
  std::vector<double> z(n);
  for (double& v : z) v = std::sqrt(s.alpha_bar(0)) * u + std::sqrt(1 - s.alpha_bar(0)) * g(rng);
  for (int t = 1; t <= 10; ++t) {
    double sum = 0, sq = 0;
    for (double& v : z) {
      v = s.a(t) * u + s.b(t) * v + std::sqrt(s.c(t)) * g(rng);
      sum += v;
      sq += v * v;
    }
    const double mean = sum / n, var = sq / n - mean * mean;
    const double m_ref = std::sqrt(s.alpha_bar(t)) * u, v_ref = 1 - s.alpha_bar(t);
    EXPECT_NEAR(mean, m_ref, 0.01 * std::max(std::abs(m_ref), std::sqrt(v_ref))) << t;
    EXPECT_NEAR(var / v_ref, 1.0, 0.01) << t;
  }
}

TEST(NoPropSchedule, KlClosedFormMatchesMonteCarlo) {
  // KL(N(√ᾱ u, (1 − ᾱ) I) ‖ N(0, I)) = E_q[log q(z) − log p(z)], 1e5 samples, within 1 %.
  const std::vector<double> u = {0.9, -0.4, 0.3};
  for (double ab : {0.3, 0.7}) {
    const double closed = descent::noprop::kl_to_standard_normal(ab, u);
    std::mt19937_64 rng(11);
    std::normal_distribution<double> g;
    const double var = 1 - ab;
    double total = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) {
      double lq = 0, lp = 0;
      for (double ud : u) {
        const double e = g(rng), z = std::sqrt(ab) * ud + std::sqrt(var) * e;
        lq += -0.5 * e * e - 0.5 * std::log(var);
        lp += -0.5 * z * z;
      }
      total += lq - lp;
    }
    EXPECT_NEAR(total / n / closed, 1.0, 0.01) << ab;
  }
}

}  // namespace
