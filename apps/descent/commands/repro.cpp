// `descent repro ID|all` and `descent report DIR`.
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/experiments/runner.hpp"

namespace descent::cli {
namespace {

struct ReproFlags {
  std::string id;
  bool quick = false;
  std::string out = "results";
  bool report = false;
};

int run_repro(const ReproFlags& f, const Globals& g) {
  std::vector<const experiments::ExperimentInfo*> todo;
  if (f.id == "all") {
    todo = experiments::all_experiments();
  } else if (const auto* e = experiments::find_experiment(f.id)) {
    todo.push_back(e);
  } else {
    std::string known;
    for (const auto* e : experiments::all_experiments()) known += " " + e->id;
    throw Error("unknown experiment '" + f.id + "' (known:" + known + ", or all)");
  }
  experiments::RunOptions options;
  options.quick = f.quick;
  options.seed = g.seed;
  options.out_dir = f.out;
  options.threads = g.threads;

  int failures = 0;
  nlohmann::json all = nlohmann::json::array();
  for (const auto* e : todo) {
    if (!g.quiet && !g.json)
      std::cerr << "descent: running " << e->id << (f.quick ? " (quick)" : "") << " ...\n";
    try {
      nlohmann::json s = experiments::run_experiment(*e, options);
      if (!g.json) {
        std::cout << e->id << "  (" << s["wall_seconds"].get<double>() << " s)\n";
        for (const auto& c : s["claims"])
          std::cout << "  [" << c["verdict"].get<std::string>() << "] "
                    << c["statement"].get<std::string>()
                    << "\n      ours: " << c["ours"].get<std::string>() << "\n";
        std::cout << "  -> " << options.out_dir << "/" << e->id << "/summary.json\n";
      }
      all.push_back(std::move(s));
    } catch (const std::exception& ex) {
      ++failures;
      std::cerr << "descent: experiment " << e->id << " failed: " << ex.what() << '\n';
      all.push_back({{"id", e->id}, {"error", ex.what()}});
    }
  }
  if (f.report) {
    const std::string path = experiments::write_report(options.out_dir);
    if (!g.json) std::cout << "report: " << path << '\n';
  }
  if (g.json) print_json(todo.size() == 1 && f.id != "all" ? all[0] : all);
  return failures == 0 ? 0 : 1;
}

const CommandRegistrar repro("repro", [](CLI::App& app, Globals& g) {
  auto flags = std::make_shared<ReproFlags>();
  auto* cmd = app.add_subcommand("repro", "Run a paper reproduction (or all of them)");
  cmd->add_option("id", flags->id, "Experiment id (see `descent list`) or all")->required();
  cmd->add_flag("--quick", flags->quick, "The small version (about a minute each)");
  cmd->add_option("--out", flags->out, "Results folder")->capture_default_str();
  cmd->add_flag("--report", flags->report, "Also write OUT/REPORT.md");
  return Command{cmd, [flags, &g] { return run_repro(*flags, g); }};
});

const CommandRegistrar report("report", [](CLI::App& app, Globals& g) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("report", "Write DIR/REPORT.md (tables and PNG plots)");
  cmd->add_option("dir", *dir, "Results folder written by `descent repro`")->required();
  return Command{cmd, [dir, &g] {
                   const std::string path = experiments::write_report(*dir);
                   if (g.json)
                     print_json({{"report", path}});
                   else
                     std::cout << "report: " << path << '\n';
                   return 0;
                 }};
});

}  // namespace
}  // namespace descent::cli
