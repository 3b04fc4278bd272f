// `descent solve`, `descent solve-seq` and `descent gen`: linear solvers and Learning to Relax on
// Matrix Market files.
//
//   descent solve A.mtx b.mtx --method ssor-cg --omega optimal --out x.mtx
//   descent gen shifted-laplacian --count 5000 --distribution high --out seq/
//   descent solve-seq seq/manifest.txt --method sor --omega chebcb
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <sstream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/timer.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "descent/io/matrix_market.hpp"
#include "descent/linalg/cg.hpp"
#include "descent/linalg/generators.hpp"
#include "descent/linalg/manifest.hpp"
#include "descent/linalg/preconditioners.hpp"
#include "descent/linalg/sequence.hpp"
#include "descent/linalg/solvers.hpp"
#include "descent/linalg/sor.hpp"
#include "descent/linalg/spectral.hpp"
#include "method_flags.hpp"

namespace descent::cli {
namespace {

namespace fs = std::filesystem;
using linalg::SparseMatrix;
using linalg::Vector;

SparseMatrix load_matrix(const std::string& path, bool symmetric_required,
                         const std::string& method) {
  SparseMatrix a = linalg::to_csr(io::read_matrix_market_sparse(path));
  if (a.rows() != a.cols())
    throw Error(path + ": the matrix must be square, got " + std::to_string(a.rows()) + " x " +
                std::to_string(a.cols()));
  if (a.rows() == 0) throw Error(path + ": the matrix is empty");
  if (symmetric_required && !linalg::is_symmetric(a, 1e-12))
    throw Error(path + ": the matrix is not symmetric; " + method +
                " needs a symmetric positive definite matrix (use --method sor for others)");
  linalg::diagonal_positions(a, path);  // every method here divides by a_ii
  return a;
}

Vector load_vector(const std::string& path, Eigen::Index n, const std::string& what) {
  const Eigen::MatrixXd m = io::read_matrix_market_dense(path);
  if (!((m.cols() == 1 && m.rows() == n) || (m.rows() == 1 && m.cols() == n)))
    throw Error(path + ": " + what + " must be a vector of " + std::to_string(n) +
                " entries (the matrix size), got " + std::to_string(m.rows()) + " x " +
                std::to_string(m.cols()));
  return Eigen::Map<const Vector>(m.data(), n);
}

double parse_number(const std::string& text, const std::string& flag) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !std::isfinite(v))
    throw Error(flag + ": expected a number, got '" + text + "'");
  return v;
}

std::vector<double> parse_list(const std::string& text, const std::string& flag) {
  std::vector<double> out;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) out.push_back(parse_number(item, flag));
  return out;
}

// ------------------------------------------------------------------------------ solve

// Solver options (--omega, --tol, --tol-mode, --max-iterations, --set) are set only when
// given: the library's defaults (linalg::solvers()) apply otherwise.
struct SolveFlags {
  std::string a, b;
  std::string method = "ssor-cg";
  MethodFlags options;
  std::string x0, out, history;
  RunFlags run;
};

