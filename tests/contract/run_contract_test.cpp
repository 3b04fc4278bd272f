// The contract every iterative method keeps through descent::Run, checked method by method:
//  - a callback's stop ends the run as Status::stopped with the callback's reason;
//  - the last history row is kept whatever ends the run (here with a stride that skips it);
//  - a blow-up is Status::diverged;
//  - the time limit stops the run.
// Every iterative method of the library registries (core, optim, newton, linalg, ot, recovery,
// bilevel, privacy, surrogate, implicit's inner solvers) is a case by being registered.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "../support/stop_at.hpp"
#include "descent/bilevel/borep.hpp"
#include "descent/bilevel/bsvrb.hpp"
#include "descent/bilevel/lvhba.hpp"
#include "descent/bilevel/methods.hpp"
#include "descent/bilevel/problems.hpp"
#include "descent/core/callbacks.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/problems.hpp"
#include "descent/core/run.hpp"
#include "descent/core/settings.hpp"
#include "descent/implicit/hyperopt.hpp"
#include "descent/implicit/inner.hpp"
#include "descent/implicit/mappings.hpp"
#include "descent/implicit/objectives.hpp"
#include "descent/linalg/generators.hpp"
#include "descent/linalg/solvers.hpp"
#include "descent/newton/methods.hpp"
#include "descent/optim/optimize.hpp"
#include "descent/ot/instances.hpp"
#include "descent/ot/solvers.hpp"
#include "descent/privacy/methods.hpp"
#include "descent/privacy/mlp.hpp"
#include "descent/problems/factory.hpp"
#include "descent/recovery/methods.hpp"
#include "descent/recovery/problem.hpp"
#include "descent/recovery/subgm.hpp"
#include "descent/surrogate/methods.hpp"

namespace descent {
namespace {

// How a case runs: max iterations, history, callbacks, and whether to provoke a blow-up.
struct Scenario {
  std::size_t max_iterations = 7;
  HistoryOptions history{true, 4};
  bool diverge = false;
  bool all_defaults = false;  ///< also set every documented option to its documented default
};
using Runner = std::function<Summary(const Scenario&, Callbacks)>;

struct MethodCase {
  std::string name;
  Runner run;
  bool can_diverge = true;
  bool registered = false;  ///< from a registry (documents its options)
};
void PrintTo(const MethodCase& c, std::ostream* os) {
  *os << c.name;
}

// ---------------------------------------------------------------- registry-driven cases
//
// Every iterative method of a library registry is a case: the scenario becomes settings
// (max_iterations, record_history, history_stride where the method has one), run on the
// family's small problem below. Blow-ups need a problem or settings that make the method
// diverge: each family names them here, per method, or lists the method as safeguarded. A
// method registered without either fails BlowUpIsDiverged, asking for one.

bool has_key(const std::vector<OptionDoc>& docs, std::string_view key) {
  for (const OptionDoc& d : docs)
    if (d.key == key) return true;
  return false;
}

Settings scenario_settings(const Scenario& s, const std::vector<OptionDoc>& docs) {
  Settings out;
  // The iteration budget's key: "rounds" for the private training methods (the paper's R),
  // "outer_steps" for the methods that count expensive outer steps.
  const char* budget = has_key(docs, "max_iterations") ? "max_iterations"
                       : has_key(docs, "rounds")       ? "rounds"
                                                       : "outer_steps";
  out.set(budget, std::to_string(s.max_iterations));
  out.set("record_history", s.history.record_history ? "true" : "false");
  if (has_key(docs, "history_stride"))
    out.set("history_stride", std::to_string(s.history.history_stride));
  return out;
}

// How a family runs one of its methods: (method name, settings, callbacks, diverge).
template <class Method>
using FamilyRun = std::function<Summary(const Method&, const Settings&, Callbacks, bool)>;

// A family's settings for the contract runs: under the scenario's, over the defaults.
struct FamilySettings {
  Settings base;                             ///< for every method (a problem-sized tolerance)
  std::map<std::string, Settings> base_for;  ///< method -> more of them
  std::map<std::string, Settings> blow_up;   ///< method -> settings that make it diverge
  std::set<std::string> safeguarded;         ///< methods that cannot blow up
};

template <class R>
void add_registry(std::vector<MethodCase>& out, const MethodRegistry<R>& registry,
                  FamilyRun<typename MethodRegistry<R>::Method> run, FamilySettings family) {
  for (const auto& m : registry.methods()) {
    if (!m.info.iterative) continue;
    const std::string name = m.info.name;
    const bool safe = family.safeguarded.count(name) > 0;
    Settings diverging;
    if (const auto it = family.blow_up.find(name); it != family.blow_up.end())
      diverging = it->second;
    const bool known = safe || family.blow_up.count(name) > 0;
    out.push_back({registry.family() + "-" + name,
                   [&m, run, diverging, known, name, family](const Scenario& s, Callbacks cb) {
                     Settings st;
                     if (s.all_defaults)
                       for (const OptionDoc& d : m.options()) st.set(d.key, d.default_value);
                     st.merge(family.base);
                     if (const auto it = family.base_for.find(name); it != family.base_for.end())
                       st.merge(it->second);
                     st.merge(scenario_settings(s, m.options()));
                     if (s.diverge) {
                       if (!known)
                         throw Error(name +
                                     ": registered without blow-up settings; add them to "
                                     "the contract test's FamilySettings (or list it as "
                                     "safeguarded)");
                       st.merge(diverging);
                     }
                     return run(m, st, std::move(cb), s.diverge);
                   },
                   !safe, true});
  }
}

void add_core(std::vector<MethodCase>& out) {
  add_registry<GradientRunner>(
      out, gradient_methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        auto f = make_rosenbrock();
        Eigen::VectorXd x = f->initial_point();
        return m.run(*f, x, s, std::move(cb));
      },
      {{{"step_size", "1e-4"}},
       {},
       {{"gd", {{"step_size", "1"}}}, {"heavy-ball", {{"step_size", "1"}}}},
       {}});
}

void add_optim(std::vector<MethodCase>& out) {
  FamilySettings b;
  b.base = {{"lr", "1e-4"}};
  for (const std::string& name : optim::UpdateRule::names()) b.blow_up[name] = {{"lr", "1e3"}};
  add_registry<optim::Runner>(
      out, optim::methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        auto f = make_rosenbrock();
        Eigen::VectorXd x = f->initial_point();
        return m.run(*f, x, s, std::move(cb));
      },
      b);
}

