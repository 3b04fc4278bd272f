// `descent minimize`: any first-order optimizer (descent::optim) on any test problem, with the
// full trajectory in --trace; gd / heavy-ball keep the original core driver and flags.
#include <algorithm>
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

namespace descent::cli {
namespace {

struct MinimizeFlags {
  std::string problem = "rosenbrock";
  std::string method = "gd";  // kept for compatibility: an alias of --optimizer
  std::string optimizer;
  GradientDescentOptions options;
  double lr = 0;          // 0: the optimizer's default (or --step for gd / heavy-ball)
  std::size_t iters = 0;  // 0: --max-iterations for gd / heavy-ball, else 1000
  std::string x0;         // comma-separated start point
  std::string trace;      // CSV of the full trajectory
  double beta1 = -1, beta2 = -1, eps = -1, weight_decay = -1, beta = -1;
  double momentum_flag = -1;
  std::string schedule = "constant";
  double clip_norm = 0;
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

int run_minimize(MinimizeFlags f, const Globals& g) {
  auto problem = problem_by_name(f.problem);
  const std::string name = f.optimizer.empty() ? f.method : f.optimizer;
  Eigen::VectorXd x =
      f.x0.empty() ? problem->initial_point() : parse_x0(f.x0, problem->dimension());
  Callbacks callbacks = make_callbacks(f.run, g);
  std::shared_ptr<TraceRecorder> trace;
  if (!f.trace.empty()) trace = callbacks.emplace<TraceRecorder>(x, problem->value(x));

  Summary s;
  if (name == "gd" || name == "heavy-ball") {
    if (name == "gd")
      f.options.momentum = 0.0;
    else if (f.momentum_flag >= 0)
      f.options.momentum = f.momentum_flag;
    else if (f.options.momentum == 0.0)
      f.options.momentum = 0.9;
    if (f.lr > 0) f.options.step_size = f.lr;
    if (f.iters > 0) f.options.max_iterations = f.iters;
    s = minimize_gradient_descent(*problem, x, f.options, callbacks);
  } else {
    optim::OptimizeOptions o;
    o.rule = optim::UpdateRule::make(name);
    if (f.lr > 0) o.rule.set("lr", f.lr);
    const std::pair<const char*, double> hps[] = {
        {"beta1", f.beta1}, {"beta2", f.beta2},
        {"eps", f.eps},     {"weight_decay", f.weight_decay},
        {"beta", f.beta},   {"momentum", f.momentum_flag}};
    for (const auto& [hp, v] : hps)
      if (v >= 0) o.rule.set(hp, v);
    o.schedule = optim::Schedule::parse(f.schedule);
    o.clip_norm = f.clip_norm;
    o.max_iterations = f.iters > 0 ? f.iters : 1000;
    o.gradient_tolerance =
        f.options.gradient_tolerance == 1e-8 ? 0.0 : f.options.gradient_tolerance;
    s = optim::minimize(*problem, x, o, callbacks);
  }
  if (trace) io::write_file_atomic(f.trace, trace->text());
  return report(*problem, s, x, g);
}

const CommandRegistrar registrar("minimize", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<MinimizeFlags>();
  auto* cmd = app.add_subcommand("minimize", "Minimise a test problem (descent list shows them)");
  cmd->add_option("--problem", f->problem, "NAME or NAME:n=DIM (also f1, f2, f2-notebook, f3)")
      ->capture_default_str();
  std::vector<std::string> names = {"gd", "heavy-ball"};
  for (const auto& n : optim::UpdateRule::names()) names.push_back(n);
  cmd->add_option("--optimizer", f->optimizer, "gd, heavy-ball or a descent::optim rule")
      ->check(CLI::IsMember(names));
  cmd->add_option("--method", f->method, "Alias of --optimizer (kept for compatibility)")
      ->check(CLI::IsMember(names))
      ->capture_default_str();
  cmd->add_option("--lr", f->lr, "Learning rate (default: the optimizer's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--iters", f->iters, "Number of updates (default 1000)");
  cmd->add_option("--x0", f->x0, "Start point a,b,... (default: the problem's)");
  cmd->add_option("--trace", f->trace, "Write the full trajectory to this CSV (atomically)");
  cmd->add_option("--beta1", f->beta1, "Adam/diffGrad beta1")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--beta2", f->beta2, "Adam/diffGrad beta2")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--eps", f->eps, "Adam/diffGrad epsilon")->check(CLI::PositiveNumber);
  cmd->add_option("--beta", f->beta, "Normalized-momentum beta")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--weight-decay", f->weight_decay)->check(CLI::NonNegativeNumber);
  cmd->add_option("--schedule", f->schedule, "constant, step:S:G, cosine:T, warmup:W+...")
      ->capture_default_str();
  cmd->add_option("--clip-norm", f->clip_norm, "Clip |g| to this (0 = off)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--step", f->options.step_size, "Step size (gd / heavy-ball)")
      ->capture_default_str();
  cmd->add_option("--momentum", f->momentum_flag,
                  "Momentum coefficient (heavy-ball default 0.9; sgd/momentum/nesterov)");
  cmd->add_option("--max-iterations", f->options.max_iterations, "Iteration cap (gd / heavy-ball)")
      ->capture_default_str();
  cmd->add_option("--tol", f->options.gradient_tolerance, "Stop when |grad| <= tol")
      ->capture_default_str();
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_minimize(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