int run_solve(const SolveFlags& f, const Globals& g) {
  const auto& method = linalg::solvers().at(f.method);
  const SparseMatrix a = load_matrix(f.a, linalg::needs_symmetric(f.method), f.method);
  const Vector b = load_vector(f.b, a.rows(), "b");
  Vector x = f.x0.empty() ? Vector::Zero(a.rows()) : load_vector(f.x0, a.rows(), "x0");
  const std::vector<OptionDoc> docs = method.options();
  Settings settings = settings_for(f.options, docs, f.method);
  if (!f.history.empty()) settings.set("record_history", "true");

  Summary s = naming_flags(f.options,
                           [&] { return method.run(a, b, x, settings, make_callbacks(f.run, g)); });
  const double true_residual = (b - a * x).norm();
  if (!f.history.empty()) {
    Eigen::MatrixXd h(static_cast<Eigen::Index>(s.history.size()), 3);
    for (std::size_t i = 0; i < s.history.size(); ++i)
      h.row(static_cast<Eigen::Index>(i)) << double(s.history[i].iteration),
          s.history[i].gradient_norm, s.history[i].extras.at(0).second;
    io::write_csv(f.history, h, {"iteration", "residual", "relative_residual"});
  }
  if (!f.out.empty()) io::write_matrix_market(f.out, Eigen::MatrixXd(x));

  const auto omega = s.counters.find("omega");
  const bool has_omega = omega != s.counters.end();
  if (g.json) {
    io::Json j = io::to_json(s);
    j["n"] = a.rows();
    j["nonzeros"] = a.nonZeros();
    if (has_omega) j["omega"] = omega->second;
    j["tolerance"] = std::stod(setting_or_default(settings, docs, "tolerance"));
    j["tolerance_mode"] = setting_or_default(settings, docs, "tolerance_mode");
    j["true_residual"] = true_residual;
    if (!f.out.empty()) j["solution"] = f.out;
    print_json(j);
  } else {
    std::cout << f.method << " on " << f.a << " (n = " << a.rows() << ", nnz = " << a.nonZeros()
              << (has_omega ? ", omega = " + check::show(omega->second) : std::string())
              << "): " << to_string(s.status) << " after " << s.iterations << " iterations in "
              << s.seconds << " s (" << s.message << ")\n  ||b - A x|| = " << true_residual
              << ", ||b - A x|| / ||b|| = "
              << (b.norm() > 0 ? true_residual / b.norm() : true_residual) << "\n";
    if (!f.out.empty()) std::cout << "  solution: " << f.out << "\n";
  }
  return exit_code(s.status, Goal::solve);
}

// ------------------------------------------------------------------------------ solve-seq

struct SeqFlags {
  std::string manifest;
  std::string method = "ssor-cg";
  std::string omega = "tsallis";
  int context_column = 3;
  std::string context_range;
  std::string grid = "1,1.95,20";
  std::size_t bins = 5;
  std::size_t features = 6;
  double tol = 1e-8;
  std::string tol_mode = "rhs";
  std::size_t max_iterations = 10000;
  bool warm_start = false;
  std::string csv;
};