void add_newton(std::vector<MethodCase>& out) {
  FamilySettings b;  // line searches and regularization: no blow-up
  for (const std::string& name : newton::methods().names()) b.safeguarded.insert(name);
  add_registry<newton::Runner>(
      out, newton::methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        const problems::Instance in = problems::make_instance("logsumexp:n=20,m=20", 4);
        Eigen::VectorXd x = in.x0;
        return m.run(in, x, s, std::move(cb));
      },
      b);
}

void add_linalg(std::vector<MethodCase>& out) {
  FamilySettings b;
  b.base = {{"tolerance", "1e-14"}};
  // CG variants (scale-invariant once preconditioned): a right-hand side whose norm overflows;
  // SOR/SSOR: a matrix whose
  // Jacobi iteration diverges, with omega 1.
  for (const std::string& name : linalg::solvers().names()) b.blow_up[name] = {};
  add_registry<linalg::Solver>(
      out, linalg::solvers(),
      [](const auto& m, const Settings& s, Callbacks cb, bool diverge) {
        linalg::SparseMatrix a = linalg::laplacian_2d(12);
        linalg::Vector rhs = linalg::Vector::Ones(a.rows());
        if (diverge) {
          if (linalg::needs_symmetric(m.info.name)) {
            rhs *= 1e300;
          } else {
            Eigen::MatrixXd d = Eigen::MatrixXd::Constant(6, 6, 2.0);
            d.diagonal().setOnes();
            a = d.sparseView();
            a.makeCompressed();
            rhs = linalg::Vector::Ones(6);
          }
        }
        linalg::Vector x = linalg::Vector::Zero(a.rows());
        return m.run(a, rhs, x, s, std::move(cb));
      },
      b);
}

void add_ot(std::vector<MethodCase>& out) {
  FamilySettings b;  // log-domain iterations and SNS's line search: no blow-up
  // Hard enough that 7 iterations do not converge: a small regularization.
  b.base = {{"eta", "2000"}, {"tolerance", "1e-14"}};
  b.base_for["sns"] = {{"warmup_steps", "2"}};
  for (const std::string& name : ot::solvers().names()) b.safeguarded.insert(name);
  add_registry<ot::Solver>(
      out, ot::solvers(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        Rng rng = make_rng(3, {1});
        const ot::Problem p = ot::uniform_clouds(30, rng);
        return m.run(p, s, std::move(cb)).summary;
      },
      b);
}

void add_recovery(std::vector<MethodCase>& out) {
  add_registry<recovery::Runner>(
      out, recovery::methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        recovery::SyntheticOptions so;
        so.dimension = 10;
        so.rank = 2;
        so.measurements = 120;
        const recovery::RecoveryProblem p = recovery::make_synthetic_problem(so, 1);
        Rng rng = make_rng(1, {4});
        Eigen::MatrixXd U = recovery::small_initialization(10, 2, 1e-3, rng);
        return m.run(p, U, s, std::move(cb));
      },
      {{},
       {},
       {{"subgm", {{"schedule", "geometric:eta0=1e6,rho=0.999"}}},
        {"l2-gd", {{"step_size", "1e6"}}}},
       {}});
}

