// The contract every iterative method keeps through descent::Run, checked method by method:
//  - a callback's stop ends the run as Status::stopped with the callback's reason;
//  - the last history row is kept whatever ends the run (here with a stride that skips it);
//  - a blow-up is Status::diverged;
//  - the time limit stops the run.
// A method moved onto Run is covered by adding one entry to methods().
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "descent/bilevel/borep.hpp"
#include "descent/bilevel/bsvrb.hpp"
#include "descent/bilevel/lvhba.hpp"
#include "descent/bilevel/problems.hpp"
#include "descent/core/callbacks.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/problems.hpp"
#include "descent/core/run.hpp"
#include "descent/newton/methods.hpp"
#include "descent/optim/optimize.hpp"
#include "descent/problems/factory.hpp"
#include "descent/recovery/problem.hpp"
#include "descent/recovery/subgm.hpp"

namespace descent {
namespace {

// How a case runs: max iterations, history, callbacks, and whether to provoke a blow-up.
struct Scenario {
  std::size_t max_iterations = 7;
  HistoryOptions history{true, 4};
  bool diverge = false;
};
using Runner = std::function<Summary(const Scenario&, Callbacks)>;

struct MethodCase {
  std::string name;
  Runner run;
  bool can_diverge = true;
};
void PrintTo(const MethodCase& c, std::ostream* os) {
  *os << c.name;
}

Summary run_gd(const Scenario& s, Callbacks cb, double momentum) {
  auto f = make_rosenbrock();
  Eigen::VectorXd x = f->initial_point();
  GradientDescentOptions o;
  o.step_size = s.diverge ? 1.0 : 1e-4;
  o.momentum = momentum;
  o.max_iterations = s.max_iterations;
  o.record_history = s.history.record_history;
  o.history_stride = s.history.history_stride;
  return minimize_gradient_descent(*f, x, o, cb);
}

Summary run_optimize(const Scenario& s, Callbacks cb) {
  auto f = make_rosenbrock();
  Eigen::VectorXd x = f->initial_point();
  optim::OptimizeOptions o;
  o.rule = optim::UpdateRule::make("sgd");
  o.rule.set("lr", s.diverge ? 1.0 : 1e-4);
  o.max_iterations = s.max_iterations;
  o.record_history = s.history.record_history;
  o.history_stride = s.history.history_stride;
  return optim::Optimize(*f, x, o, cb);
}

Summary run_lvhba(const Scenario& s, Callbacks cb) {
  const bilevel::LlcToy p(20);
  auto st = bilevel::LvHbaState::start(p, p.start_x(), p.start_y());
  bilevel::LvHbaOptions o;
  if (s.diverge) o.alpha = o.eta = 1e3;
  o.max_iterations = s.max_iterations;
  o.record_history = s.history.record_history;
  o.history_stride = s.history.history_stride;
  return bilevel::minimize_lvhba(p, st, o, cb);
}

Summary run_borep(const Scenario& s, Callbacks cb) {
  bilevel::CoshToy p(5);
  auto st = bilevel::BoRepState::start(p, bilevel::Vec::Constant(5, 7.6), bilevel::Vec::Zero(5));
  bilevel::BoRepOptions o;
  o.eta = 0.1;
  o.beta = 0.9;
  o.nu = 0.5;
  o.update_period = 2;
  o.lower_steps = 5;
  o.lower_step = 0.5;
  o.normalized = !s.diverge;  // unnormalized momentum overflows on this toy (BO-2)
  o.max_iterations = s.diverge ? 50 : s.max_iterations;
  o.record_history = s.history.record_history;
  o.history_stride = s.history.history_stride;
  return bilevel::minimize_borep(p, st, o, cb);
}

Summary run_bsvrb(const Scenario& s, Callbacks cb, bool rsvrb) {
  bilevel::MultiBlockQuadratic p(10, 4, 3, 0.1, 0.0, 9);
  bilevel::Vec x = bilevel::Vec::Ones(4);
  std::vector<bilevel::Vec> y(10, bilevel::Vec::Zero(3));
  if (rsvrb) {
    bilevel::RsvrbOptions o;
    if (s.diverge) o.tau = 5.0;
    o.max_iterations = s.diverge ? 3000 : s.max_iterations;
    o.record_history = s.history.record_history;
    o.history_stride = s.history.history_stride;
    return bilevel::minimize_rsvrb(p, x, y, o, cb);
  }
  bilevel::BsvrbOptions o;
  if (s.diverge) o.tau = o.tau_v = 5.0;  // far above 2/L of the lower level
  o.max_iterations = s.diverge ? 3000 : s.max_iterations;
  o.record_history = s.history.record_history;
  o.history_stride = s.history.history_stride;
  return bilevel::minimize_bsvrb(p, x, y, o, cb);
}

Summary run_subgm(const Scenario& s, Callbacks cb) {
  recovery::SyntheticOptions so;
  so.dimension = 10;
  so.rank = 2;
  so.measurements = 120;
  const recovery::RecoveryProblem p = recovery::make_synthetic_problem(so, 1);
  Rng rng = make_rng(1, {4});
  Eigen::MatrixXd U = recovery::small_initialization(10, 2, 1e-3, rng);
  recovery::SubgmOptions o;
  if (s.diverge) o.schedule = recovery::StepSchedule::parse("geometric:eta0=1e6,rho=0.999");
  o.max_iterations = s.max_iterations;
  o.record_history = s.history.record_history;
  o.history_stride = s.history.history_stride;
  return recovery::minimize_subgm(*p.op, p.y, U, o, cb, &p.X_star);
}

Summary run_newton(const std::string& name, const Scenario& s, Callbacks cb) {
  const problems::Instance in = problems::make_instance("logsumexp:n=20,m=20", 4);
  newton::MethodSettings st;
  st.method = newton::method_from_string(name);
  if (st.method == newton::Method::gns_approx) st.hessian = in.default_approximation;
  st.common.metric = in.metric;
  st.common.max_iterations = s.max_iterations;
  st.common.record_history = s.history.record_history;
  st.common.history_stride = s.history.history_stride;
  Eigen::VectorXd x = in.x0;
  return newton::run_method(st, *in.oracle, x, cb);
}

std::vector<MethodCase> methods() {
  std::vector<MethodCase> m{
      {"gd", [](const Scenario& s, Callbacks cb) { return run_gd(s, cb, 0.0); }},
      {"heavy-ball", [](const Scenario& s, Callbacks cb) { return run_gd(s, cb, 0.9); }},
      {"optim-sgd", run_optimize},
      {"lvhba", run_lvhba},
      {"borep", run_borep},
      {"subgm", run_subgm},
      {"bsvrb", [](const Scenario& s, Callbacks cb) { return run_bsvrb(s, cb, false); }},
      {"rsvrb", [](const Scenario& s, Callbacks cb) { return run_bsvrb(s, cb, true); }},
  };
  // The newton family's methods are safeguarded (line searches, regularization): no blow-up.
  for (const std::string& name : newton::method_names())
    m.push_back({"newton-" + name,
                 [name](const Scenario& s, Callbacks cb) { return run_newton(name, s, cb); },
                 false});
  return m;
}

// Stops the run after iteration `at`.
class StopAt : public Callback {
 public:
  explicit StopAt(std::size_t at) : at_(at) {}
  bool iteration(const IterationInfo& info) override { return info.iteration >= at_; }
  std::string stop_reason() const override { return "contract test stop"; }