int run_solve_seq(const SeqFlags& f, const Globals& g) {
  const auto entries = linalg::read_manifest(f.manifest);
  linalg::SequenceOptions o;
  o.solver = linalg::relaxed_solver_from_string(f.method);
  o.tolerance = f.tol;
  o.tolerance_mode = linalg::tolerance_mode_from_string(f.tol_mode);
  o.max_iterations = f.max_iterations;
  o.bins = f.bins;
  o.features = f.features;
  o.seed = g.seed;
  const std::vector<double> grid = parse_list(f.grid, "--grid");
  if (grid.size() != 3 || grid[2] < 1 || grid[2] != std::floor(grid[2]))
    throw Error("--grid: expected LO,HI,COUNT, got '" + f.grid + "'");
  o.grid = bandit::linspace(grid[0], grid[1], static_cast<std::size_t>(grid[2]));

  if (f.omega == "tsallis" || f.omega == "tsallis-inf")
    o.policy = linalg::OmegaPolicy::tsallis;
  else if (f.omega == "tsallis-cb")
    o.policy = linalg::OmegaPolicy::tsallis_cb;
  else if (f.omega == "chebcb")
    o.policy = linalg::OmegaPolicy::chebcb;
  else if (f.omega == "optimal" || f.omega == "auto")
    o.policy = linalg::OmegaPolicy::optimal;
  else {
    o.policy = linalg::OmegaPolicy::fixed;
    const std::string value = f.omega.rfind("fixed:", 0) == 0 ? f.omega.substr(6) : f.omega;
    o.fixed_omega = parse_number(value, "--omega");
  }
  const bool contextual =
      o.policy == linalg::OmegaPolicy::tsallis_cb || o.policy == linalg::OmegaPolicy::chebcb;

  // Contexts: column `context_column` of every manifest line (1-based; 3 = first number). Read
  // for every policy, so the table shows them (it showed 0 for the non-contextual ones); only
  // the contextual policies need them, and only they see them.
  std::vector<double> context(entries.size(), std::numeric_limits<double>::quiet_NaN());
  const int k = f.context_column - 3;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (k >= 0 && static_cast<std::size_t>(k) < entries[i].contexts.size())
      context[i] = entries[i].contexts[static_cast<std::size_t>(k)];
    else if (contextual)
      throw InputError(
          f.manifest, entries[i].line, "column " + std::to_string(f.context_column),
          "--omega " + f.omega + " needs a context in column " + std::to_string(f.context_column));
  }
  if (contextual) {
    if (!f.context_range.empty()) {
      const auto r = parse_list(f.context_range, "--context-range");
      if (r.size() != 2) throw Error("--context-range: expected LO,HI");
      o.context_lo = r[0];
      o.context_hi = r[1];
    } else {  // the range seen in the manifest, as the paper's heat experiment uses
      o.context_lo = *std::min_element(context.begin(), context.end());
      o.context_hi = *std::max_element(context.begin(), context.end());
      if (o.context_hi <= o.context_lo) o.context_hi = o.context_lo + 1.0;
    }
  }
  linalg::SequenceRunner runner(o);

  io::Json systems = io::Json::array();
  Eigen::MatrixXd table(static_cast<Eigen::Index>(entries.size()), 6);
  Vector x;
  std::size_t cumulative = 0;
  Stopwatch clock;
  if (!g.json && !g.quiet)
    std::printf("%7s %12s %8s %10s %12s %10s\n", "system", "context", "omega", "iterations",
                "cumulative", "seconds");
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const std::string method = std::string(linalg::to_string(o.solver));
    const SparseMatrix a =
        load_matrix(e.a_path, o.solver == linalg::RelaxedSolver::ssor_cg, method);
    const Vector b = load_vector(e.b_path, a.rows(), "b");
    if (!f.warm_start || x.size() != a.rows()) x = Vector::Zero(a.rows());
    const linalg::StepRecord r = runner.step(a, b, x, contextual ? context[i] : 0.0);
    cumulative += r.iterations;
    const double secs = r.solve_seconds + r.choose_seconds;
    table.row(static_cast<Eigen::Index>(i)) << double(i + 1), context[i], r.omega,
        double(r.iterations), double(cumulative), secs;
    if (g.json) {
      systems.push_back({{"index", i + 1},
                         {"a", e.a_path},
                         {"b", e.b_path},
                         {"context", context[i]},
                         {"omega", r.omega},
                         {"iterations", r.iterations},
                         {"status", std::string(to_string(r.status))},
                         {"seconds", secs}});
    } else if (!g.quiet) {
      char shown[32] = "-";  // no context in the manifest
      if (!std::isnan(context[i])) std::snprintf(shown, sizeof shown, "%.6g", context[i]);
      std::printf("%7zu %12s %8.4f %10zu %12zu %10.4f%s\n", i + 1, shown, r.omega, r.iterations,
                  cumulative, secs, r.status == Status::converged ? "" : "  (failed)");
    }
  }
  const double total = clock.seconds();
  if (!f.csv.empty())
    io::write_csv(f.csv, table,
                  {"system", "context", "omega", "iterations", "cumulative", "seconds"});
  if (g.json) {
    print_json({{"manifest", f.manifest},
                {"method", f.method},
                {"policy", std::string(linalg::to_string(o.policy))},
                {"systems", systems},
                {"total_iterations", cumulative},
                {"solver_seconds", runner.total_seconds()},
                {"wall_seconds", total}});
  } else {
    std::cout << entries.size() << " systems, " << linalg::to_string(o.policy) << " omega, "
              << f.method << ": " << cumulative << " iterations in total, "
              << runner.total_seconds() << " s solving and learning (" << total
              << " s with file reading)\n";
  }
  return 0;
}

// ------------------------------------------------------------------------------ gen

struct GenFlags {
  std::string out;
  // heat2d
  int nx = 100;
  std::size_t steps = 5000;
  double dt = 1e-3;
  bool force = false;  // write even above kGenLimitBytes
  // shifted-laplacian
  int m = 10;
  std::size_t count = 5000;
  std::string distribution = "high";
};

std::string numbered(const std::string& prefix, std::size_t i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s_%05zu.mtx", prefix.c_str(), i);
  return buf;
}

// gen writes one text system per step (heat2d: ~1.2 MB at nx = 100, so ~6 GB for the paper's
// 5000 steps; shifted-laplacian at m = 300 with the default 5000 systems: ~35 GB): above this
// it refuses unless --force.
constexpr double kGenLimitBytes = 1e9;