void add_privacy(std::vector<MethodCase>& out) {
  FamilySettings b;  // evaluations every 10 rounds: a stop between them is evaluated at the end
  // Fixed noise multipliers: calibrated ones grow with the round budget (the time-limit case
  // asks for 100000 rounds) until DIFF2's stability guard refuses the run.
  b.base_for["diff2"] = {{"noise_multiplier1", "0.3"}, {"noise_multiplier2", "0.3"}};
  b.blow_up["dpgd"] = {{"step_size", "1e6"}, {"noise_multiplier", "0"}};
  b.blow_up["diff2"] = {{"step_size", "1e6"},
                        {"noise_multiplier1", "0"},
                        {"noise_multiplier2", "0"},
                        {"guard", "off"}};
  add_registry<privacy::Runner>(
      out, privacy::methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        const privacy::MlpShape shape{6, 5};
        privacy::TeacherTask teacher(shape, 1);
        std::vector<std::unique_ptr<privacy::MlpRegression>> workers;
        privacy::WorkerSet set;
        set.workers = 3;
        for (int p = 0; p < set.workers; ++p) {
          auto d = teacher.sample(50, static_cast<std::uint64_t>(p));
          workers.push_back(std::make_unique<privacy::MlpRegression>(shape, d.X, d.y));
          set.local.push_back(workers.back().get());
        }
        Rng rng = make_rng(1, {42});
        Eigen::VectorXd x = privacy::mlp_initial_parameters(shape, rng);
        return m.run(set, x, s, std::move(cb));
      },
      b);
}

void add_bilevel(std::vector<MethodCase>& out) {
  add_registry<bilevel::ConstrainedRunner>(
      out, bilevel::constrained_methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        const bilevel::LlcToy p(20);
        bilevel::Vec x = p.start_x(), y = p.start_y();
        return m.run(p, x, y, s, std::move(cb));
      },
      {{}, {}, {{"lvhba", {{"alpha", "1e3"}, {"eta", "1e3"}}}}, {}});
  FamilySettings single;
  single.base_for["borep"] = {{"eta", "0.1"},         {"beta", "0.9"},      {"nu", "0.5"},
                              {"update_period", "2"}, {"lower_steps", "5"}, {"lower_step", "0.5"}};
  // Unnormalised momentum overflows on this toy (BO-2); so do SOBA's plain steps when large.
  single.blow_up["borep"] = {{"normalized", "false"}};
  single.blow_up["soba"] = {{"eta", "10"}};
  add_registry<bilevel::Runner>(
      out, bilevel::methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        bilevel::CoshToy p(5);
        bilevel::Vec x = bilevel::Vec::Constant(5, 7.6), y = bilevel::Vec::Zero(5);
        return m.run(p, x, y, s, std::move(cb));
      },
      single);
  FamilySettings blocks;  // lower-level steps far above 2/L
  blocks.blow_up["bsvrb1"] = {{"tau", "5"}, {"tau_v", "5"}, {"max_iterations", "3000"}};
  blocks.blow_up["bsvrb2"] = blocks.blow_up["bsvrb1"];
  blocks.blow_up["rsvrb"] = {{"tau", "5"}, {"max_iterations", "3000"}};
  add_registry<bilevel::MultiBlockRunner>(
      out, bilevel::multi_block_methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        bilevel::MultiBlockQuadratic p(10, 4, 3, 0.1, 0.0, 9);
        bilevel::Vec x = bilevel::Vec::Ones(4);
        std::vector<bilevel::Vec> y(10, bilevel::Vec::Zero(3));
        return m.run(p, x, y, s, std::move(cb));
      },
      blocks);
}

void add_surrogate(std::vector<MethodCase>& out) {
  FamilySettings b;
  b.base = {{"batch_size", "8"}};
  b.blow_up["sso"] = {{"inner", "sgd"}, {"lr", "1e6"}, {"eta", "1e6"}};
  b.blow_up["sgd"] = {{"step_size", "1e6"}};
  b.blow_up["adam"] = {{"adam.lr", "1e6"}};
  b.safeguarded.insert("sls");  // Armijo backtracking on the batch, the reset step capped
  add_registry<surrogate::Runner>(
      out, surrogate::methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        Rng rng = make_rng(1, {43});
        auto x = std::make_shared<Eigen::MatrixXd>(40, 4);
        x->leftCols(3) = normal_matrix(rng, 40, 3);
        x->col(3).setOnes();
        Eigen::VectorXd y(40);
        for (Eigen::Index i = 0; i < 40; ++i) y[i] = (*x)(i, 0) + 0.3 * (*x)(i, 1) > 0 ? 1 : 0;
        const surrogate::LinearModel model(x, 1);
        const surrogate::LogisticLoss loss(y);
        Eigen::VectorXd theta = model.initial_parameters(1);
        return m.run(model, loss, theta, s, std::move(cb));
      },
      b);
}

