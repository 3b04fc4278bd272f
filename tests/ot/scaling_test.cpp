// The scaling-domain fast path of Sinkhorn: the same iterates as the log domain where both run,
// absorption at large eta, the switch to the log domain when the kernel underflows, threads.
#include <gtest/gtest.h>

#include <cmath>

#include "descent/core/rng.hpp"
#include "descent/ot/ot.hpp"

namespace descent::ot {
namespace {

Result run(const Problem& p, double eta, SinkhornDomain domain, double tol = 1e-11,
           int threads = 1) {
  SinkhornOptions o;
  o.eta = eta;
  o.tolerance = tol;
  o.domain = domain;
  o.threads = threads;
  o.max_iterations = 200000;
  return sinkhorn(p, o);
}

double counter(const Result& r, const char* key) {
  const auto it = r.summary.counters.find(key);
  return it == r.summary.counters.end() ? 0.0 : it->second;
}

// Both domains for exactly `iterations` iterations (tolerance 0).
void expect_same_iterates(const Problem& p, double eta, std::size_t iterations, double tol) {
  SinkhornOptions o;
  o.eta = eta;
  o.tolerance = 0.0;
  o.max_iterations = iterations;
  o.domain = SinkhornDomain::log;
  const Result log = sinkhorn(p, o);
  o.domain = SinkhornDomain::automatic;
  const Result fast = sinkhorn(p, o);
  // Tolerance 0 is met early only where the scaling domain's error is exactly 0 (machine
  // precision: the iterates agree to rounding however long the log domain goes on).
  if (fast.summary.converged())
    EXPECT_EQ(fast.error_history.back().error, 0.0);
  else
    EXPECT_EQ(fast.summary.iterations, iterations) << fast.summary.brief();
  EXPECT_EQ(counter(fast, "domain_switches"), 0.0);
  EXPECT_EQ(counter(fast, "scaling_iterations"), double(fast.summary.iterations));
  EXPECT_LE((fast.x - log.x).cwiseAbs().maxCoeff(), tol);
  EXPECT_LE((fast.y - log.y).cwiseAbs().maxCoeff(), tol);
  EXPECT_NEAR(fast.marginal_error, log.marginal_error, 1e-9 * log.marginal_error + 1e-14);
}

TEST(OtScalingDomain, SameIteratesAsTheLogDomain) {
  Rng rng = make_rng(21, {1});
  const Problem clouds = uniform_clouds(150, rng);  // costs in [0, 1]
  const Problem assignment = random_assignment(120, rng);
  for (const Problem* p : {&clouds, &assignment})
    for (const double eta : {10.0, 100.0, 1200.0}) {
      SCOPED_TRACE("eta " + std::to_string(eta));
      expect_same_iterates(*p, eta, 300, 1e-10);
    }
}

TEST(OtScalingDomain, ConvergesToTheLogDomainResult) {
  Rng rng = make_rng(21, {6});
  const Problem p = uniform_clouds(150, rng);
  for (const double eta : {10.0, 100.0}) {
    const Result log = run(p, eta, SinkhornDomain::log);
    const Result fast = run(p, eta, SinkhornDomain::automatic);
    ASSERT_TRUE(log.summary.converged()) << log.summary.brief();
    ASSERT_TRUE(fast.summary.converged()) << fast.summary.brief();
    EXPECT_NEAR(double(fast.summary.iterations), double(log.summary.iterations), 1.0);
    EXPECT_LE((fast.x - log.x).cwiseAbs().maxCoeff(), 1e-10);
    EXPECT_LE((fast.y - log.y).cwiseAbs().maxCoeff(), 1e-10);
    EXPECT_LE((fast.plan - log.plan).cwiseAbs().sum(), 1e-10);
    EXPECT_LE(fast.marginal_error, 2e-11);
    EXPECT_NEAR(fast.summary.objective, log.summary.objective, 1e-12);
  }
}

TEST(OtScalingDomain, AbsorbsWhereThePlainKernelUnderflows) {
  Rng rng = make_rng(21, {2});
  const Problem p = uniform_clouds(100, rng);
  // exp(-eta C) is 0 for C > 0.142 at eta = 5000: plain scaling Sinkhorn (POT's `sinkhorn`)
  // cannot run; with absorption every K entry that matters is representable.
  EXPECT_EQ(std::exp(-5000.0 * 0.15), 0.0);
  expect_same_iterates(p, 5000.0, 2000, 1e-10);
  SinkhornOptions o;
  o.eta = 5000.0;
  o.tolerance = 0.0;
  o.max_iterations = 2000;
  EXPECT_GT(counter(sinkhorn(p, o), "absorptions"), 0.0);
}

TEST(OtScalingDomain, SwitchesToTheLogDomainWhenAColumnUnderflows) {
  Rng rng = make_rng(21, {3});
  const Problem p = random_assignment(40, rng);
  // At eta = 1e5 some column of exp(-eta C + alpha) is 0 after the first row update.
  SinkhornOptions o;
  o.eta = 1e5;
  o.tolerance = 0.0;
  o.max_iterations = 500;
  o.domain = SinkhornDomain::scaling;
  const Result forced = sinkhorn(p, o);
  EXPECT_EQ(forced.summary.status, Status::diverged) << forced.summary.brief();
  EXPECT_NE(forced.summary.message.find("underflowed"), std::string::npos);
  o.domain = SinkhornDomain::automatic;
  const Result fast = sinkhorn(p, o);
  o.domain = SinkhornDomain::log;
  const Result log = sinkhorn(p, o);
  EXPECT_EQ(counter(fast, "domain_switches"), 1.0);
  EXPECT_EQ(fast.summary.iterations, 500u);
  ASSERT_TRUE(fast.x.allFinite() && fast.y.allFinite());
  // The log domain takes over the same iterate, so the iterates still agree.
  EXPECT_LE((fast.x - log.x).cwiseAbs().maxCoeff(), 1e-10);
  EXPECT_LE((fast.y - log.y).cwiseAbs().maxCoeff(), 1e-10);
}

TEST(OtScalingDomain, ThreadCountDoesNotChangeABit) {
  Rng rng = make_rng(21, {4});
  const Problem p = uniform_clouds(210, rng);
  const Result one = run(p, 300.0, SinkhornDomain::automatic, 1e-11, 1);
  const Result two = run(p, 300.0, SinkhornDomain::automatic, 1e-11, 2);
  ASSERT_TRUE(one.summary.converged());
  EXPECT_EQ(one.summary.iterations, two.summary.iterations);
  EXPECT_EQ(one.x, two.x);
  EXPECT_EQ(one.y, two.y);
}

TEST(OtScalingDomain, EpsilonScalingUsesItToo) {
  Rng rng = make_rng(21, {5});
  const Problem p = uniform_clouds(90, rng);
  EpsilonScalingOptions e;
  e.sinkhorn.eta = 400.0;
  e.sinkhorn.tolerance = 1e-10;
  const Result fast = sinkhorn_epsilon_scaling(p, e);
  e.sinkhorn.domain = SinkhornDomain::log;
  const Result log = sinkhorn_epsilon_scaling(p, e);
  ASSERT_TRUE(fast.summary.converged()) << fast.summary.brief();
  ASSERT_TRUE(log.summary.converged()) << log.summary.brief();
  EXPECT_GT(counter(fast, "scaling_iterations"), 0.0);
  EXPECT_LE((fast.plan - log.plan).cwiseAbs().sum(), 1e-9);
}

TEST(OtScalingDomain, BadThresholdIsAnOptionError) {
  SinkhornOptions o;
  o.absorb_threshold = 0.0;
  EXPECT_THROW(o.validate(), InvalidOption);
  o.absorb_threshold = 101.0;
  EXPECT_THROW(o.validate(), InvalidOption);
}

}  // namespace
}  // namespace descent::ot
