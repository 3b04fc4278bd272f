// `descent newton`: GNS (Newton with approximate Hessians) and its baselines on the paper's
// problems or on a classification file.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/io/json.hpp"
#include "descent/newton/methods.hpp"
#include "descent/problems/factory.hpp"
#include "method_flags.hpp"

namespace descent::cli {
namespace {

// Method options (--hessian, --solver, --acceptance, --tol, --gtol, --max-iterations, --set)
// are set only when given: newton::methods() holds the defaults.
struct NewtonFlags {
  std::string problem = "logsumexp:n=500,m=500";
  std::string method = "gns";
  std::string metric = "problem";
  MethodFlags options;
  RunFlags run;
};

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

int run_newton(const NewtonFlags& f, const Globals& g) {
  problems::Instance in = problems::make_instance(f.problem, g.seed);
  if (f.metric == "identity") in.metric = Eigen::MatrixXd();
  const auto& method = newton::methods().at(f.method);
  const std::vector<OptionDoc> docs = method.options();
  Settings settings = settings_for(f.options, docs, f.method);
  // Without a known f*, --tol bounds the dual gradient norm instead.
  if (!in.optimal_value && !settings.find("gradient_tolerance"))
    settings.set("gradient_tolerance", setting_or_default(settings, docs, "value_tolerance"));

  Eigen::VectorXd x = in.x0;
  const Summary s = naming_flags(
      f.options, [&] { return method.run(in, x, settings, make_callbacks(f.run, g)); });
  std::string hessian =
      takes(docs, "hessian") ? setting_or_default(settings, docs, "hessian") : "exact";
  if (hessian == "instance") hessian = std::string(problems::to_string(in.default_approximation));
  const std::string solver = takes(docs, "linear_solver")
                                 ? setting_or_default(settings, docs, "linear_solver")
                                 : "cholesky";
  const double gap = in.optimal_value ? s.objective - *in.optimal_value : std::nan("");
  const auto counter = [&](const char* k) { return s.counters.count(k) ? s.counters.at(k) : 0.0; };
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    j["problem"] = in.description;
    j["hessian"] = hessian;
    j["linear_solver"] = solver;
    j["metric"] = f.metric;
    j["optimality_gap"] = std::isfinite(gap) ? nlohmann::json(gap) : nlohmann::json(nullptr);
    print_json(j);
  } else {
    std::cout << in.description << "\n"
              << s.method << " (hessian " << hessian << ", " << solver << ", metric " << f.metric
              << "): " << s.brief() << "\n"
              << "  f - f*        " << (std::isfinite(gap) ? fmt(gap) : "unknown") << "\n"
              << "  ||g||_*       " << fmt(s.gradient_norm) << "\n"
              << "  f / g evals   " << s.function_evaluations << " / " << s.gradient_evaluations
              << "\n"
              << "  Hessians      " << counter("hessian_evaluations") << "\n"
              << "  linear solves " << counter("linear_solves") << " ("
              << counter("linear_solves_per_iteration") << " per iteration)\n"
              << "  seconds       " << s.seconds << "\n";
  }
  return exit_code(s.status, Goal::budget);
}

const CommandRegistrar registrar("newton", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<NewtonFlags>();
  auto* cmd = app.add_subcommand(
      "newton", "Newton with approximate Hessians (GNS) and baselines on the paper's problems");
  cmd->add_option("--problem", f->problem,
                  "logsumexp:n=500,m=500 | nle:p=4 | chebyshev:n=1000 | rosenbrock:p=4 | "
                  "logreg:FILE | softmax:FILE (FILE: data set name, LIBSVM or CSV)")
      ->capture_default_str();
  add_method_flag(cmd, f->method, newton::methods());
  const OptionFlagAdder option{cmd, f->options, registry_docs(newton::methods())};
  option("--hessian", "hessian",
         "exact | wgn | fisher | gn-fisher | bound | instance (the problem's approximation)");
  option("--solver", "linear_solver", "cholesky | sherman-morrison (rank-one Hessians)");
  cmd->add_option("--metric", f->metric, "problem (the paper's B) | identity")
      ->check(CLI::IsMember({"problem", "identity"}))
      ->capture_default_str();
  option("--acceptance", "acceptance",
         "strict (stall if no trial is accepted) | reference (accept the last trial)");
  option("--tol", "value_tolerance",
         "Stop when f - f* < tol (or ||g||_* < tol when f* is unknown)");
  option("--gtol", "gradient_tolerance", "Also stop when ||g||_* < gtol (0 = off)");
  option("--max-iterations", "max_iterations", "Cap on iterations");
  add_set_flag(cmd, f->options, "newton");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_newton(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
