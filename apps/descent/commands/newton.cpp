// `descent newton`: GNS (Newton with approximate Hessians) and its baselines on the paper's
// problems or on a classification file.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/io/json.hpp"
#include "descent/newton/methods.hpp"
#include "descent/problems/factory.hpp"

namespace descent::cli {
namespace {

struct NewtonFlags {
  std::string problem = "logsumexp:n=500,m=500";
  std::string method = "gns";
  std::string
      hessian;  // empty: exact for gns/cubic/super-universal, the problem's default for gns-approx
  std::string solver = "cholesky";
  std::string metric = "problem";
  std::string acceptance = "strict";
  double tol = 1e-8;
  double gtol = 0.0;
  std::size_t max_iterations = 1000;
  RunFlags run;
};

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

int run_newton(const NewtonFlags& f, const Globals& g) {
  const problems::Instance in = problems::make_instance(f.problem, g.seed);
  newton::MethodSettings st;
  st.method = newton::method_from_string(f.method);
  if (!f.hessian.empty())
    st.hessian = problems::approximation_from_string(f.hessian);
  else if (st.method == newton::Method::gns_approx)
    st.hessian = in.default_approximation;
  st.linear_solver = newton::linear_solver_from_string(f.solver);
  if (f.metric == "problem")
    st.common.metric = in.metric;
  else if (f.metric != "identity")
    throw Error("--metric must be 'problem' or 'identity', got '" + f.metric + "'");
  if (f.acceptance == "reference")
    st.common.acceptance = newton::Acceptance::reference_compatible;
  else if (f.acceptance != "strict")
    throw Error("--acceptance must be 'strict' or 'reference', got '" + f.acceptance + "'");
  st.common.max_iterations = f.max_iterations;
  st.common.optimal_value = in.optimal_value;
  st.common.value_tolerance = f.tol;
  // Without a known f*, --tol bounds the dual gradient norm instead.
  st.common.gradient_tolerance = f.gtol > 0 ? f.gtol : (in.optimal_value ? 0.0 : f.tol);

  Eigen::VectorXd x = in.x0;
  const Summary s = newton::run_method(st, *in.oracle, x, make_callbacks(f.run, g));
  const double gap = in.optimal_value ? s.objective - *in.optimal_value : std::nan("");
  const auto counter = [&](const char* k) { return s.counters.count(k) ? s.counters.at(k) : 0.0; };
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    j["problem"] = in.description;
    j["hessian"] = std::string(problems::to_string(st.hessian));
    j["linear_solver"] = f.solver;
    j["metric"] = f.metric;
    j["optimality_gap"] = std::isfinite(gap) ? nlohmann::json(gap) : nlohmann::json(nullptr);
    print_json(j);
  } else {
    std::cout << in.description << "\n"
              << s.method << " (hessian " << problems::to_string(st.hessian) << ", " << f.solver
              << ", metric " << f.metric << "): " << s.brief() << "\n"
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

const char* kPaper =
    "Semenov, Jaggi, Doikov, Gradient-Normalized Smoothness for Optimization with Approximate "
    "Hessians, arXiv:2506.13710, 2025";
const MethodRegistrar gns_method({"gns", "newton", "descent newton --method gns", kPaper,
                                  "Gradient-regularised Newton with adaptive gamma search"});
const MethodRegistrar gns_approx_method(
    {"gns-approx", "newton", "descent newton --method gns-approx --hessian H", kPaper,
     "GNS with a Hessian approximation (wgn, fisher, gn-fisher, bound)"});
const MethodRegistrar cubic_method({"cubic", "newton", "descent newton --method cubic",
                                    "Nesterov, Polyak, Math. Program. 2006",
                                    "Cubic-regularised Newton with adaptive M"});
const MethodRegistrar su_method({"super-universal", "newton",
                                 "descent newton --method super-universal",
                                 "Doikov, Mishchenko, Nesterov, SIAM J. Optim. 2024",
                                 "Super-Universal regularised Newton"});
const MethodRegistrar gm_method({"gd", "newton", "descent newton --method gd",
                                 "Nesterov, Math. Program. 2013",
                                 "Gradient method with adaptive L in the metric B"});
const MethodRegistrar fgm_method({"fgm", "newton", "descent newton --method fgm",
                                  "Gasnikov, Nesterov 2018 (similar triangles)",
                                  "Fast gradient method with adaptive L"});

const CommandRegistrar registrar("newton", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<NewtonFlags>();
  auto* cmd = app.add_subcommand(
      "newton", "Newton with approximate Hessians (GNS) and baselines on the paper's problems");
  cmd->add_option("--problem", f->problem,
                  "logsumexp:n=500,m=500 | nle:p=4 | chebyshev:n=1000 | rosenbrock:p=4 | "
                  "logreg:FILE | softmax:FILE (FILE: data set name, LIBSVM or CSV)")
      ->capture_default_str();
  cmd->add_option("--method", f->method, "gns | gns-approx | cubic | super-universal | gd | fgm")
      ->check(CLI::IsMember(newton::method_names()))
      ->capture_default_str();
  cmd->add_option("--hessian", f->hessian,
                  "exact | wgn | fisher | gn-fisher | bound (default: exact; gns-approx uses "
                  "the problem's approximation)")
      ->check(CLI::IsMember({"exact", "wgn", "fisher", "gn-fisher", "bound"}));
  cmd->add_option("--solver", f->solver, "cholesky | sherman-morrison (rank-one Hessians)")
      ->check(CLI::IsMember({"cholesky", "sherman-morrison"}))
      ->capture_default_str();
  cmd->add_option("--metric", f->metric, "problem (the paper's B) | identity")
      ->check(CLI::IsMember({"problem", "identity"}))
      ->capture_default_str();
  cmd->add_option("--acceptance", f->acceptance,
                  "strict (stall if no trial is accepted) | reference (accept the last trial)")
      ->check(CLI::IsMember({"strict", "reference"}))
      ->capture_default_str();
  cmd->add_option("--tol", f->tol, "Stop when f - f* < tol (or ||g||_* < tol when f* is unknown)")
      ->capture_default_str();
  cmd->add_option("--gtol", f->gtol, "Also stop when ||g||_* < gtol (0 = off)");
  cmd->add_option("--max-iterations", f->max_iterations)->capture_default_str();
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_newton(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