 private:
  std::size_t at_;
};

class RunContract : public ::testing::TestWithParam<MethodCase> {};

TEST_P(RunContract, CallbackStopIsStoppedAndKeepsTheLastRow) {
  Callbacks cb;
  cb.emplace<StopAt>(3);
  Scenario s;
  s.max_iterations = 50;
  s.history = {true, 2};  // iteration 3 is not on the stride
  const Summary r = GetParam().run(s, cb);
  EXPECT_EQ(r.status, Status::stopped) << r.brief();
  EXPECT_NE(r.message.find("contract test stop"), std::string::npos) << r.message;
  EXPECT_EQ(r.iterations, 3u);
  ASSERT_FALSE(r.history.empty());
  EXPECT_EQ(r.history.back().iteration, 3u);
}

TEST_P(RunContract, LastRowIsKeptWhateverTheStride) {
  for (std::size_t cap : {1u, 5u, 7u}) {
    Scenario s;
    s.max_iterations = cap;
    s.history = {true, 4};
    const Summary r = GetParam().run(s, {});
    ASSERT_FALSE(r.history.empty()) << cap;
    EXPECT_EQ(r.history.back().iteration, r.iterations) << "cap " << cap << ": " << r.brief();
    for (std::size_t i = 1; i < r.history.size(); ++i)
      EXPECT_LT(r.history[i - 1].iteration, r.history[i].iteration) << "rows in order, no repeat";
  }
}

TEST_P(RunContract, NoHistoryUnlessAsked) {
  Scenario s;
  s.history = {false, 1};
  EXPECT_TRUE(GetParam().run(s, {}).history.empty());
}

TEST_P(RunContract, BlowUpIsDiverged) {
  if (!GetParam().can_diverge) GTEST_SKIP() << "safeguarded method";
  Scenario s;
  s.diverge = true;
  s.max_iterations = 200;
  const Summary r = GetParam().run(s, {});
  EXPECT_EQ(r.status, Status::diverged) << r.brief();
  EXPECT_FALSE(r.message.empty());
}

TEST_P(RunContract, TimeLimitStops) {
  Callbacks cb;
  cb.emplace<TimeLimit>(1e-9);
  Scenario s;
  s.max_iterations = 100000;
  const Summary r = GetParam().run(s, cb);
  EXPECT_EQ(r.status, Status::stopped) << r.brief();
  EXPECT_LE(r.iterations, 2u);
}

INSTANTIATE_TEST_SUITE_P(Methods, RunContract, ::testing::ValuesIn(methods()),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace descent
