// `descent search`: hardware-aware multi-objective sub-network search (DyNAS-T / LINAS,
// Cummings et al., arXiv 2202.12954) over the tier-A OFA-MobileNetV3 oracle or a user's space
// whose configurations a user's command evaluates. Every validation is appended to a results
// CSV as it returns; --resume continues a stopped search from it without repeating any.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <numeric>
#include <span>
#include <sstream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/timer.hpp"
#include "descent/dist/communicator.hpp"
#include "descent/evo/distributed.hpp"
#include "descent/evo/hypervolume.hpp"
#include "descent/evo/linas.hpp"
#include "descent/evo/ofa.hpp"
#include "descent/evo/pareto.hpp"
#include "descent/evo/results_log.hpp"
#include "descent/evo/space.hpp"
#if DESCENT_HAVE_TORCH
#include "descent/evo_torch/digits_problem.hpp"
#endif
#include "descent/experiments/runner.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "evo_flags.hpp"

namespace descent::cli {
namespace {

namespace fs = std::filesystem;
using Index = Eigen::Index;

constexpr const char* kTierA = "ofa-mbv3-tier-a";
constexpr const char* kTierB = "digits-elastic";

struct SearchFlags {
  std::string space = kTierA, evaluator, objectives = "accuracy,macs", maximize = "accuracy";
  std::string method = "linas", out, results, ref, plots, predictor = "best";
  std::string mpi = "auto", supernet;
  int supernet_steps = 3000;
  std::size_t evals = 250, population = 50, inner_evals = 20000;
  bool resume = false;
};

/// Runs `command` with the configurations (choice values, one per row, header of variable
/// names) as CSV on its standard input; its standard output must be a CSV whose header names
/// every objective (other columns are ignored), one row per configuration in order.
class CommandEvaluator {
 public:
  CommandEvaluator(std::string command, evo::SearchSpace space,
                   std::vector<evo::Objective> objectives)
      : command_(std::move(command)),
        space_(std::move(space)),
        objectives_(std::move(objectives)) {}

