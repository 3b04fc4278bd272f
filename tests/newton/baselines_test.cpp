#include <gtest/gtest.h>

#include "descent/core/error.hpp"
#include "descent/newton/cubic_newton.hpp"
#include "descent/newton/gradient_methods.hpp"
#include "descent/newton/methods.hpp"
#include "descent/newton/super_universal_newton.hpp"
#include "descent/problems/factory.hpp"

namespace descent::newton {
namespace {

CommonOptions common(const problems::Instance& in, std::size_t cap) {
  CommonOptions c;
  c.metric = in.metric;
  c.optimal_value = in.optimal_value;
  c.max_iterations = cap;
  c.record_history = true;
  return c;
}

bool monotone(const Summary& s) {
  for (std::size_t i = 1; i < s.history.size(); ++i)
    if (s.history[i].objective > s.history[i - 1].objective) return false;
  return true;
}

TEST(Baselines, AllMethodsSolveLogSumExp) {
  const problems::Instance in = problems::make_instance("logsumexp:n=40,m=40", 4);
  for (const auto& m : methods().methods()) {
    const std::string& name = m.info.name;
    SCOPED_TRACE(name);
    Settings st{{"max_iterations", "5000"}, {"record_history", "true"}};
    if (name == "gns-approx") st.set("hessian", "instance");
    Eigen::VectorXd x = in.x0;
    const Summary s = m.run(in, x, st, {});
    EXPECT_EQ(s.status, Status::converged) << s.message;
    EXPECT_LT(s.objective - *in.optimal_value, 1e-8);
    EXPECT_EQ(s.method, name == "gns-approx" ? "gns-wgn" : name);
    if (name != "fgm") {
      EXPECT_TRUE(monotone(s));  // FGM need not be monotone
    }
  }
}

TEST(Baselines, SecondOrderMethodsOnNonconvexRosenbrock) {
  const problems::Instance in = problems::make_instance("rosenbrock:p=2", 0);
  Eigen::VectorXd x = in.x0;
  CubicNewtonOptions c;
  static_cast<CommonOptions&>(c) = common(in, 500);
  const Summary cs = minimize_cubic_newton(*in.oracle, x, HessianSource::exact(*in.oracle), c);
  EXPECT_EQ(cs.status, Status::converged) << cs.message;
  EXPECT_LT((x - *in.optimum).norm(), 1e-3);
  x = in.x0;
  SuperUniversalOptions su;
  static_cast<CommonOptions&>(su) = common(in, 500);
  const Summary ss =
      minimize_super_universal_newton(*in.oracle, x, HessianSource::exact(*in.oracle), su);
  EXPECT_EQ(ss.status, Status::converged) << ss.message;
}

TEST(Baselines, GradientMethodInMetricB) {
  // In the metric B = AᵀA + 1e-8 I the linear-equation problem is well conditioned.
  const problems::Instance in = problems::make_instance("nle:p=2,m=20,n=40", 5);
  GradientMethodOptions o;
  static_cast<CommonOptions&>(o) = common(in, 2000);
  Eigen::VectorXd x = in.x0;
  const Summary s = minimize_gradient_method(*in.oracle, x, o);
  EXPECT_EQ(s.status, Status::converged) << s.message;
  EXPECT_EQ(s.counters.at("linear_solves"), 0.0);
  EXPECT_GT(s.counters.at("trials"), 0.0);
}

TEST(Baselines, LineSearchFailureIsAStatus) {
  const problems::Instance in = problems::make_instance("logsumexp:n=10,m=10", 1);
  GradientMethodOptions o;
  static_cast<CommonOptions&>(o) = common(in, 100);
  o.lipschitz0 = 1e-9;  // far too small a constant and a single trial: the test fails
  o.max_trials = 1;
  Eigen::VectorXd x = in.x0;
  EXPECT_EQ(minimize_gradient_method(*in.oracle, x, o).status, Status::stalled);
  o.acceptance = Acceptance::reference_compatible;
  x = in.x0;
  EXPECT_NE(minimize_gradient_method(*in.oracle, x, o).status, Status::stalled);
}

TEST(Methods, NamesAndMisuse) {
  const std::vector<std::string> expected = {"gns", "gns-approx", "cubic", "super-universal",
                                             "gd",  "fgm"};
  EXPECT_EQ(methods().names(), expected);
  EXPECT_THROW(methods().at("newton"), InvalidOption);
  const problems::Instance in = problems::make_instance("logsumexp:n=5,m=5", 1);
  Eigen::VectorXd x = in.x0;
  // gns-approx with the exact Hessian is misuse.
  EXPECT_THROW(methods().at("gns-approx").run(in, x, {{"hessian", "exact"}}, {}), InvalidOption);
}

}  // namespace
}  // namespace descent::newton
