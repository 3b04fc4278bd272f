// `descent minimize`: any first-order optimizer (descent::optim) on any test problem, with the
// full trajectory in --trace; gd / heavy-ball keep the original core driver and flags.
#include <algorithm>
#include <functional>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/problems.hpp"
#include "descent/io/atomic_file.hpp"
#include "descent/io/json.hpp"
#include "descent/optim/optimize.hpp"
#include "descent/optim/synthetic.hpp"
#include "method_flags.hpp"

namespace descent::cli {
namespace {

// Method options (--lr, --step, --iters, --max-iterations, --tol, --momentum, --beta1, ...,
// --set) are set only when given: gradient_methods() and optim::methods() hold the defaults.
struct MinimizeFlags {
  std::string problem = "rosenbrock";
  std::string method = "gd";  // kept for compatibility: an alias of --optimizer
  std::string optimizer;
  std::string x0;     // comma-separated start point
  std::string trace;  // CSV of the full trajectory
  MethodFlags options;
  RunFlags run;
};

std::unique_ptr<TestProblem> problem_by_name(const std::string& name) {
  if (auto p = optim::make_synthetic(name)) return p;
  const std::string base = name.substr(0, name.find(':'));
  const auto core = problem_names();
  if (std::find(core.begin(), core.end(), base) == core.end()) {
    std::string known;
    for (const auto& n : core) known += (known.empty() ? "" : ", ") + n;
    for (const auto& n : optim::synthetic_names()) known += ", " + n;
    throw Error("unknown problem '" + name + "' (known: " + known + ")");
  }
  return make_problem(name);
}

Eigen::VectorXd parse_x0(const std::string& text, Eigen::Index n) {
  std::vector<double> v;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      std::size_t used = 0;
      v.push_back(std::stod(item, &used));
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw InvalidOption("x0", "'" + item + "' is not a number");
    }
  }
  if (static_cast<Eigen::Index>(v.size()) != n)
    throw InvalidOption("x0", "has " + std::to_string(v.size()) + " values, the problem needs " +
                                  std::to_string(n));
  return Eigen::Map<Eigen::VectorXd>(v.data(), n);
}

// Records (iteration, f, x) rows; the trace is written once, atomically, at the end.
class TraceRecorder : public Callback {
 public:
  explicit TraceRecorder(const Eigen::VectorXd& x0, double f0) {
    out_.precision(17);
    out_ << "iteration,objective";
    for (Eigen::Index i = 0; i < x0.size(); ++i) out_ << ",x" << i;
    out_ << '\n';
    row(0, f0, {x0.data(), static_cast<std::size_t>(x0.size())});
  }
  bool iteration(const IterationInfo& info) override {
    row(info.iteration, info.objective, info.x);
    return false;
  }
  std::string text() const { return out_.str(); }

 private:
  void row(std::size_t k, double f, std::span<const double> x) {
    out_ << k << ',' << f;
    for (double v : x) out_ << ',' << v;
    out_ << '\n';
  }
  std::ostringstream out_;
};

int report(const TestProblem& problem, const Summary& s, const Eigen::VectorXd& x,
           const Globals& g) {
  const double gap = s.objective - problem.optimal_value();
  const double dist = (x - problem.optimum()).norm();
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    j["problem"] = problem.name();
    j["x"] = std::vector<double>(x.data(), x.data() + x.size());
    j["optimality_gap"] = gap;
    j["distance_to_optimum"] = dist;
    print_json(j);
  } else {
    std::cout << problem.name() << " (n = " << problem.dimension() << "), " << s.method << ": "
              << s.brief() << "\n  f - f* = " << gap << ", |x - x*| = " << dist;
    if (x.size() <= 5) {
      std::cout << ", x = (";
      for (Eigen::Index i = 0; i < x.size(); ++i) std::cout << (i ? ", " : "") << x[i];
      std::cout << ")";
    }
    std::cout << "\n";
  }
  return exit_code(s.status, Goal::budget);
}

// gd and heavy-ball (core) or an update rule (optim): both registries run on a function and x.
struct Chosen {
  std::vector<OptionDoc> options;
  std::function<Summary(const DifferentiableFunction&, Eigen::VectorXd&, const Settings&,
                        Callbacks)>
      run;
};

Chosen choose(const std::string& name) {
  if (const auto* m = gradient_methods().find(name)) return {m->options(), m->run};
  const auto& m = optim::methods().at(name);
  return {m.options(), m.run};
}

int run_minimize(MinimizeFlags f, const Globals& g) {
  auto problem = problem_by_name(f.problem);
  const std::string name = f.optimizer.empty() ? f.method : f.optimizer;
  Eigen::VectorXd x =
      f.x0.empty() ? problem->initial_point() : parse_x0(f.x0, problem->dimension());
  Callbacks callbacks = make_callbacks(f.run, g);
  std::shared_ptr<TraceRecorder> trace;
  if (!f.trace.empty()) trace = callbacks.emplace<TraceRecorder>(x, problem->value(x));

  const Chosen method = choose(name);
  // --lr is gradient descent's step_size.
  alias_setting(f.options, method.options, "lr", {"step_size"});
  const Settings settings = settings_for(f.options, method.options, name);
  const Summary s =
      naming_flags(f.options, [&] { return method.run(*problem, x, settings, callbacks); });
  if (trace) io::write_file_atomic(f.trace, trace->text());
  return report(*problem, s, x, g);
}

const CommandRegistrar registrar("minimize", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<MinimizeFlags>();
  auto* cmd = app.add_subcommand("minimize", "Minimise a test problem (descent list shows them)");
  cmd->add_option("--problem", f->problem, "NAME or NAME:n=DIM (also f1, f2, f2-notebook, f3)")
      ->capture_default_str();
  std::vector<std::string> names = gradient_methods().names();
  for (const auto& n : optim::methods().names()) names.push_back(n);
  cmd->add_option("--optimizer", f->optimizer, "gd, heavy-ball or a descent::optim rule")
      ->check(CLI::IsMember(names));
  cmd->add_option("--method", f->method, "Alias of --optimizer (kept for compatibility)")
      ->check(CLI::IsMember(names))
      ->capture_default_str();
  OptionFlagAdder option{cmd, f->options, registry_docs(gradient_methods())};
  for (auto& d : registry_docs(optim::methods())) option.docs.push_back(std::move(d));
  option("--lr", "lr", "Learning rate (gd / heavy-ball: the step size)");
  option("--iters", "max_iterations", "Number of updates");
  cmd->add_option("--x0", f->x0, "Start point a,b,... (default: the problem's)");
  cmd->add_option("--trace", f->trace, "Write the full trajectory to this CSV (atomically)");
  option("--beta1", "beta1", "Adam/diffGrad beta1");
  option("--beta2", "beta2", "Adam/diffGrad beta2");
  option("--eps", "eps", "Adam/diffGrad epsilon");
  option("--beta", "beta", "Normalized-momentum beta");
  option("--weight-decay", "weight_decay", "Weight decay");
  option("--schedule", "schedule", "constant, step:S:G, cosine:T, warmup:W+...");
  option("--clip-norm", "clip_norm", "Clip |g| to this (0 = off)");
  option("--step", "step_size", "Step size (gd / heavy-ball)");
  option("--momentum", "momentum", "Momentum coefficient (heavy-ball, sgd, nesterov)");
  option("--max-iterations", "max_iterations", "Iteration cap (an alias of --iters)");
  option("--tol", "gradient_tolerance", "Stop when |grad| <= tol");
  add_set_flag(cmd, f->options, "core and optim");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_minimize(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