  void operator()(const Eigen::MatrixXd& X, Eigen::MatrixXd& F) const {
    const fs::path dir = fs::temp_directory_path();
    std::string in = (dir / "descent-search-in-XXXXXX").string();
    std::string out = (dir / "descent-search-out-XXXXXX").string();
    const int in_fd = ::mkstemp(in.data());
    if (in_fd < 0) throw Error("cannot create a temporary file in " + dir.string());
    ::close(in_fd);
    const int out_fd = ::mkstemp(out.data());
    if (out_fd < 0) {
      fs::remove(in);
      throw Error("cannot create a temporary file in " + dir.string());
    }
    ::close(out_fd);
    struct Cleanup {
      std::string a, b;
      ~Cleanup() {
        std::error_code ec;
        fs::remove(a, ec);
        fs::remove(b, ec);
      }
    } cleanup{in, out};
    io::write_csv(in, space_.decode(X), space_.names());
    const pid_t pid = ::fork();
    if (pid < 0) throw Error(std::string("cannot start the evaluator: ") + std::strerror(errno));
    if (pid == 0) {
      const int i = ::open(in.c_str(), O_RDONLY), o = ::open(out.c_str(), O_WRONLY | O_TRUNC);
      if (i < 0 || o < 0 || ::dup2(i, 0) < 0 || ::dup2(o, 1) < 0) ::_exit(127);
      ::close(i);
      ::close(o);
      ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    pid_t waited;
    while ((waited = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (waited < 0)
      throw Error("cannot wait for the evaluator '" + command_ + "': " + std::strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw Error("the evaluator '" + command_ + "' " +
                  (WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                     : std::string("was killed by a signal")) +
                  " on a batch of " + std::to_string(X.rows()) +
                  " configurations (its error output is above)");
    io::CsvOptions opts;
    opts.header = io::CsvOptions::Header::yes;
    const std::string where = "the output of '" + command_ + "'";
    io::CsvTable t;
    try {
      t = io::read_csv(out, opts);
    } catch (const InputError& e) {
      std::string why = e.what();  // "TEMPFILE:LINE: field 'F': WHY"
      const auto temp_at = why.find(out);
      const auto at = why.find(": ", temp_at == std::string::npos ? 0 : temp_at + out.size());
      if (!e.field().empty()) {
        const auto f_at = why.find("': ", at);
        why = f_at == std::string::npos ? why : why.substr(f_at + 3);
      } else if (at != std::string::npos) {
        why = why.substr(at + 2);
      }
      throw InputError(where, e.line(), e.field(), why);
    }
    if (t.values.rows() != X.rows())
      throw InputError(where, 0, "",
                       "has " + std::to_string(t.values.rows()) + " rows for " +
                           std::to_string(X.rows()) + " configurations");
    F.resize(X.rows(), static_cast<Index>(objectives_.size()));
    for (std::size_t k = 0; k < objectives_.size(); ++k) {
      const auto it = std::find(t.columns.begin(), t.columns.end(), objectives_[k].name);
      if (it == t.columns.end())
        throw InputError(where, 1, objectives_[k].name,
                         "no such column: the evaluator must print a CSV header naming every "
                         "objective");
      const Eigen::VectorXd v = t.values.col(it - t.columns.begin());
      F.col(static_cast<Index>(k)) = objectives_[k].maximise ? Eigen::VectorXd(-v) : v;
    }
  }

 private:
  std::string command_;
  evo::SearchSpace space_;
  std::vector<evo::Objective> objectives_;
};

std::string default_results_path(const std::string& out) {
  fs::path p(out);
  if (p.extension() == ".csv") p.replace_extension();
  return p.string() + ".results.csv";
}

/// The hypervolume reference in the minimised space: --ref (user units) or the tier-A default
/// (accuracy 70 %, 550 M MACs: just outside the measured sub-networks' 71.0-77.5 % and
/// 123-506 M).
std::optional<Eigen::VectorXd> reference(const SearchFlags& f,
                                         const std::vector<evo::Objective>& objectives) {
  Eigen::VectorXd ref(static_cast<Index>(objectives.size()));
  if (!f.ref.empty()) {
    ref = parse_numbers(f.ref, "ref");
    if (ref.size() != static_cast<Index>(objectives.size()))
      throw InvalidOption("ref", "has " + std::to_string(ref.size()) + " coordinates for " +
                                     std::to_string(objectives.size()) + " objectives");
  } else if (f.space == kTierA) {
    for (std::size_t k = 0; k < objectives.size(); ++k)
      ref(static_cast<Index>(k)) = objectives[k].name == "accuracy" ? 70.0 : 550.0;
  } else {
    return std::nullopt;
  }
  for (std::size_t k = 0; k < objectives.size(); ++k)
    if (objectives[k].maximise) ref(static_cast<Index>(k)) *= -1.0;
  return ref;
}

int run_search(const SearchFlags& f, const Globals& g, dist::Communicator& comm) {
  const bool root = comm.is_root();
  if (f.out.empty()) throw InvalidOption("out", "is required (the Pareto front's CSV)");
  if (f.method != "linas" && f.method != "nsga2" && f.method != "random")
    throw InvalidOption("method", "must be linas, nsga2 or random, got '" + f.method + "'");
  if (f.evals == 0) throw InvalidOption("evals", "must be >= 1");
  if (f.population < 2) throw InvalidOption("population", "must be >= 2");
  if (f.method == "nsga2" && f.evals < f.population)
    throw InvalidOption("evals", "must be at least --population (" + std::to_string(f.population) +
                                     ") for nsga2: its first generation validates a whole "
                                     "population");
  if (f.predictor != "best" && f.predictor != "ridge" && f.predictor != "svr")
    throw InvalidOption("predictor", "must be best, ridge or svr, got '" + f.predictor + "'");
  if (f.method == "linas" && f.population < 5)
    throw InvalidOption("population",
                        "must be >= 5 for linas (its predictors' 5-fold grid "
                        "search starts from one population)");
  if (f.method == "linas" && f.inner_evals < f.population)
    throw InvalidOption("inner-evals",
                        "must be at least --population (" + std::to_string(f.population) + ")");
  const auto names = split_names(f.objectives, "objectives");
  const auto maximised = split_names(f.maximize, "maximize");
  if (names.size() < 2 || names.size() > 3)
    throw InvalidOption("objectives",
                        "needs 2 or 3 objectives, got " + std::to_string(names.size()));
  std::vector<evo::Objective> objectives;
  for (const auto& n : names)
    objectives.push_back({n, std::find(maximised.begin(), maximised.end(), n) != maximised.end()});
  for (const auto& m : maximised)
    if (std::find(names.begin(), names.end(), m) == names.end() && f.maximize != "accuracy")
      throw InvalidOption("maximize", "'" + m + "' is not one of --objectives");

  evo::SearchSpace space;
  evo::Problem problem;
  evo::Features features;
  std::shared_ptr<evo::OfaOracle> oracle;
  if (f.space == kTierA) {
    if (!f.evaluator.empty())
      throw InvalidOption("evaluator", "applies to a JSON space; " + std::string(kTierA) +
                                           " is evaluated by its oracle");
    for (const auto& o : objectives)
      if (o.name != "accuracy" && o.name != "macs")
        throw InvalidOption(
            "objectives",
            std::string(kTierA) + " has the objectives accuracy and macs, not '" + o.name + "'");
    if (objectives.size() != 2)
      throw InvalidOption("objectives", std::string(kTierA) + " has two objectives");
    for (const auto& o : objectives)
      if (o.maximise != (o.name == "accuracy"))
        throw InvalidOption("maximize",
                            "accuracy is maximised and macs minimised in " + std::string(kTierA));
    space = evo::ofa_mbv3_space();
    oracle = std::make_shared<evo::OfaOracle>(evo::OfaOracle::bundled());
    const bool acc_first = objectives[0].name == "accuracy";
    problem.evaluate = [oracle, acc_first](const Eigen::MatrixXd& X, Eigen::MatrixXd& F) {
      Eigen::MatrixXd G;
      oracle->evaluate(X, G);  // (−accuracy, MACs in millions)
      F = acc_first ? G : G.rowwise().reverse().eval();
    };
    features = [](const Eigen::MatrixXd& X) { return evo::ofa_onehot_custom(X); };
  } else if (f.space == kTierB) {
    if (!f.evaluator.empty())
      throw InvalidOption("evaluator", "applies to a JSON space; " + std::string(kTierB) +
                                           " is evaluated by its supernet");
    for (const auto& o : objectives)
      if (o.maximise != (o.name == "accuracy"))
        throw InvalidOption("maximize",
                            "accuracy is maximised and error, latency and macs "
                            "minimised in " +
                                std::string(kTierB));
#if DESCENT_HAVE_TORCH
    if (f.supernet_steps < 1) throw InvalidOption("supernet-steps", "must be >= 1");
    evo_torch::DigitsProblemOptions o;
    o.steps = f.supernet_steps;
    o.seed = g.seed;
    o.checkpoint = f.supernet;
    if (root && !g.quiet && !g.json && (f.supernet.empty() || !fs::exists(f.supernet)))
      std::cerr << "descent: training the elastic digits supernet (" << f.supernet_steps
                << " sandwich steps) ...\n";
    auto tier_b = evo_torch::digits_elastic_problem(names, o);
    space = tier_b.space;
    problem.evaluate = tier_b.problem.evaluate;
#else
    throw InvalidOption("space",
                        std::string(kTierB) + " needs a build with LibTorch (libtorch-dev)");
#endif
  } else {
    if (f.evaluator.empty())
      throw InvalidOption("evaluator",
                          "is required with a JSON space: a command that reads configurations "
                          "as CSV on its input and prints their objectives as CSV");
    space = evo::SearchSpace::from_json(f.space);
    problem.evaluate = CommandEvaluator(f.evaluator, space, objectives);
  }
  problem.bounds = space.bounds();
  problem.objectives = static_cast<Index>(objectives.size());
  const auto ref = reference(f, objectives);

  // The signature names everything that changes the search's decisions or the values it
  // records (not the budget): a resumed search replays exactly the run that wrote the file.
  std::string signature =
      "method=" + f.method + " space=" + f.space + " objectives=" + f.objectives + " maximize=";
  bool first_max = true;
  for (const auto& o : objectives)
    if (o.maximise) {
      signature += (first_max ? "" : ",") + o.name;
      first_max = false;
    }
  signature += " seed=" + std::to_string(g.seed) + " population=" + std::to_string(f.population);
  if (f.space != kTierA && f.space != kTierB) {
    // The space's contents, not only its path (FNV-1a over names and choices).
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&](const std::string& text) {
      for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
    };
    for (const auto& v : space.variables()) {
      mix(v.name + "=");
      for (double c : v.choices) mix(io::Json(c).dump() + ",");
      mix("|");
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    signature += std::string(" space_hash=") + hex + " evaluator=" + f.evaluator;
  }
  if (f.space == kTierB) signature += " supernet_steps=" + std::to_string(f.supernet_steps);
  if (f.method == "linas")
    signature +=
        " inner_evaluations=" + std::to_string(f.inner_evals) + " predictor=" + f.predictor;
  const std::string results = f.results.empty() ? default_results_path(f.out) : f.results;
  {
    // The same file under two names (./a, b/../a, a link) would let the front replace the
    // results: compare real paths, the plots' files included.
    std::error_code ec;
    const auto real = [&](const fs::path& p) { return fs::weakly_canonical(p, ec); };
    const fs::path r = real(results);
    std::vector<std::pair<fs::path, std::string>> others{{real(f.out), "--out (" + f.out + ")"}};
    if (!f.plots.empty())
      for (const char* name : {"front.csv", "hypervolume.csv", "front.png", "hypervolume.png"})
        others.emplace_back(real(fs::path(f.plots) / name), "a file of --plots (" + f.plots + ")");
    for (const auto& [p, what] : others)
      if (p == r) throw InvalidOption("results", "must differ from " + what);
  }
  // Rank 0 owns the results file; the others learn its rows and record nothing.
  std::shared_ptr<evo::ResultsLog> log;
  Eigen::MatrixXd known_X(0, space.size()), known_F(0, problem.objectives);
  if (root) {
    log = f.resume ? evo::ResultsLog::resume(results, space, objectives, signature)
                   : evo::ResultsLog::create(results, space, objectives, signature);
    if (log->truncated_bytes() > 0)
      warn("removed a torn last line (" + std::to_string(log->truncated_bytes()) + " bytes) from " +
           results);
    if (f.resume && !g.quiet && !g.json)
      std::cerr << "descent: resuming from " << results << " (" << log->X().rows()
                << " validations on record)\n";
    known_X = log->X();
    known_F = log->F();
  }
  if (comm.size() > 1) {
    double rows = static_cast<double>(known_X.rows());
    comm.broadcast(std::span<double>(&rows, 1));
    known_X.conservativeResize(static_cast<Index>(rows), Eigen::NoChange);
    known_F.conservativeResize(static_cast<Index>(rows), Eigen::NoChange);
    comm.broadcast(std::span<double>(known_X.data(), static_cast<std::size_t>(known_X.size())));
    comm.broadcast(std::span<double>(known_F.data(), static_cast<std::size_t>(known_F.size())));
  }
  // One validation per rank at a time, appended by rank 0 as each chunk returns.
  auto logged =
      evo::logged(evo::distributed(problem, comm), known_X, known_F,
                  root ? std::function<void(const Eigen::RowVectorXd&, const Eigen::RowVectorXd&)>(
                             [log](const Eigen::RowVectorXd& x, const Eigen::RowVectorXd& y) {
                               log->append(x, y);
                             })
                       : nullptr,
                  static_cast<std::size_t>(comm.size()));

  // Progress after every batch of validations.
  Stopwatch clock;
  auto progress = std::make_shared<std::size_t>(0);
  evo::Problem watched = logged.problem;
  const bool chatty = root && !g.quiet && !g.json;
  const auto inner = logged.problem.evaluate;
  Eigen::MatrixXd seen_F(0, problem.objectives);
  watched.evaluate = [&, inner](const Eigen::MatrixXd& X, Eigen::MatrixXd& F) {
    inner(X, F);
    seen_F.conservativeResize(seen_F.rows() + F.rows(), Eigen::NoChange);
    seen_F.bottomRows(F.rows()) = F;
    if (chatty) {
      std::cerr << "descent: search " << f.method << ": " << seen_F.rows() << "/" << f.evals
                << " validations, front " << evo::pareto_front(seen_F).size();
      if (ref) std::cerr << ", hypervolume " << evo::hypervolume_within(seen_F, *ref);
      std::cerr << " (" << *logged.replayed << " from the results file)\n";
    }
  };

  evo::Nsga2Result r;
  if (f.method == "linas") {
    evo::LinasOptions o;
    o.population = f.population;
    o.evaluations = f.evals;
    o.inner_evaluations = f.inner_evals;
    o.predictor = f.predictor;
    o.seed = g.seed;
    r = evo::linas(watched, o, {}, features);
  } else if (f.method == "nsga2") {
    evo::Nsga2Options o;
    o.population = f.population;
    o.max_evaluations = f.evals;
    o.generations = f.evals;  // the budget stops it first
    o.seed = g.seed;
    r = evo::nsga2(watched, o);
  } else {
    r = evo::random_search(watched, f.evals, g.seed, f.population);
  }

  if (!root) return exit_code(r.summary.status, Goal::budget);  // rank 0 writes and reports

  // The front over every validation, best first objective first.
  const Eigen::MatrixXd& F = r.all_F;
  std::vector<Index> front = evo::pareto_front(F);
  std::sort(front.begin(), front.end(), [&](Index a, Index b) {
    for (Index k = 0; k < F.cols(); ++k)
      if (F(a, k) != F(b, k)) return F(a, k) < F(b, k);
    return a < b;
  });
  Eigen::MatrixXd fx(static_cast<Index>(front.size()), r.all_X.cols()),
      ff(static_cast<Index>(front.size()), F.cols());
  for (std::size_t i = 0; i < front.size(); ++i) {
    fx.row(static_cast<Index>(i)) = r.all_X.row(front[i]);
    ff.row(static_cast<Index>(i)) = F.row(front[i]);
  }
  io::write_csv(f.out, log->user_values(fx, ff), log->columns());

  // Hypervolume against the number of validations, after every batch.
  std::vector<std::pair<double, double>> curve;
  if (ref)
    for (Index n = std::min<Index>(static_cast<Index>(f.population), F.rows());;
         n = std::min<Index>(n + static_cast<Index>(f.population), F.rows())) {
      curve.emplace_back(static_cast<double>(n), evo::hypervolume_within(F.topRows(n), *ref));
      if (n >= F.rows()) break;
    }

  nlohmann::json j{{"method", f.method},
                   {"space", f.space},
                   {"status", std::string(to_string(r.summary.status))},
                   {"message", r.summary.message},
                   {"validations", F.rows()},
                   {"new_validations", *logged.evaluated},
                   {"replayed", *logged.replayed},
                   {"front_size", front.size()},
                   {"front", f.out},
                   {"results", results},
                   {"seconds", clock.seconds()}};
  if (ref) {
    Eigen::VectorXd user_ref = *ref;
    for (std::size_t k = 0; k < objectives.size(); ++k)
      if (objectives[k].maximise) user_ref(static_cast<Index>(k)) *= -1.0;
    j["reference"] = std::vector<double>(user_ref.data(), user_ref.data() + user_ref.size());
    j["hypervolume"] = curve.empty() ? 0.0 : curve.back().second;
    nlohmann::json c = nlohmann::json::array();
    for (const auto& [n, hv] : curve) c.push_back({{"validations", n}, {"hypervolume", hv}});
    j["hypervolume_curve"] = c;
  }
  if (f.method == "linas") j["predictor_fit_seconds"] = r.summary.counters["predictor_fit_seconds"];

  if (!f.plots.empty()) {
    fs::create_directories(f.plots);
    const Eigen::MatrixXd fu = log->user_values(fx, ff).rightCols(F.cols());
    std::vector<std::string> on(names.begin(), names.end());
    io::write_csv((fs::path(f.plots) / "front.csv").string(), fu, on);
    std::vector<experiments::Plot> plots{
        {.file = "front.png",
         .title = "Pareto front of " + std::to_string(F.rows()) + " validations (" + f.method + ")",
         .xlabel = names[0],
         .ylabel = names[1],
         .series = {{"front.csv", names[0], names[1], f.method}}}};
    if (!curve.empty()) {
      Eigen::MatrixXd hv(static_cast<Index>(curve.size()), 2);
      for (std::size_t i = 0; i < curve.size(); ++i)
        hv.row(static_cast<Index>(i)) << curve[i].first, curve[i].second;
      io::write_csv((fs::path(f.plots) / "hypervolume.csv").string(), hv,
                    {"validations", "hypervolume"});
      plots.push_back({.file = "hypervolume.png",
                       .title = "Hypervolume against validations (" + f.method + ")",
                       .xlabel = "validations",
                       .ylabel = "hypervolume",
                       .series = {{"hypervolume.csv", "validations", "hypervolume", f.method}}});
    }
    for (const auto& p : plots) {
      std::string why;
      if (!experiments::render_plot(f.plots, p, &why))
        warn("plot " + p.file + " not rendered (" + why + "); its data is in " + f.plots);
    }
    j["plots"] = f.plots;
  }

  if (g.json) {
    print_json(j);
  } else {
    std::cout << f.method << " on " << f.space << ": " << F.rows() << " validations ("
              << *logged.evaluated << " new, " << *logged.replayed << " from " << results << "), "
              << front.size() << " on the Pareto front -> " << f.out << "\n";
    if (ref)
      std::cout << "  hypervolume " << j["hypervolume"].get<double>() << " at reference "
                << j["reference"].dump() << "\n";
    std::cout << "  status " << to_string(r.summary.status) << ": " << r.summary.message << "\n";
  }
  return exit_code(r.summary.status, Goal::budget);
}

const CommandRegistrar registrar("search", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<SearchFlags>();
  auto* cmd = app.add_subcommand(
      "search",
      "Multi-objective sub-network search (LINAS, NSGA-II, random) with a resumable "
      "results file");
  cmd->add_option("--space", f->space,
                  "ofa-mbv3-tier-a (45 variables, measured-data oracle), digits-elastic (21 "
                  "variables, an elastic CNN supernet on digits) or a JSON space file")
      ->capture_default_str();
  cmd->add_option("--evaluator", f->evaluator,
                  "JSON space: command reading configurations (CSV, stdin) and printing "
                  "their objectives (CSV with a header, stdout)");
  cmd->add_option("--objectives", f->objectives, "2 or 3 objective names")->capture_default_str();
  cmd->add_option("--maximize", f->maximize, "objectives to maximise (the rest are minimised)")
      ->capture_default_str();
  cmd->add_option("--method", f->method, "linas, nsga2 or random")->capture_default_str();
  cmd->add_option("--evals", f->evals, "validation budget")->capture_default_str();
  cmd->add_option("--population", f->population, "configurations per batch / generation / loop")
      ->capture_default_str();
  cmd->add_option("--inner-evals", f->inner_evals, "linas: predictor evaluations per loop")
      ->capture_default_str();
  cmd->add_option("--predictor", f->predictor, "linas: best, ridge or svr")->capture_default_str();
  cmd->add_option("--out", f->out, "CSV of the Pareto front (written at the end)")->required();
  cmd->add_option("--results", f->results,
                  "CSV of every validation, appended as each returns (default: OUT with "
                  ".results.csv)");
  cmd->add_flag("--resume", f->resume, "continue the search recorded in the results file");
  cmd->add_option("--ref", f->ref,
                  "hypervolume reference in the objectives' units (tier A default: 70,550)");
  cmd->add_option("--plots", f->plots, "folder for front.png and hypervolume.png (and CSVs)");
  cmd->add_option("--supernet", f->supernet,
                  "digits-elastic: load the supernet from this file, or train and save it there");
  cmd->add_option("--supernet-steps", f->supernet_steps,
                  "digits-elastic: sandwich-rule training steps")
      ->capture_default_str();
  cmd->add_option("--mpi", f->mpi,
                  "auto (validations spread over the ranks when started by mpirun), serial or "
                  "mpi")
      ->check(CLI::IsMember({"auto", "serial", "mpi"}))
      ->capture_default_str();
  cmd->footer(
      "Example: descent search --space ofa-mbv3-tier-a --method linas --evals 250 --out "
      "front.csv\nA stopped search continues with the same command plus --resume; no "
      "validation is repeated. Under mpirun -np K the validations of each batch are spread over "
      "the K ranks (same result as the serial run).\nExit status: 0, 1 when the search stalls, 2 "
      "for bad input.");
  return Command{cmd, [f, &g] {
                   auto comm = dist::make_communicator(dist::mode_from_string(f->mpi));
                   return dist::run_or_abort(*comm, [&] { return run_search(*f, g, *comm); });
                 }};
});

}  // namespace
}  // namespace descent::cli
