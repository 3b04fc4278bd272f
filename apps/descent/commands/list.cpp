// `descent list`: methods, experiments and test problems.
#include <iostream>

#include "cli.hpp"
#include "descent/bilevel/methods.hpp"
#include "descent/core/gradient_descent.hpp"
#include "descent/core/problems.hpp"
#include "descent/experiments/registry.hpp"
#include "descent/implicit/hyperopt.hpp"
#include "descent/implicit/inner.hpp"
#include "descent/linalg/solvers.hpp"
#include "descent/newton/methods.hpp"
#include "descent/optim/optimize.hpp"
#include "descent/optim/synthetic.hpp"
#include "descent/ot/solvers.hpp"
#include "descent/privacy/methods.hpp"
#include "descent/recovery/methods.hpp"
#include "descent/surrogate/methods.hpp"

namespace descent::cli {
namespace {

// core's test problems and optim's diffGrad functions: all that `minimize --problem` takes.
std::vector<std::string> all_problem_names() {
  std::vector<std::string> names = problem_names();
  for (const auto& n : optim::synthetic_names()) names.push_back(n);
  return names;
}

// A method of a library registry, with the command that runs it and its options.
struct Listed {
  descent::MethodInfo info;
  std::string command;
  std::vector<OptionDoc> options;
};

template <class R>
void add(std::vector<Listed>& out, const MethodRegistry<R>& registry, const std::string& command) {
  for (const auto& m : registry.methods())
    out.push_back({m.info, command + " " + m.info.name, m.options()});
}

// The library's registries first (their options are listed by --options), then the methods the
// CLI still registers itself.
std::vector<Listed> all_methods() {
  std::vector<Listed> out;
  add(out, gradient_methods(), "descent minimize --optimizer");
  add(out, optim::methods(), "descent minimize --optimizer");
  add(out, newton::methods(), "descent newton --method");
  add(out, linalg::solvers(), "descent solve A.mtx b.mtx --method");
  add(out, ot::solvers(), "descent ot --method");
  add(out, recovery::methods(), "descent recover --method");
  add(out, bilevel::constrained_methods(), "descent bilevel --method");
  add(out, bilevel::methods(), "descent bilevel --method");
  add(out, bilevel::multi_block_methods(), "descent bilevel --method");
  add(out, privacy::methods(), "descent dp-train --method");
  add(out, surrogate::methods(), "descent sso --method");
  add(out, implicit::hyperopt_methods(), "descent hyperopt --method");
  add(out, implicit::inner_solvers(), "library: implicit::inner_solvers(), method");
  for (const auto& m : methods())
    out.push_back({{m.name, m.family, m.paper, m.summary}, m.command, {}});
  return out;
}

int run_list(const Globals& g, bool options) {
  const auto experiments = experiments::all_experiments();
  const auto listed = all_methods();
  if (g.json) {
    nlohmann::json j;
    j["methods"] = nlohmann::json::array();
    for (const auto& m : listed) {
      nlohmann::json o = nlohmann::json::array();
      for (const OptionDoc& d : m.options)
        o.push_back({{"key", d.key}, {"default", d.default_value}, {"help", d.help}});
      j["methods"].push_back({{"name", m.info.name},
                              {"family", m.info.family},
                              {"command", m.command},
                              {"paper", m.info.paper},
                              {"summary", m.info.summary},
                              {"options", o}});
    }
    j["experiments"] = nlohmann::json::array();
    for (const auto* e : experiments)
      j["experiments"].push_back({{"id", e->id}, {"paper", e->paper}, {"summary", e->summary}});
    j["problems"] = all_problem_names();
    print_json(j);
    return 0;
  }
  std::cout << "Methods:\n";
  for (const auto& m : listed) {
    std::cout << "  " << m.info.family << "/" << m.info.name << "  (" << m.command << ")\n      "
              << m.info.summary << (m.info.paper.empty() ? "" : " [" + m.info.paper + "]") << "\n";
    if (options)
      for (const OptionDoc& d : m.options)
        std::cout << "        " << d.key << "=" << d.default_value << "  " << d.help << "\n";
  }
  if (!options)
    std::cout << "  (descent list --options adds each library method's options and defaults, "
                 "settable with --set KEY=VALUE where a command takes it)\n";
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
  auto options = std::make_shared<bool>(false);
  cmd->add_flag("--options", *options, "Also list each method's options with their defaults");
  return Command{cmd, [&g, options] { return run_list(g, *options); }};
});

}  // namespace
}  // namespace descent::cli
