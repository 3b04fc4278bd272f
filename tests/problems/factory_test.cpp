#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "descent/core/error.hpp"
#include "descent/problems/factory.hpp"
#include "descent/problems/regression.hpp"

namespace descent::problems {
namespace {

TEST(Factory, LogSumExpInstance) {
  const Instance in = make_instance("logsumexp:n=30,m=20,mu=0.5", 3);
  EXPECT_EQ(in.oracle->dimension(), 30);
  ASSERT_TRUE(in.optimal_value.has_value());
  EXPECT_DOUBLE_EQ(*in.optimal_value, in.oracle->value(Eigen::VectorXd::Zero(30)));
  EXPECT_EQ(in.metric.rows(), 30);
  EXPECT_EQ(in.default_approximation, HessianApproximation::weighted_gauss_newton);
  EXPECT_TRUE(in.x0.isOnes());
}

TEST(Factory, SameSeedSameInstance) {
  const Instance a = make_instance("logsumexp:n=10,m=10", 5);
  const Instance b = make_instance("logsumexp:n=10,m=10", 5);
  const Instance c = make_instance("logsumexp:n=10,m=10", 6);
  EXPECT_EQ(a.oracle->value(a.x0), b.oracle->value(b.x0));
  EXPECT_NE(a.oracle->value(a.x0), c.oracle->value(c.x0));
}

TEST(Factory, EquationInstances) {
  const Instance nle = make_instance("nle:p=4,m=10,n=20", 1);
  EXPECT_EQ(*nle.optimal_value, 0.0);
  EXPECT_LT(nle.oracle->value(*nle.optimum), 1e-30);
  EXPECT_EQ(nle.default_approximation, HessianApproximation::fisher);
  const Instance ch = make_instance("chebyshev:n=50", 1);
  EXPECT_EQ(ch.oracle->value(*ch.optimum), 0.0);
  EXPECT_TRUE((ch.x0.array() >= 0).all() && (ch.x0.array() <= 1).all());
  const Instance rb = make_instance("rosenbrock:p=5", 1);
  EXPECT_EQ(rb.oracle->value(*rb.optimum), 0.0);
}

TEST(Factory, Errors) {
  EXPECT_THROW(make_instance("nope"), Error);
  EXPECT_THROW(make_instance("logsumexp:q=3"), Error);
  EXPECT_THROW(make_instance("logsumexp:n=abc"), Error);
  EXPECT_THROW(make_instance("chebyshev:n=0"), Error);
  EXPECT_THROW(make_instance("logreg"), Error);
  EXPECT_THROW(make_instance("logreg:/no/such/file.csv"), Error);
}

// A regression file given to a classification problem used to become "100 classes".
TEST(Factory, ContinuousLabelsAreRefused) {
  const std::string path = ::testing::TempDir() + "descent_regr_labels.csv";
  {
    std::ofstream out(path);
    out << "x,y\n";
    for (int i = 0; i < 20; ++i) out << i << "," << 0.37 * i << "\n";
  }
  try {
    load_classification(path);
    ADD_FAILURE() << "continuous labels accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("class labels must be integers"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(make_instance("softmax:" + path), Error);
  std::remove(path.c_str());
}

TEST(Factory, RegressionOnBundledData) {
  Instance in;
  try {
    in = make_instance("logreg:breast-cancer", 0);
  } catch (const Error& e) {
    GTEST_SKIP() << "breast-cancer not installed: " << e.what();
  }
  EXPECT_EQ(in.oracle->dimension(), 31);
  EXPECT_NEAR(in.oracle->value(in.x0), std::log(2.0), 1e-12);
  EXPECT_THROW(make_instance("logreg:digits", 0), Error);  // 10 classes
}

}  // namespace
}  // namespace descent::problems
