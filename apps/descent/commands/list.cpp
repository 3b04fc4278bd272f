// `descent list`: methods, experiments and test problems.
#include <iostream>

#include "cli.hpp"
#include "descent/core/problems.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/optim/synthetic.hpp"

namespace descent::cli {
namespace {

// core's test problems and optim's diffGrad functions: all that `minimize --problem` takes.
std::vector<std::string> all_problem_names() {
  std::vector<std::string> names = problem_names();
  for (const auto& n : optim::synthetic_names()) names.push_back(n);
  return names;
}

int run_list(const Globals& g) {
  const auto experiments = experiments::all_experiments();
  if (g.json) {
    nlohmann::json j;
    j["methods"] = nlohmann::json::array();
    for (const auto& m : methods())
      j["methods"].push_back({{"name", m.name},
                              {"family", m.family},
                              {"command", m.command},
                              {"paper", m.paper},
                              {"summary", m.summary}});
    j["experiments"] = nlohmann::json::array();
    for (const auto* e : experiments)
      j["experiments"].push_back({{"id", e->id}, {"paper", e->paper}, {"summary", e->summary}});
    j["problems"] = all_problem_names();
    print_json(j);
    return 0;
  }
  std::cout << "Methods:\n";
  for (const auto& m : methods())
    std::cout << "  " << m.family << "/" << m.name << "  (" << m.command << ")\n      " << m.summary
              << "\n";
  std::cout << "\nExperiments (descent repro ID):\n";
  for (const auto* e : experiments)
    std::cout << "  " << e->id << "\n      " << e->summary << "\n      paper: " << e->paper << "\n";
  std::cout << "\nTest problems (descent minimize --problem NAME):\n ";
  for (const auto& p : all_problem_names()) std::cout << ' ' << p;
  std::cout << '\n';
  return 0;
}

const CommandRegistrar registrar("list", [](CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand("list", "List methods, reproductions and test problems");
  return Command{cmd, [&g] { return run_list(g); }};
});

}  // namespace
}  // namespace descent::cli
