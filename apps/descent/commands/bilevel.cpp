// `descent bilevel`: LV-HBA, BO-REP/SOBA and BSVRB/RSVRB on the bilevel test problems, through
// the bilevel registries (constrained_methods, methods, multi_block_methods).
#include <cmath>
#include <iostream>
#include <map>
#include <vector>

#include "cli.hpp"
#include "descent/bilevel/methods.hpp"
#include "descent/bilevel/problems.hpp"
#include "descent/bilevel/rnn.hpp"
#include "descent/core/error.hpp"
#include "descent/io/json.hpp"
#include "method_flags.hpp"

namespace descent::cli {
namespace {

using namespace descent::bilevel;

// The flags name roles (UL step, LL step, ...) that each method spells with its own keys;
// they are recorded under the role and mapped by method_keys() below. --set reaches any key.
struct BilevelFlags {
  std::string problem = "cosh-toy";
  std::string method = "borep";
  std::optional<std::size_t> batch;  // also the hyperclean problem's minibatch
  double sigma = 0.5;
  int n = 100;
  MethodFlags options;
  RunFlags run;
};

// Role -> the method's keys (a role a method lacks is warned about and dropped).
std::vector<std::string> method_keys(const std::string& method, const std::string& role) {
  const bool lvhba = method == "lvhba", single = method == "borep" || method == "soba";
  const bool bsvrb = method == "bsvrb1" || method == "bsvrb2";
  if (role == "step") return {lvhba ? "alpha" : "eta"};
  if (role == "lower_step") {
    if (lvhba) return {"eta"};
    if (single) return {"lower_step"};
    return bsvrb ? std::vector<std::string>{"tau", "tau_v"} : std::vector<std::string>{"tau"};
  }
  if (role == "gamma") {
    if (lvhba) return {"gamma1", "gamma2"};
    if (bsvrb) return {"gamma"};
    return {};
  }
  if (role == "blocks") return {"blocks_per_iteration"};
  if (role == "period") return {"update_period"};
  return {role};
}

// The spec's settings for each (method, problem) pair, under the user's flags.
Settings preset(const BilevelFlags& f, bool blocks_given) {
  Settings s;
  const bool cosh = f.problem == "cosh-toy";
  if (f.method == "borep" && cosh)  // spec BO-2
    s = {{"eta", "0.1"},
         {"nu", "0.5"},
         {"lower_steps", "5"},
         {"lower_step", "0.5"},
         {"max_iterations", "2000"}};
  else if (f.method == "borep")  // the bo-rep reproduction's hyper-cleaning
    s = {{"eta", "0.5"},
         {"nu", "1e-3"},
         {"lower_steps", "5"},
         {"lower_step", "0.1"},
         {"max_iterations", "500"}};
  else if (f.method == "soba" && cosh)
    s = {{"max_iterations", "2000"}};
  else if (f.method == "soba")
    s = {{"eta", "0.5"}, {"lower_step", "0.1"}, {"nu", "0.1"}, {"max_iterations", "500"}};
  else if (f.method == "rsvrb")
    s = {{"blocks_per_iteration", "10"},
         {"batch", "4"},
         {"tau", "0.05"},
         {"beta", "0.2"},
         {"decay_eta", f.sigma > 0 ? "true" : "false"}};
  else if (f.method != "lvhba") {  // bsvrb1, bsvrb2
    s = {{"blocks_per_iteration", "10"},
         {"batch", "4"},
         {"decay_eta", f.sigma > 0 ? "true" : "false"}};
    // All blocks: the theory's MSVR gamma (and a larger LL step without noise); else fixed.
    const std::size_t blocks =
        blocks_given ? typed_setting<std::size_t>(f.options, f.options.settings, {}, "blocks") : 10;
    const bool full = blocks == 0 || blocks >= 50;
    s.set("gamma_rule", full ? "theory" : "fixed");
    const std::string tau = full && f.sigma == 0 ? "0.3" : "0.1";
    s.set("tau", tau).set("tau_v", tau);
  }
  return s;
}

void require_pair(bool ok, const BilevelFlags& f, const char* allowed) {
  if (!ok)
    throw InvalidOption("method", "'" + f.method + "' does not apply to --problem " + f.problem +
                                      " (use " + allowed + ")");
}

int report(const Summary& s, const Globals& g, nlohmann::json extra) {
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    for (auto& [k, v] : extra.items()) j[k] = v;
    print_json(j);
  } else {
    std::cout << s.method << ": " << s.brief() << "\n";
    for (auto& [k, v] : extra.items()) std::cout << "  " << k << " = " << v.dump() << "\n";
  }
  return exit_code(s.status, Goal::budget);
}

int run_bilevel(const BilevelFlags& f, const Globals& g) {
  // The method's options: its preset, the flags mapped onto its keys, the seed.
  const auto* constrained = constrained_methods().find(f.method);
  const auto* single = bilevel::methods().find(f.method);
  const auto* blocks = multi_block_methods().find(f.method);
  const std::vector<OptionDoc> docs = constrained ? constrained->options()
                                      : single    ? single->options()
                                                  : blocks->options();
  MethodFlags mapped;
  mapped.settings = preset(f, f.options.settings.find("blocks") != nullptr);
  for (const auto& [role, value] : f.options.settings.items()) {
    const auto from_flag = f.options.flag.find(role);
    const std::vector<std::string> keys = from_flag == f.options.flag.end()
                                              ? std::vector<std::string>{role}
                                              : method_keys(f.method, role);
    if (keys.empty()) mapped.flag[role] = from_flag->second;  // settings_for warns
    for (const std::string& key : keys.empty() ? std::vector<std::string>{role} : keys) {
      mapped.settings.set(key, value);
      if (from_flag != f.options.flag.end()) mapped.flag[key] = from_flag->second;
    }
  }
  if (takes(docs, "seed")) mapped.settings.set("seed", std::to_string(g.seed));
  if (f.batch && takes(docs, "batch")) {
    mapped.settings.set("batch", std::to_string(*f.batch));
    mapped.flag["batch"] = "--batch";
  }
  const Settings settings = settings_for(mapped, docs, f.method);
  const auto run = [&](auto&& call) { return naming_flags(mapped, call); };
  const Callbacks cb = make_callbacks(f.run, g);

  if (constrained) {
    require_pair(f.problem == "llc-toy" || f.problem == "llsc-toy", f, "llc-toy or llsc-toy");
    if (f.problem == "llc-toy") {
      const LlcToy p(f.n);
      Vec x = p.start_x(), y = p.start_y();
      const Summary s = run([&] { return constrained->run(p, x, y, settings, cb); });
      return report(s, g,
                    {{"problem", "llc-toy n=" + std::to_string(f.n)},
                     {"rel_err", (x - p.solution_x()).norm() / p.solution_x().norm()}});
    }
    const LlscToy p(f.n, f.n * 9 / 10, f.n * 9 / 20, g.seed);
    Vec x = p.start_x(), y = p.start_y();
    const Summary s = run([&] { return constrained->run(p, x, y, settings, cb); });
    return report(s, g,
                  {{"problem", "llsc-toy n=" + std::to_string(f.n)},
                   {"lower_gap", (y - p.lower_solution(x)).norm()}});
  }
  if (single) {
    require_pair(f.problem == "cosh-toy" || f.problem == "hyperclean-rnn", f,
                 "cosh-toy or hyperclean-rnn");
    if (f.problem == "cosh-toy") {
      CoshToy p(5);
      Vec x = Vec::Constant(5, 7.6), y = Vec::Zero(5);
      const Summary s = run([&] { return single->run(p, x, y, settings, cb); });
      return report(s, g,
                    {{"problem", "cosh-toy d=5, x0=7.6"}, {"grad_phi_norm", s.gradient_norm}});
    }
    HypercleanRnn p(make_digits_hyperclean(0.3, g.seed + 1), ElmanShape{8, 32, 8, 10},
                    f.batch.value_or(64), 100, 1e-4);
    Rng rng = make_rng(g.seed, {0xC1EA});
    Vec x = Vec::Zero(p.dim_x()), y = p.model().init(rng);
    const Summary s = run([&] { return single->run(p, x, y, settings, cb); });
    std::vector<bool> clean;
    for (bool b : p.data().flipped) clean.push_back(!b);
    const Vec w = x.unaryExpr([](double t) { return 1.0 / (1.0 + std::exp(-t)); });
    return report(s, g,
                  {{"problem", "hyperclean-rnn (digits, 30% flipped)"},
                   {"test_accuracy", p.model().accuracy(y, p.data().test_x, p.data().test_y)},
                   {"weight_auc", roc_auc(w, clean)}});
  }
  require_pair(f.problem == "mbbo-quadratic", f, "mbbo-quadratic");
  MultiBlockQuadratic p(50, 10, 5, 0.1, f.sigma, g.seed + 123);
  const auto blocks_used =
      typed_setting<std::size_t>(mapped, settings, docs, "blocks_per_iteration");
  if (blocks_used > p.num_blocks())
    throw InvalidOption("--blocks", "the problem has " + std::to_string(p.num_blocks()) +
                                        " blocks, got " + std::to_string(blocks_used) +
                                        " (0 = all)");
  Vec xs;
  p.solution(xs);
  Vec x = Vec::Zero(10);
  std::vector<Vec> y(50, Vec::Zero(5));
  const Summary s = run([&] { return blocks->run(p, x, y, settings, cb); });
  return report(s, g,
                {{"problem", "mbbo-quadratic m=50, sigma=" + std::to_string(f.sigma)},
                 {"rel_err", (x - xs).norm() / xs.norm()}});
}

const CommandRegistrar registrar("bilevel", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<BilevelFlags>();
  auto* cmd = app.add_subcommand(
      "bilevel", "Bilevel methods (LV-HBA, BO-REP, SOBA, BSVRB, RSVRB) on their test problems");
  cmd->add_option("--problem", f->problem,
                  "llc-toy | llsc-toy (lvhba) | cosh-toy | hyperclean-rnn (borep, soba) | "
                  "mbbo-quadratic (bsvrb1, bsvrb2, rsvrb)")
      ->check(
          CLI::IsMember({"llc-toy", "llsc-toy", "cosh-toy", "mbbo-quadratic", "hyperclean-rnn"}))
      ->capture_default_str();
  std::vector<std::string> names = constrained_methods().names();
  for (const auto& n : bilevel::methods().names()) names.push_back(n);
  for (const auto& n : multi_block_methods().names()) names.push_back(n);
  cmd->add_option("--method", f->method, "lvhba | borep | soba | bsvrb1 | bsvrb2 | rsvrb")
      ->check(CLI::IsMember(names))
      ->capture_default_str();
  // Roles, not keys: method_keys() maps them (the help cannot quote one default).
  const OptionFlagAdder role{cmd, f->options, {}};
  role("--iterations", "max_iterations", "iteration budget (method default)");
  role("--step", "step", "UL step: alpha (lvhba), eta (borep, soba, bsvrb, rsvrb)");
  role("--lower-step", "lower_step",
       "eta for (theta, lambda) (lvhba), LL step (borep, soba), tau (bsvrb, rsvrb)");
  role("--beta", "beta", "z step (lvhba), momentum (borep), STORM beta (bsvrb)");
  role("--nu", "nu", "z-iteration step (borep, soba)");
  role("--gamma", "gamma", "gamma1 = gamma2 (lvhba), fixed MSVR gamma (bsvrb)");
  role("--p", "p", "penalty exponent p in c_k = (k+1)^p (lvhba)");
  role("--c-lower", "c_lower", "penalty scale c in c_k = c (k+1)^p (lvhba)");
  role("--period", "period", "I: LL update period (borep)");
  role("--lower-steps", "lower_steps", "N: SGD steps per LL update (borep)");
  role("--blocks", "blocks", "blocks sampled per iteration (bsvrb, rsvrb; 0 = all)");
  cmd->add_option("--batch", f->batch, "samples per block (bsvrb) or minibatch (hyperclean)");
  cmd->add_option("--sigma", f->sigma, "oracle noise of mbbo-quadratic (0 = deterministic)")
      ->check(finite_non_negative)
      ->capture_default_str();
  cmd->add_option("--n", f->n, "dimension of the LLC/LLSC toys")
      ->check(CLI::Range(4, 100000))
      ->capture_default_str();
  add_set_flag(cmd, f->options, "bilevel");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_bilevel(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