std::size_t decimal_digits(std::size_t v) {
  std::size_t d = 1;
  while (v >= 10) v /= 10, ++d;
  return d;
}

// Bytes gen will write for `steps` systems of n unknowns and nnz entries (lower triangle of A,
// dense b): each entry line is "i j value" with a shortest round-trip double of at most ~23
// characters.
double gen_bytes(std::size_t n, std::size_t nnz, std::size_t steps) {
  const auto lower = (nnz + n) / 2;
  const double digits = static_cast<double>(decimal_digits(n));
  const double per_step = static_cast<double>(lower) * (2 * digits + 2 + 23 + 1) +
                          static_cast<double>(n) * (23 + 1) + 2 * 64 + 80;
  return per_step * static_cast<double>(steps);
}

std::string show_bytes(double bytes) {
  char buf[32];
  if (bytes >= 1e9)
    std::snprintf(buf, sizeof buf, "%.3g GB", bytes / 1e9);
  else
    std::snprintf(buf, sizeof buf, "%.3g MB", bytes / 1e6);
  return buf;
}

int run_gen_heat(const GenFlags& f, const Globals& g) {
  linalg::Heat2D pde({.nx = f.nx, .dt = f.dt});
  SparseMatrix a;
  Vector b;
  {
    linalg::Heat2D probe({.nx = f.nx, .dt = f.dt});
    probe.system(a, b);
  }
  const double bytes = gen_bytes(static_cast<std::size_t>(a.rows()),
                                 static_cast<std::size_t>(a.nonZeros()), f.steps);
  if (bytes > kGenLimitBytes && !f.force)
    throw InvalidOption(
        "steps", "gen heat2d would write about " + show_bytes(bytes) + " (" +
                     std::to_string(f.steps) + " systems of n = " + std::to_string(a.rows()) +
                     ", about " + show_bytes(bytes / static_cast<double>(f.steps)) + " each) to " +
                     f.out + ", above the " + show_bytes(kGenLimitBytes) +
                     " limit; use fewer --steps or a smaller --nx, or --force");
  if (!g.quiet)
    std::cerr << "writing " << f.steps << " systems, about " << show_bytes(bytes) << "\n";
  fs::create_directories(f.out);
  linalg::CgOptions o;
  o.tolerance = 1e-12;  // tighter than the 1e-8 of the consumers: the reference trajectory
  std::vector<linalg::ManifestEntry> entries;
  for (std::size_t t = 0; t < f.steps; ++t) {
    const double kappa = pde.context(), time = pde.time();
    pde.system(a, b);
    const std::string an = numbered("A", t + 1), bn = numbered("b", t + 1);
    io::write_matrix_market(f.out + "/" + an, Eigen::SparseMatrix<double>(a), true);
    io::write_matrix_market(f.out + "/" + bn, Eigen::MatrixXd(b));
    entries.push_back({an, bn, {kappa, time}, 0});
    Vector x = pde.state();
    linalg::SsorPreconditioner m(a, 1.5);
    const Summary s = linalg::conjugate_gradient(a, b, x, &m, o);
    if (!s.converged()) throw Error("gen heat2d: step " + std::to_string(t + 1) + ": " + s.brief());
    pde.advance(x);
  }
  const auto [lo, hi] = linalg::Heat2D::diffusion_range(f.steps, f.dt);
  linalg::write_manifest(f.out + "/manifest.txt", entries,
                         "heat2d nx=" + std::to_string(f.nx) + " steps=" + std::to_string(f.steps) +
                             " dt=" + check::show(f.dt) +
                             "; columns 3-4: kappa(t), t; kappa range [" + check::show(lo) + ", " +
                             check::show(hi) + "]");
  if (g.json)
    print_json({{"out", f.out},
                {"systems", f.steps},
                {"n", pde.size()},
                {"manifest", f.out + "/manifest.txt"}});
  else
    std::cout << "wrote " << f.steps << " Crank-Nicolson systems (n = " << pde.size() << ") and "
              << f.out << "/manifest.txt (context: kappa(t) in column 3)\n";
  return 0;
}