void add_implicit(std::vector<MethodCase>& out) {
  FamilySettings b;
  b.safeguarded.insert("newton-cg");  // Armijo backtracking on f
  // A gradient step a million times 1/L (the step is the map's, built below).
  b.blow_up["fixed-point"] = {};
  b.blow_up["fista"] = {};
  add_registry<implicit::InnerRunner>(
      out, implicit::inner_solvers(),
      [](const auto& m, const Settings& s, Callbacks cb, bool diverge) {
        // L2-regularised logistic regression on 40 noisy points: Newton needs several steps
        // and prox-gradient many.
        Rng rng = make_rng(1, {44});
        const Eigen::MatrixXd x = normal_matrix(rng, 40, 3);
        const Eigen::VectorXd noise = normal_vector(rng, 40);
        Eigen::VectorXi y(40);
        for (Eigen::Index i = 0; i < 40; ++i) y[i] = x(i, 0) - x(i, 1) + noise[i] > 0 ? 1 : 0;
        const implicit::SmoothObjective f = implicit::softmax_regression(x, y, 2);
        const double step = diverge ? 1e6 : 1.0;
        const double inf = std::numeric_limits<double>::infinity();
        const implicit::Optimality map =
            implicit::projected_gradient(f, implicit::box_projection(-inf, inf), step);
        implicit::InnerProblem problem{&f, &map};
        Eigen::VectorXd w = Eigen::VectorXd::Zero(f.dim_x);
        return m.run(problem, w, Eigen::VectorXd::Constant(1, 1e-3), s, std::move(cb));
      },
      b);
}

void add_hyperopt(std::vector<MethodCase>& out) {
  FamilySettings b;
  // lambda is floored (l2) or exp(theta) (log-l2) and ridge's losses stay finite for any
  // lambda: no setting makes the outer loop blow up.
  b.safeguarded = {"implicit", "unrolled"};
  b.base = {{"fd_check", "false"}};
  b.base_for["unrolled"] = {{"unrolled_iterations", "20"}};
  add_registry<implicit::HyperoptRunner>(
      out, implicit::hyperopt_methods(),
      [](const auto& m, const Settings& s, Callbacks cb, bool) {
        Rng rng = make_rng(1, {45});
        implicit::HyperoptData d;
        d.x_train = normal_matrix(rng, 30, 4);
        d.x_val = normal_matrix(rng, 20, 4);
        const Eigen::VectorXd w = normal_vector(rng, 4);
        d.y_train = d.x_train * w + normal_vector(rng, 30);
        d.y_val = d.x_val * w + normal_vector(rng, 20);
        return m.run(d, s, std::move(cb)).summary;
      },
      b);
}

std::vector<MethodCase> methods() {
  std::vector<MethodCase> m;
  add_core(m);
  add_optim(m);
  add_newton(m);
  add_linalg(m);
  add_ot(m);
  add_recovery(m);
  add_bilevel(m);
  add_privacy(m);
  add_surrogate(m);
  add_implicit(m);
  add_hyperopt(m);
  return m;
}

using test::StopAt;

class RunContract : public ::testing::TestWithParam<MethodCase> {};

TEST_P(RunContract, CallbackStopIsStoppedAndKeepsTheLastRow) {
  Callbacks cb;
  cb.emplace<StopAt>(3, "contract test stop");
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

TEST_P(RunContract, DocumentedDefaultsReadBackAsSettings) {
  if (!GetParam().registered) GTEST_SKIP() << "not in a registry";
  // Every option the registry documents, set to the default it documents: the same run.
  Scenario plain, spelled;
  spelled.all_defaults = true;
  const Summary a = GetParam().run(plain, {});
  const Summary b = GetParam().run(spelled, {});
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.iterations, b.iterations);
  const auto same = [](double u, double v) { return u == v || (std::isnan(u) && std::isnan(v)); };
  EXPECT_TRUE(same(a.objective, b.objective)) << a.objective << " vs " << b.objective;
  EXPECT_TRUE(same(a.gradient_norm, b.gradient_norm))
      << a.gradient_norm << " vs " << b.gradient_norm;
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
