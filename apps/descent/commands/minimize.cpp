// `descent minimize`: the core test problems with gradient descent / heavy ball.
#include <iostream>

#include "cli.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/problems.hpp"
#include "descent/io/json.hpp"

namespace descent::cli {
namespace {

struct MinimizeFlags {
  std::string problem = "rosenbrock";
  std::string method = "gd";
  GradientDescentOptions options;
  RunFlags run;
};

int run_minimize(MinimizeFlags f, const Globals& g) {
  auto problem = make_problem(f.problem);
  if (f.method == "gd")
    f.options.momentum = 0.0;
  else if (f.method == "heavy-ball" && f.options.momentum == 0.0)
    f.options.momentum = 0.9;
  Eigen::VectorXd x = problem->initial_point();
  const Summary s = minimize_gradient_descent(*problem, x, f.options, make_callbacks(f.run, g));
  const double gap = s.objective - problem->optimal_value();
  const double dist = (x - problem->optimum()).norm();
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    j["problem"] = problem->name();
    j["x"] = std::vector<double>(x.data(), x.data() + x.size());
    j["optimality_gap"] = gap;
    j["distance_to_optimum"] = dist;
    print_json(j);
  } else {
    std::cout << problem->name() << " (n = " << problem->dimension() << "), " << s.method << ": "
              << s.brief() << "\n  f - f* = " << gap << ", |x - x*| = " << dist << "\n";
  }
  return s.status == Status::diverged || s.status == Status::failed ? 1 : 0;
}

const MethodRegistrar gd_method({"gd", "core", "descent minimize --method gd", "Cauchy 1847",
                                 "Gradient descent with a fixed step"});
const MethodRegistrar hb_method({"heavy-ball", "core", "descent minimize --method heavy-ball",
                                 "Polyak 1964", "Gradient descent with heavy-ball momentum"});

const CommandRegistrar registrar("minimize", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<MinimizeFlags>();
  auto* cmd = app.add_subcommand("minimize", "Minimise a test problem (descent list shows them)");
  cmd->add_option("--problem", f->problem, "NAME or NAME:n=DIM")->capture_default_str();
  cmd->add_option("--method", f->method, "gd or heavy-ball")
      ->check(CLI::IsMember({"gd", "heavy-ball"}))
      ->capture_default_str();
  cmd->add_option("--step", f->options.step_size, "Step size")->capture_default_str();
  cmd->add_option("--momentum", f->options.momentum, "Heavy-ball coefficient (default 0.9)");
  cmd->add_option("--max-iterations", f->options.max_iterations)->capture_default_str();
  cmd->add_option("--tol", f->options.gradient_tolerance, "Stop when |grad| <= tol")
      ->capture_default_str();
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_minimize(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