int run_gen_shifted(const GenFlags& f, const Globals& g) {
  // Estimated before anything is allocated: n = m^2 unknowns, 5 m^2 - 4 m entries.
  const auto m = static_cast<std::size_t>(f.m), n = m * m;
  const double bytes = gen_bytes(n, 5 * n - 4 * m, f.count);
  if (bytes > kGenLimitBytes && !f.force)
    throw InvalidOption("count", "gen shifted-laplacian would write about " + show_bytes(bytes) +
                                     " (" + std::to_string(f.count) +
                                     " systems of n = " + std::to_string(n) + ") to " + f.out +
                                     ", above the " + show_bytes(kGenLimitBytes) +
                                     " limit; use fewer --count or a smaller --m, or --force");
  if (!g.quiet && bytes > 1e8)
    std::cerr << "writing " << f.count << " systems, about " << show_bytes(bytes) << "\n";
  fs::create_directories(f.out);
  const auto dist = linalg::ShiftDistribution::named(f.distribution);
  Rng rng = make_rng(g.seed, {0x5817f});
  const SparseMatrix base = linalg::laplacian_2d(f.m);
  std::vector<linalg::ManifestEntry> entries;
  for (std::size_t t = 0; t < f.count; ++t) {
    const double c = dist.sample(rng);
    const Vector b = linalg::truncated_normal(rng, base.rows());
    const std::string an = numbered("A", t + 1), bn = numbered("b", t + 1);
    io::write_matrix_market(f.out + "/" + an,
                            Eigen::SparseMatrix<double>(linalg::shift_diagonal(base, c)), true);
    io::write_matrix_market(f.out + "/" + bn, Eigen::MatrixXd(b));
    entries.push_back({an, bn, {c}, 0});
  }
  linalg::write_manifest(f.out + "/manifest.txt", entries,
                         "shifted-laplacian m=" + std::to_string(f.m) +
                             " distribution=" + f.distribution + " seed=" + std::to_string(g.seed) +
                             "; column 3: the shift c");
  if (g.json)
    print_json({{"out", f.out},
                {"systems", f.count},
                {"n", base.rows()},
                {"manifest", f.out + "/manifest.txt"}});
  else
    std::cout << "wrote " << f.count << " systems A + c I (n = " << base.rows() << ", "
              << f.distribution << "-variance shifts) and " << f.out
              << "/manifest.txt (context: c in column 3)\n";
  return 0;
}

// ------------------------------------------------------------------------------ registration

const MethodRegistrar m_l2r(
    {"learning-to-relax", "linalg", "descent solve-seq MANIFEST --omega tsallis|tsallis-cb|chebcb",
     "Khodak, Chow, Balcan, Talwalkar, ICLR 2024",
     "Bandit-chosen SOR / SSOR-CG relaxation across a sequence of systems"});

const CommandRegistrar solve_cmd("solve", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<SolveFlags>();
  auto* cmd = app.add_subcommand("solve", "Solve A x = b (Matrix Market files) with CG/PCG/SOR");
  cmd->add_option("A", f->a, "Matrix (.mtx, square)")->required();
  cmd->add_option("b", f->b, "Right-hand side (.mtx vector)")->required();
  add_method_flag(cmd, f->method, linalg::solvers());
  const OptionFlagAdder option{cmd, f->options, registry_docs(linalg::solvers())};
  option("--omega", "omega",
         "Relaxation weight in (0, 2) for sor/ssor/ssor-cg, or 'optimal' (Young's omega* from "
         "the Jacobi spectral radius)");
  option("--tol", "tolerance", "Residual tolerance");
  option("--tol-mode", "tolerance_mode",
         "rhs (||r|| <= tol ||b||), initial (tol ||r0||) or absolute");
  option("--max-iterations", "max_iterations", "Cap on iterations");
  add_set_flag(cmd, f->options, "linalg");
  cmd->add_option("--x0", f->x0, "Initial guess (.mtx vector; default 0): a warm start");
  cmd->add_option("--out", f->out, "Write the solution to this .mtx file");
  cmd->add_option("--history", f->history, "Write the residual per iteration to this CSV");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_solve(*f, g); }};
});

