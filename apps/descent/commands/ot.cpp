// `descent ot`: optimal transport between two point clouds or two images, with any solver of
// descent::ot (log-domain Sinkhorn, epsilon scaling, Sinkhorn-Newton-Sparse, exact).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/options.hpp"
#include "descent/core/settings.hpp"
#include "descent/dist/communicator.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/idx.hpp"
#include "descent/io/json.hpp"
#include "descent/io/npy.hpp"
#include "descent/ot/ot.hpp"
#include "method_flags.hpp"
#include "tables.hpp"

namespace descent::cli {
namespace {

// Flags that name a solver option are collected into `settings` only when given, so the
// library's defaults apply otherwise (ot::solvers() lists them) and a flag the chosen method
// does not take is an error naming the option.
struct OtFlags {
  std::string source, target, source_weights, target_weights;
  std::string cost = "sqeuclidean";
  std::string method = "sns";
  MethodFlags options;
  bool keep_partial = false;
  bool normalize_cost = false;
  bool images = false;
  double intensity_floor = 1e-6;
  std::string plan_out, potentials_out;
  bool matrix_free = false;
  double memory_budget_gb = 0.0;  // 0 = half the machine's memory
  bool method_given = false;
  std::string mpi = "auto";
  RunFlags run;
};

// What was solved, for the report: sizes, the original mass and which path ran.
struct Solved {
  ot::Result result;
  Eigen::Index rows = 0, cols = 0;
  double mass = 1.0;
  double eta = 0.0;       // NaN for a method without eta
  std::string path;       // "dense" or "matrix-free"
  std::string path_note;  // why, printed with the path
  std::string method;
};

double memory_budget_bytes(const OtFlags& f) {
  if (f.memory_budget_gb > 0) return f.memory_budget_gb * 1e9;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? 0.5 * double(pages) * double(page) : 8e9;
}

std::string gigabytes(double bytes) {
  char b[32];
  std::snprintf(b, sizeof b, bytes >= 1e9 ? "%.1f GB" : "%.1f MB",
                bytes >= 1e9 ? bytes / 1e9 : bytes / 1e6);
  return b;
}

Eigen::VectorXd read_weights(const std::string& path, Eigen::Index expected) {
  if (path.empty()) return {};
  const Eigen::MatrixXd w = read_table(path, "weights");
  if (w.rows() != 1 && w.cols() != 1)
    throw InputError(path, 0, "weights",
                     "expected a vector, got a " + std::to_string(w.rows()) + " x " +
                         std::to_string(w.cols()) + " table");
  const Eigen::VectorXd v = Eigen::Map<const Eigen::VectorXd>(w.data(), w.size());
  if (v.size() != expected)
    throw InputError(
        path, 0, "weights",
        "has " + std::to_string(v.size()) + " entries for " + std::to_string(expected) + " points");
  return v;
}

// An image: IDX (optionally gzip) with ":INDEX" selecting one image of a stack, or a 2-D
// .npy/.csv table of intensities.
Eigen::MatrixXd read_image(const std::string& spec) {
  std::string path = spec;
  std::size_t index = 0;
  const std::size_t colon = spec.rfind(':');
  if (colon != std::string::npos && colon + 1 < spec.size() &&
      spec.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    path = spec.substr(0, colon);
    index = std::stoul(spec.substr(colon + 1));
  }
  const std::string e = extension(path);
  const bool idx = e == ".idx" || e == ".gz" || path.find("-idx") != std::string::npos ||
                   path.find(".idx") != std::string::npos;
  if (!idx) {
    if (colon != std::string::npos && path != spec)
      throw Error("image '" + spec + "': ':INDEX' applies to IDX files only");
    return read_table(path, "image", ", or .idx/.idx.gz[:INDEX]");
  }
  const io::IdxArray a = io::read_idx(path);
  std::size_t h = 0, w = 0, count = 1;
  if (a.dims.size() == 3) {
    count = a.dims[0];
    h = a.dims[1];
    w = a.dims[2];
  } else if (a.dims.size() == 2) {
    h = a.dims[0];
    w = a.dims[1];
  } else {
    throw InputError(path, 0, "dims",
                     "expected an image (2 dims) or a stack (3 dims), got " +
                         std::to_string(a.dims.size()) + " dims");
  }
  if (index >= count)
    throw Error("image '" + spec + "': index " + std::to_string(index) + " out of range (" +
                std::to_string(count) + " images)");
  // Unsigned-byte images (MNIST, Fashion-MNIST) are scaled to [0, 1] like data::load, so that
  // --image-floor means the same for every input.
  const double scale = a.type_code == 0x08 ? 1.0 / 255.0 : 1.0;
  Eigen::MatrixXd img(static_cast<Eigen::Index>(h), static_cast<Eigen::Index>(w));
  for (std::size_t r = 0; r < h; ++r)
    for (std::size_t c = 0; c < w; ++c)
      img(Eigen::Index(r), Eigen::Index(c)) = scale * a.values[index * h * w + r * w + c];
  return img;
}

ot::Problem build_image_problem(const OtFlags& f) {
  if (!f.source_weights.empty() || !f.target_weights.empty())
    throw Error(
        "--source-weights/--target-weights do not apply to --images (weights are the "
        "intensities)");
  return ot::from_images(
      read_image(f.source), read_image(f.target), ot::ground_cost_from_string(f.cost),
      {.intensity_floor = f.intensity_floor, .normalize_cost = f.normalize_cost});
}

ot::Result solve(const OtFlags& f, const std::string& method_name, const ot::Problem& p,
                 const Globals& g, double& eta) {
  const auto& method = ot::solvers().at(method_name);
  const std::vector<OptionDoc> docs = method.options();
  Settings settings;
  if (takes(docs, "threads")) settings.set("threads", std::to_string(g.threads));
  settings.set("plan", f.plan_out.empty() ? "none" : "dense");
  settings.merge(settings_for(f.options, docs, method_name));
  eta = takes(docs, "eta") ? typed_setting<double>(f.options, settings, docs, "eta") : std::nan("");
  return naming_flags(f.options, [&] { return method.run(p, settings, make_callbacks(f.run, g)); });
}

// The matrix-free path: Sinkhorn or epsilon scaling with the cost computed in tiles, spread over
// the ranks of `comm`.
ot::Result solve_matrix_free(const OtFlags& f, const std::string& method_name,
                             const ot::CloudProblem& p, const Globals& g, dist::Communicator& comm,
                             double& eta) {
  const std::vector<OptionDoc> docs = ot::solvers().at(method_name).options();
  Settings settings;
  settings.set("threads", std::to_string(g.threads));
  settings.set("plan", f.plan_out.empty() ? "none" : "dense");
  settings.merge(settings_for(f.options, docs, method_name));
  eta = typed_setting<double>(f.options, settings, docs, "eta");
  const Callbacks callbacks = comm.is_root() ? make_callbacks(f.run, g) : Callbacks{};
  return naming_flags(f.options, [&] {
    if (method_name == "sinkhorn")
      return ot::sinkhorn(p, options_from<ot::SinkhornOptions>(settings, method_name), callbacks,
                          &comm);
    return ot::sinkhorn_epsilon_scaling(
        p, options_from<ot::EpsilonScalingOptions>(settings, method_name), callbacks, &comm);
  });
}

// Chooses the path. Point clouds go matrix-free when asked, when the dense path (24 n m bytes:
// C in two layouts and the kernel) would exceed the memory budget, or under mpirun with several
// ranks; only
// Sinkhorn and epsilon scaling run there (SNS needs the dense plan's largest entries, exact OT the
// whole graph), so an explicit --method sns|exact on that path is an error, and the default
// method (sns) becomes sinkhorn, said in the report.
Solved run_solver(const OtFlags& f, const Globals& g, dist::Communicator& comm) {
  Solved out;
  out.method = f.method;
  if (f.images) {
    if (f.matrix_free)
      throw InvalidOption("--matrix-free", "applies to point clouds, not to --images");
    if (comm.size() > 1)
      throw Error(
          "descent ot --images runs in one process (mpirun spreads the matrix-free path "
          "for point clouds)");
    const ot::Problem p = build_image_problem(f);
    out.result = solve(f, f.method, p, g, out.eta);
    out.rows = p.rows();
    out.cols = p.cols();
    out.mass = p.mass();
    out.path = "dense";
    return out;
  }
  const Eigen::MatrixXd X = read_table(f.source, "source points");
  const Eigen::MatrixXd Y = read_table(f.target, "target points");
  if (X.cols() != Y.cols())
    throw Error("source points have " + std::to_string(X.cols()) + " coordinates but target " +
                "points have " + std::to_string(Y.cols()));
  const double need = double(ot::dense_bytes(std::size_t(X.rows()), std::size_t(Y.rows())));
  const double budget = memory_budget_bytes(f);
  std::string why;
  if (f.matrix_free)
    why = "--matrix-free";
  else if (need > budget)
    why = "the dense cost would need " + gigabytes(need) + " > the memory budget " +
          gigabytes(budget) + " (--memory-budget)";
  else if (comm.size() > 1)
    why = std::to_string(comm.size()) + " MPI ranks";
  const ot::GroundCost cost = ot::ground_cost_from_string(f.cost);
  if (why.empty()) {
    ot::Problem p = ot::from_point_clouds(X, Y, cost, read_weights(f.source_weights, X.rows()),
                                          read_weights(f.target_weights, Y.rows()));
    if (f.normalize_cost && p.max_cost() > 0) p = p.scaled_cost(1.0 / p.max_cost());
    out.result = solve(f, f.method, p, g, out.eta);
    out.rows = p.rows();
    out.cols = p.cols();
    out.mass = p.mass();
    out.path = "dense";
    out.path_note = "cost stored, " + gigabytes(need);
    return out;
  }
  if (f.method != "sinkhorn" && f.method != "sinkhorn-eps") {
    if (f.method_given)
      throw InvalidOption("--method", "the matrix-free path (" + why +
                                          ") runs sinkhorn or sinkhorn-eps only; '" + f.method +
                                          "' needs the dense cost");
    out.method = "sinkhorn";
  }
  if (!f.plan_out.empty() && comm.size() > 1)
    throw InvalidOption("--plan",
                        "a plan cannot be written from several MPI ranks; use "
                        "--potentials (P = exp(eta(-C + x + y) - 1))");
  if (!f.plan_out.empty() && need / 2 > budget)
    throw InvalidOption("--plan", "the dense plan would need " + gigabytes(need / 2) +
                                      " > the memory budget; use --potentials");
  ot::CloudProblem p(X, Y, cost, read_weights(f.source_weights, X.rows()),
                     read_weights(f.target_weights, Y.rows()));
  if (f.normalize_cost) {
    const double mx = p.max_cost(g.threads);
    if (mx > 0) p = p.scaled_cost(1.0 / mx);
  }
  out.result = solve_matrix_free(f, out.method, p, g, comm, out.eta);
  out.rows = p.rows();
  out.cols = p.cols();
  out.mass = p.mass();
  out.path = "matrix-free";
  out.path_note =
      why + "; working memory about " +
      gigabytes(double(ot::matrix_free_bytes(std::size_t(p.rows()), std::size_t(p.cols()),
                                             std::size_t(p.dim()), g.threads)));
  if (out.method != f.method) out.path_note += "; method sinkhorn (sns needs the dense cost)";
  return out;
}

int run_ot(const OtFlags& f, const Globals& g, dist::Communicator& comm) {
  const Solved solved = run_solver(f, g, comm);
  if (!comm.is_root()) return exit_code(solved.result.summary.status, Goal::solve);
  const ot::Result& r = solved.result;
  const double eta = solved.eta;
  const Summary& s = r.summary;
  // Only a converged plan is a plan: an unconverged one is written only on request, with a
  // warning that names its error.
  const bool converged = s.status == Status::converged;
  const bool write = converged || f.keep_partial;
  if (!converged && (!f.plan_out.empty() || !f.potentials_out.empty())) {
    if (f.keep_partial)
      std::cerr << "descent: warning: the run did not converge (" << to_string(s.status)
                << ", marginal error " << check::show(r.marginal_error)
                << "); writing its final iterate (for SNS the best one seen) because of "
                   "--keep-partial\n";
    else
      std::cerr << "descent: the run did not converge (" << to_string(s.status)
                << ", marginal error " << check::show(r.marginal_error)
                << "): no plan or potentials written (--keep-partial writes them anyway)\n";
  }
  if (write && !f.plan_out.empty() && r.plan.size() > 0) io::write_npy(f.plan_out, r.plan);
  if (write && !f.potentials_out.empty() && r.x.size() > 0) {
    Eigen::VectorXd z(r.x.size() + r.y.size());
    z << r.x, r.y;
    io::write_npy(f.potentials_out, std::span<const double>(z.data(), std::size_t(z.size())),
                  {std::size_t(z.size())});
  }
  if (g.json) {
    io::Json j = io::to_json(s);
    j["rows"] = solved.rows;
    j["cols"] = solved.cols;
    j["ground_cost"] = f.cost;
    j["eta"] = std::isnan(eta) ? io::Json(nullptr) : io::Json(eta);
    // Finite after any run now (SNS returns its best iterate); JSON has no inf or nan, so a
    // non-finite value would print as null, like the Summary's own fields.
    j["transport_cost"] = r.transport_cost;
    j["marginal_error"] = r.marginal_error;
    j["mass"] = solved.mass;
    j["path"] = solved.path;
    j["ranks"] = comm.size();
    if (write && !f.plan_out.empty()) j["plan_file"] = f.plan_out;
    if (write && !f.potentials_out.empty()) j["potentials_file"] = f.potentials_out;
    print_json(j);
  } else {
    char line[256];
    std::cout << "ot: " << solved.rows << " x " << solved.cols << ", " << f.cost << " cost"
              << (std::isnan(eta) ? std::string() : ", eta = " + check::show(eta)) << ", method "
              << s.method << "\n";
    if (solved.path == "matrix-free")
      std::cout << "  path: matrix-free (" << solved.path_note << ")"
                << (comm.size() > 1 ? ", " + std::to_string(comm.size()) + " ranks" : "") << "\n";
    std::cout << "  " << to_string(s.status) << ": " << s.message << "\n";
    // One marginal error: the returned plan's own (Result::marginal_error).
    std::snprintf(line, sizeof line,
                  "  transport cost <C, P> = %.12g\n  iterations = %zu, marginal error = %.3g, "
                  "time = %.3f s\n",
                  r.transport_cost, s.iterations, r.marginal_error, s.seconds);
    std::cout << line;
    if (s.method == "sns")
      std::cout << "  (" << s.counters.at("sinkhorn_steps") << " Sinkhorn + "
                << s.counters.at("newton_steps") << " Newton steps, "
                << s.counters.at("sinkhorn_fallbacks") << " Sinkhorn fallback steps, "
                << s.counters.at("eta_stages") << " eta stages, " << s.counters.at("cg_iterations")
                << " CG iterations)\n";
    if (write && !f.plan_out.empty()) std::cout << "  plan -> " << f.plan_out << "\n";
    if (write && !f.potentials_out.empty())
      std::cout << "  potentials (x then y) -> " << f.potentials_out << "\n";
  }
  return exit_code(s.status, Goal::solve);
}

const CommandRegistrar registrar("ot", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<OtFlags>();
  auto* cmd = app.add_subcommand(
      "ot", "Optimal transport between two point clouds (or two images with --images)");
  cmd->footer(
      "Inputs: point clouds are .csv or .npy tables with one point per row (weights: a vector "
      "file, uniform if omitted; masses must agree to 1e-9 relative, then both are "
      "normalised). With --images, A and B are greyscale images: an IDX file (.idx or .idx.gz, "
      "e.g. t10k-images-idx3-ubyte.gz:17 picks image 17 of a stack; unsigned bytes are scaled to "
      "[0, 1]) or a 2-D .npy/.csv table; PNG is not supported. The pixel grid in [0,1]^2 is the "
      "support and intensity + "
      "--image-floor, normalised, the weights.\n--potentials writes one vector: x (n entries) "
      "then y (m entries), in the convention P = exp(eta(-C + x + y) - 1).\nExit status: 0 "
      "when the solver converged; 1 when it did not (then no plan or potentials are written "
      "unless --keep-partial); 2 for misuse.\nLarge point clouds: with --matrix-free, when the "
      "dense "
      "cost would exceed --memory-budget, or under `mpirun -np K`, the cost is computed on the fly "
      "(memory O((n + m) d); methods sinkhorn and sinkhorn-eps; the report names the path). Under "
      "mpirun each rank takes a block of rows and of columns; the potentials equal a one-process "
      "run's bit for bit, and --plan is refused (write --potentials).");
  cmd->add_option("--source", f->source, "Source points (.csv/.npy) or image")->required();
  cmd->add_option("--target", f->target, "Target points (.csv/.npy) or image")->required();
  cmd->add_option("--source-weights", f->source_weights, "Source weights (.csv/.npy vector)");
  cmd->add_option("--target-weights", f->target_weights, "Target weights (.csv/.npy vector)");
  cmd->add_option("--cost", f->cost, "Ground cost")
      ->check(CLI::IsMember({"sqeuclidean", "euclidean", "l1"}))
      ->capture_default_str();
  cmd->add_flag("--normalize-cost", f->normalize_cost, "Divide the cost by its maximum");
  // Solver options: set only when given, defaults from the registry (ot::solvers()).
  const OptionFlagAdder option{cmd, f->options, registry_docs(ot::solvers())};
  option("--eta", "eta", "Inverse regularisation, POT's reg = 1/eta");
  CLI::Option* method_flag = add_method_flag(cmd, f->method, ot::solvers());
  option("--tol", "tolerance", "Stop at this L1 marginal error");
  option("--max-iterations", "max_iterations",
         "Cap on iterations (for SNS, Sinkhorn and Newton steps together)");
  option("--max-newton-steps", "max_newton_steps", "SNS: cap on Newton steps");
  cmd->add_flag("--keep-partial", f->keep_partial,
                "Write --plan/--potentials even when the run did not converge (with a warning)");
  cmd->add_flag("--images", f->images, "A and B are images (see below)");
  cmd->add_option("--image-floor", f->intensity_floor, "Added to every pixel intensity")
      ->check(finite_non_negative)
      ->capture_default_str();
  option("--warmup", "warmup_steps", "SNS: Sinkhorn steps before Newton, N1");
  option("--sparsity", "sparsity", "SNS: lambda = sparsity / n");
  option("--lambda-convention", "convention",
         "SNS: lambda counts entries of the (n+m)^2 Hessian (hessian) or of the n*m plan (plan)");
  option("--rank", "rank", "SNS: rank entries by magnitude or Jacobi-scaled (scaled)");
  option("--eta-start", "eta_start", "Continuation's first eta (0 = automatic)");
  option("--eta-factor", "eta_factor", "Continuation's eta growth per stage");
  add_set_flag(cmd, f->options, "ot");
  cmd->add_option("--plan", f->plan_out, "Write the dense plan (n x m) to this .npy");
  cmd->add_option("--potentials", f->potentials_out, "Write [x; y] to this .npy");
  cmd->add_flag("--matrix-free", f->matrix_free,
                "Point clouds: compute the cost on the fly instead of storing it (memory "
                "O((n + m) d); sinkhorn and sinkhorn-eps)");
  cmd->add_option("--memory-budget", f->memory_budget_gb,
                  "GB the dense cost may take before point clouds switch to the matrix-free path "
                  "(0 = half the machine's memory)")
      ->check(finite_non_negative)
      ->capture_default_str();
  cmd->add_option("--mpi", f->mpi, "auto (MPI when started by mpirun), serial or mpi")
      ->check(CLI::IsMember({"auto", "serial", "mpi"}))
      ->capture_default_str();
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g, method_flag] {
                   f->method_given = method_flag->count() > 0;
                   auto comm = dist::make_communicator(dist::mode_from_string(f->mpi));
                   return dist::run_or_abort(*comm, [&] { return run_ot(*f, g, *comm); });
                 }};
});

}  // namespace
}  // namespace descent::cli
