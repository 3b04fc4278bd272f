// `descent repro ID[,ID...]|all` and `descent report DIR`.
//
// Under `mpirun -np K` the experiments are dealt to the ranks (experiment i to rank i mod K, in
// registry order); each rank runs its own into OUT/<id>/ exactly as a serial run would (same
// seed, same threads, so the same metrics), then rank 0 waits for every rank, reads the
// summaries back from OUT (a folder every rank sees: one machine, or a shared file system) and
// prints the results and the report in registry order.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/dist/communicator.hpp"
#include "descent/experiments/runner.hpp"

namespace descent::cli {
namespace {

struct ReproFlags {
  std::string id;
  bool quick = false;
  std::string out = "results";
  bool report = false;
  std::string mpi = "auto";
};

std::vector<const experiments::ExperimentInfo*> selected(const std::string& ids) {
  if (ids == "all") return experiments::all_experiments();
  std::vector<const experiments::ExperimentInfo*> todo;
  std::size_t start = 0;
  while (start <= ids.size()) {
    const std::size_t comma = std::min(ids.find(',', start), ids.size());
    const std::string id = ids.substr(start, comma - start);
    if (const auto* e = experiments::find_experiment(id)) {
      todo.push_back(e);
    } else {
      std::string known;
      for (const auto* x : experiments::all_experiments()) known += " " + x->id;
      throw Error("unknown experiment '" + id + "' (known:" + known + ", or all)");
    }
    start = comma + 1;
  }
  return todo;
}

void print_summary(const nlohmann::json& s, const std::string& out_dir) {
  std::cout << s["id"].get<std::string>() << "  (" << s["wall_seconds"].get<double>() << " s)\n";
  for (const auto& c : s["claims"])
    std::cout << "  [" << c["verdict"].get<std::string>() << "] "
              << c["statement"].get<std::string>()
              << "\n      ours: " << c["ours"].get<std::string>() << "\n";
  std::cout << "  -> " << out_dir << "/" << s["id"].get<std::string>() << "/summary.json\n";
}

// Every rank's experiments, run where they were dealt; rank 0 collects them from OUT.
int run_repro_ranks(const ReproFlags& f, const Globals& g, dist::Communicator& comm,
                    const std::vector<const experiments::ExperimentInfo*>& todo,
                    const experiments::RunOptions& options) {
  const int k = comm.size(), rank = comm.rank();
  double failures = 0;
  for (std::size_t i = 0; i < todo.size(); ++i) {
    if (int(i % std::size_t(k)) != rank) continue;
    if (!g.quiet && !g.json)
      std::cerr << "descent: rank " << rank << " running " << todo[i]->id
                << (f.quick ? " (quick)" : "") << " ...\n";
    try {
      experiments::run_experiment(*todo[i], options);
    } catch (const std::exception& ex) {
      ++failures;
      std::cerr << "descent: experiment " << todo[i]->id << " failed on rank " << rank << ": "
                << ex.what() << '\n';
    }
  }
  // The gather is also the barrier: rank 0 reads the summaries only once every rank is done.
  std::vector<double> counts(std::size_t(k), 0.0);
  const std::vector<int> ones(std::size_t(k), 1);
  comm.gather(std::span<const double>(&failures, 1), counts, ones);
  if (!comm.is_root()) return failures == 0 ? 0 : 1;
  int total = 0;
  for (double c : counts) total += int(c);
  nlohmann::json all = nlohmann::json::array();
  for (const auto* e : todo) {
    const std::filesystem::path path =
        std::filesystem::path(options.out_dir) / e->id / "summary.json";
    std::ifstream in(path);
    nlohmann::json s = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
    if (!s.is_object() || s.contains("error")) {
      all.push_back(
          {{"id", e->id},
           {"error",
            s.is_object() && s.contains("error") ? s["error"] : nlohmann::json("no summary")}});
      continue;
    }
    if (!g.json) print_summary(s, options.out_dir);
    all.push_back(std::move(s));
  }
  if (!g.json)
    std::cout << todo.size() << " experiment" << (todo.size() == 1 ? "" : "s") << " on " << k
              << " MPI ranks\n";
  if (f.report) {
    const std::string path = experiments::write_report(options.out_dir);
    if (!g.json) std::cout << "report: " << path << '\n';
  }
  if (g.json) print_json(all);
  return total == 0 ? 0 : 1;
}

int run_repro(const ReproFlags& f, const Globals& g) {
  const std::vector<const experiments::ExperimentInfo*> todo = selected(f.id);
  experiments::RunOptions options;
  options.quick = f.quick;
  options.seed = g.seed;
  options.out_dir = f.out;
  options.threads = g.threads;

  auto comm = dist::make_communicator(dist::mode_from_string(f.mpi));
  if (comm->size() > 1)
    return dist::run_or_abort(*comm, [&] { return run_repro_ranks(f, g, *comm, todo, options); });

  int failures = 0;
  nlohmann::json all = nlohmann::json::array();
  for (const auto* e : todo) {
    if (!g.quiet && !g.json)
      std::cerr << "descent: running " << e->id << (f.quick ? " (quick)" : "") << " ...\n";
    try {
      nlohmann::json s = experiments::run_experiment(*e, options);
      if (!g.json) print_summary(s, options.out_dir);
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
  if (g.json)
    print_json(todo.size() == 1 && f.id.find(',') == std::string::npos && f.id != "all" ? all[0]
                                                                                        : all);
  return failures == 0 ? 0 : 1;
}

const CommandRegistrar repro("repro", [](CLI::App& app, Globals& g) {
  auto flags = std::make_shared<ReproFlags>();
  auto* cmd = app.add_subcommand("repro", "Run a paper reproduction (or all of them)");
  cmd->add_option("id", flags->id,
                  "Experiment id (see `descent list`), ids joined by commas, or all")
      ->required();
  cmd->add_flag("--quick", flags->quick, "The small version (about a minute each)");
  cmd->add_option("--out", flags->out, "Results folder")->capture_default_str();
  cmd->add_flag("--report", flags->report, "Also write OUT/REPORT.md");
  cmd->add_option("--mpi", flags->mpi,
                  "auto (under mpirun the experiments are spread over the ranks), serial or mpi")
      ->check(CLI::IsMember({"auto", "serial", "mpi"}))
      ->capture_default_str();
  cmd->footer(
      "Under `mpirun -np K descent repro all --quick --out DIR` experiment i runs on rank i mod K "
      "(OUT must be a folder every rank sees); rank 0 prints the results and writes the report. "
      "The metrics equal a serial run's; only the timings differ.");
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