const CommandRegistrar seq_cmd("solve-seq", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<SeqFlags>();
  auto* cmd = app.add_subcommand(
      "solve-seq", "Solve a sequence of systems, choosing omega per system (Learning to Relax)");
  cmd->add_option("MANIFEST", f->manifest,
                  "Text file, one system per line: A.mtx b.mtx [context ...]")
      ->required();
  cmd->add_option("--method", f->method, "ssor-cg, sor or ssor")
      ->check(CLI::IsMember({"ssor-cg", "sor", "ssor"}))
      ->capture_default_str();
  cmd->add_option("--omega", f->omega,
                  "tsallis, tsallis-cb, chebcb (contextual), optimal, or fixed:W / W")
      ->capture_default_str();
  cmd->add_option("--context-column", f->context_column,
                  "Manifest column holding the context (1-based; 3 = first number)")
      ->check(CLI::Range(3, 1000))
      ->capture_default_str();
  cmd->add_option("--context-range", f->context_range,
                  "LO,HI of the context (default: the manifest's min and max)");
  cmd->add_option("--grid", f->grid, "The learners' omegas: LO,HI,COUNT")->capture_default_str();
  cmd->add_option("--bins", f->bins, "Tsallis-INF-CB bins")->capture_default_str();
  cmd->add_option("--features", f->features, "ChebCB Chebyshev features")->capture_default_str();
  cmd->add_option("--tol", f->tol, "Residual tolerance")->capture_default_str();
  cmd->add_option("--tol-mode", f->tol_mode, "rhs, initial or absolute")
      ->check(CLI::IsMember({"rhs", "initial", "absolute"}))
      ->capture_default_str();
  cmd->add_option("--max-iterations", f->max_iterations, "Cap (also a failed solve's cost)")
      ->capture_default_str();
  cmd->add_flag("--warm-start", f->warm_start,
                "Start each solve from the previous solution (time-stepping sequences)");
  cmd->add_option("--csv", f->csv, "Write system, context, omega, iterations, ... to this CSV");
  return Command{cmd, [f, &g] { return run_solve_seq(*f, g); }};
});

const CommandRegistrar gen_cmd("gen", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<GenFlags>();
  auto* cmd =
      app.add_subcommand("gen", "Write sequences of linear systems (Matrix Market + manifest)");
  cmd->require_subcommand(1);
  auto* heat = cmd->add_subcommand(
      "heat2d",
      "Crank-Nicolson steps of the 2-D heat equation of Learning to Relax (the state "
      "is advanced by solving each system to 1e-12; ~1.2 MB per step at nx = 100; refuses "
      "above 1 GB unless --force)");
  heat->add_option("--nx", f->nx, "Grid intervals per side: (nx-1)^2 unknowns")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  heat->add_option("--steps", f->steps, "Time steps")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  heat->add_option("--dt", f->dt, "Time step")->check(CLI::PositiveNumber)->capture_default_str();
  heat->add_option("--out", f->out, "Output folder")->required();
  heat->add_flag("--force", f->force,
                 "Write even if the estimated size exceeds 1 GB (the defaults write ~6 GB)");
  auto* shifted =
      cmd->add_subcommand("shifted-laplacian",
                          "A + c I for the 5-point m x m Laplacian, c = -0.15 + 0.6 Beta, and "
                          "truncated Gaussian right-hand sides (the paper's SOR suite)");
  shifted->add_option("--m", f->m, "Interior grid side: n = m^2")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  shifted->add_option("--count", f->count, "Number of systems")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  shifted->add_option("--distribution", f->distribution, "low (Beta(2,6)) or high (Beta(1/2,3/2))")
      ->check(CLI::IsMember({"low", "high"}))
      ->capture_default_str();
  shifted->add_option("--out", f->out, "Output folder")->required();
  shifted->add_flag("--force", f->force, "Write even if the estimated size exceeds 1 GB");
  return Command{cmd, [f, &g, heat, shifted] {
                   if (heat->parsed()) return run_gen_heat(*f, g);
                   if (shifted->parsed()) return run_gen_shifted(*f, g);
                   throw Error("gen: choose heat2d or shifted-laplacian");
                 }};
});

}  // namespace
}  // namespace descent::cli
