// `descent recover`: robust low-rank matrix recovery with SubGM (Ma & Fattahi, JMLR 2023) or the
// l2-GD baseline, on a synthetic problem or on the user's own measurements.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <Eigen/SVD>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "descent/io/matrix_market.hpp"
#include "descent/io/npy.hpp"
#include "descent/recovery/l2_gd.hpp"
#include "descent/recovery/methods.hpp"
#include "descent/recovery/problem.hpp"
#include "descent/recovery/subgm.hpp"
#include "method_flags.hpp"
#include "tables.hpp"

namespace descent::cli {
namespace {

using namespace descent::recovery;

struct RecoverFlags {
  // synthetic problem
  Eigen::Index d = 50;
  Eigen::Index rank = 3;
  std::string eigenvalues;
  Eigen::Index measurements = 1500;
  double outliers = 0.0;
  double outlier_scale = 10.0;
  std::string noise;
  std::string ensemble = "gaussian";
  // the user's data
  std::string operator_file, observations_file, reference_file;
  std::string rescale = "auto";
  // method: its options (--schedule, --step, --iterations, --tol, --stop-at-tol, --step-tol,
  // --set) are set only when given; recovery::methods() holds the defaults.
  Eigen::Index overparam_rank = 0;  // 0: = rank (synthetic), required for files
  std::string method = "subgm";
  double init_scale = 1e-12;
  bool stop_at_tol = false;
  MethodFlags options;
  std::string output_factor, output_matrix, history;
  RunFlags run;
};

// The operator: a 2-D (m, d*d) table, or a 3-D (m, d, d) .npy array. With `normalize`, the
// entries are divided by their RMS (returned in *rms), so that eta0 = 0.5 suits any unit.
std::shared_ptr<const DenseMeasurements> read_operator(const std::string& path, bool normalize,
                                                       double* rms) {
  auto scale_by_rms = [&](double* data, std::size_t n) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += data[i] * data[i];
    *rms = n > 0 ? std::sqrt(s / double(n)) : 1.0;
    if (!(*rms > 0) || !normalize) *rms = 1.0;
    for (std::size_t i = 0; i < n; ++i) data[i] /= *rms;
  };
  if (extension(path) == ".npy") {
    io::NpyArray a = io::read_npy(path);
    if (!io::all_finite(a)) throw InputError(path, 0, "operator", "contains nan or inf");
    if (a.shape.size() == 3) {
      if (a.shape[1] != a.shape[2])
        throw InputError(path, 0, "operator", "a 3-D operator must have shape (m, d, d)");
      scale_by_rms(a.data.data(), a.data.size());
      return std::make_shared<DenseMeasurements>(DenseMeasurements::from_array(
          a.data.data(), Eigen::Index(a.shape[0]), Eigen::Index(a.shape[1])));
    }
  }
  Eigen::MatrixXd A = read_table(path, "operator");
  const auto d = static_cast<Eigen::Index>(std::llround(std::sqrt(double(A.cols()))));
  if (d * d != A.cols())
    throw InputError(path, 0, "operator",
                     "expected m rows of vec(A_i) (d*d columns), got " + std::to_string(A.cols()) +
                         " columns, not a square number");
  scale_by_rms(A.data(), static_cast<std::size_t>(A.size()));
  return std::make_shared<DenseMeasurements>(A);
}

Eigen::VectorXd read_vector(const std::string& path, const std::string& what) {
  const Eigen::MatrixXd v = read_table(path, what);
  if (v.rows() != 1 && v.cols() != 1)
    throw InputError(path, 0, what,
                     "expected a vector, got a " + std::to_string(v.rows()) + " x " +
                         std::to_string(v.cols()) + " table");
  return Eigen::Map<const Eigen::VectorXd>(v.data(), v.size());
}

std::vector<double> parse_list(const std::string& s) {
  std::vector<double> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      out.push_back(std::stod(item));
    } catch (const std::exception&) {
      throw Error("--eigenvalues: '" + item + "' is not a number");
    }
  }
  return out;
}

void write_history(const std::string& path, const Summary& s) {
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(s.history.size()), 5);
  for (std::size_t i = 0; i < s.history.size(); ++i) {
    const auto& h = s.history[i];
    double err = std::nan("");
    for (const auto& [k, v] : h.extras)
      if (k == "relative_error") err = v;
    rows.row(static_cast<Eigen::Index>(i)) << double(h.iteration), h.objective, err, h.step_size,
        h.gradient_norm;
  }
  io::write_csv(path, rows, {"iteration", "loss", "relative_error", "step", "subgradient_norm"});
}

int run_recover(const RecoverFlags& f, const Globals& g) {
  const bool files = !f.operator_file.empty() || !f.observations_file.empty();
  if (files && (f.operator_file.empty() || f.observations_file.empty()))
    throw Error("recover: --operator and --observations go together");
  if (files && f.overparam_rank < 1)
    throw Error("recover: --overparam-rank is required with --operator");
  if (f.rescale != "auto" && f.rescale != "on" && f.rescale != "off")
    throw Error("recover: --rescale must be auto, on or off");

  std::shared_ptr<const DenseMeasurements> op;
  Eigen::VectorXd y;
  Eigen::MatrixXd X_star;
  std::string source;
  NoiseModel noise;
  SyntheticOptions so;
  double operator_rms = 1.0;
  const bool rescale = f.rescale == "on" || (f.rescale == "auto" && files);
  if (!files && !f.reference_file.empty())
    throw InvalidOption("--reference",
                        "applies to --operator/--observations data (a synthetic "
                        "problem knows its X*)");
  if (files) {
    auto dense = read_operator(f.operator_file, rescale, &operator_rms);
    y = read_vector(f.observations_file, "observations") / operator_rms;
    if (y.size() != dense->measurements())
      throw InputError(f.observations_file, 0, "observations",
                       "has " + std::to_string(y.size()) + " entries for " +
                           std::to_string(dense->measurements()) + " measurements");
    if (!f.reference_file.empty()) {
      X_star = read_table(f.reference_file, "reference");
      if (X_star.rows() != dense->dimension() || X_star.cols() != dense->dimension())
        throw InputError(f.reference_file, 0, "reference", "must be d x d");
    }
    op = dense;
    source = f.operator_file;
  } else {
    so.dimension = f.d;
    so.rank = f.rank;
    if (!f.eigenvalues.empty()) so.eigenvalues = parse_list(f.eigenvalues);
    so.measurements = f.measurements;
    so.ensemble = ensemble_from_string(f.ensemble);
    so.noise.outlier_probability = f.outliers;
    so.noise.outlier_scale = f.outlier_scale;
    if (!f.noise.empty()) so.noise.parse(f.noise);
    noise = so.noise;
    RecoveryProblem p = make_synthetic_problem(so, g.seed);
    op = p.op;
    y = p.y;
    X_star = p.X_star;
    source = "synthetic";
  }
  const Eigen::Index d = op->dimension();
  const Eigen::Index rprime = f.overparam_rank > 0 ? f.overparam_rank : f.rank;

  // eta0 = 0.5 assumes unit-variance A_i entries and |X*|_2 ~ 1. For the user's data the operator
  // was divided by its entries' RMS (and y with it); now estimate |X*|_F from the observations
  // (for Gaussian A, <A_i, X*> ~ N(0, |X*|_F^2): median |y| / 0.6745 ignores < 50% outliers),
  // divide y by it, and scale the answer back.
  double scale = 1.0;
  if (rescale) {
    std::vector<double> a(static_cast<std::size_t>(y.size()));
    for (Eigen::Index i = 0; i < y.size(); ++i) a[static_cast<std::size_t>(i)] = std::abs(y[i]);
    std::nth_element(a.begin(), a.begin() + a.size() / 2, a.end());
    scale = a[a.size() / 2] / 0.6744897501960817;
    if (!(scale > 0)) scale = 1.0;
  }
  const Eigen::VectorXd y_used = y / scale;
  const Eigen::MatrixXd X_used = X_star.size() ? Eigen::MatrixXd(X_star / scale) : X_star;
  const Eigen::MatrixXd* reference = X_used.size() ? &X_used : nullptr;

  const auto& method = recovery::methods().at(f.method);
  const std::vector<OptionDoc> docs = method.options();
  MethodFlags flags = f.options;
  if (f.stop_at_tol) {
    flags.settings.set("stop_at_tolerance", "true");
    flags.flag["stop_at_tolerance"] = "--stop-at-tol";
  }
  Settings settings = settings_for(flags, docs, f.method);
  if (!f.history.empty()) settings.set("record_history", "true");
  if (takes(docs, "threads")) settings.set("threads", std::to_string(std::max(1, g.threads)));
  const double tol = typed_setting<double>(flags, settings, docs, "error_tolerance");
  StepSchedule schedule;
  const bool subgm = takes(docs, "schedule");
  if (subgm) {
    schedule = naming_flags(
        flags, [&] { return StepSchedule::parse(setting_or_default(settings, docs, "schedule")); });
    // The escape rule of thumb, where X* is known: warn when the step budget is clearly short.
    if (!files && !g.quiet) {
      Eigen::JacobiSVD<Eigen::MatrixXd> svd(X_star);
      const double sigma_r = svd.singularValues()(so.rank - 1);
      const double need = escape_step_sum(
          X_star.norm(), sigma_r, f.init_scale,
          phi_lower_bound(std::min(0.99, noise.outlier_probability + noise.gaussian_probability)));
      const double have =
          schedule.step_sum(typed_setting<std::size_t>(flags, settings, docs, "max_iterations"));
      if (have < 0.5 * need)
        std::fprintf(stderr,
                     "descent: warning: the schedule's step sum %.3g is well below the ~%.3g small "
                     "initialization needs to escape (|X*|_F log(1/alpha) / (2 phi sigma_r)); "
                     "expect a stalled run\n",
                     have, need);
    }
  }
  Rng rng = make_rng(g.seed, {4});
  Eigen::MatrixXd U = small_initialization(d, rprime, f.init_scale, rng);
  RecoveryProblem problem;
  problem.op = op;
  problem.y = y_used;
  problem.X_star = X_used;
  const Summary s = naming_flags(
      flags, [&] { return method.run(problem, U, settings, make_callbacks(f.run, g)); });
  U *= std::sqrt(scale);

  if (!f.output_factor.empty()) io::write_npy(f.output_factor, U);
  if (!f.output_matrix.empty()) io::write_npy(f.output_matrix, U * U.transpose());
  if (!f.history.empty()) write_history(f.history, s);

  const auto counter = [&](const char* k) {
    const auto it = s.counters.find(k);
    return it == s.counters.end() ? std::nan("") : it->second;
  };
  if (g.json) {
    io::Json j = io::to_json(s);
    j["source"] = source;
    j["dimension"] = d;
    j["measurements"] = op->measurements();
    j["overparam_rank"] = rprime;
    j["init_scale"] = f.init_scale;
    j["observation_scale"] = scale;
    j["operator_rms"] = operator_rms;
    if (subgm) {
      j["schedule"] = schedule.to_string();
      j["schedule_from_paper"] = schedule.from_paper();
    }
    if (!files) {
      j["rank"] = so.rank;
      j["noise"] = noise.to_string();
      j["ensemble"] = f.ensemble;
    }
    print_json(j);
  } else {
    std::cout << s.method << " on " << source << ": d = " << d << ", m = " << op->measurements()
              << ", r' = " << rprime;
    if (!files) std::cout << ", r = " << so.rank << ", noise " << noise.to_string();
    if (subgm) std::cout << "\n  schedule " << schedule.to_string();
    std::cout << ", init scale " << f.init_scale << "\n  " << s.brief() << "\n";
    if (scale != 1.0 || operator_rms != 1.0)
      std::cout << "  operator divided by its RMS " << operator_rms
                << ", observations by a further " << scale << " (--rescale)\n";
    if (reference) {
      const double hit = counter("iterations_to_tolerance");
      std::cout << "  relative error " << counter("relative_error") << "; below " << tol
                << (std::isnan(hit) ? " never" : " at iteration " + std::to_string(long(hit)))
                << "\n";
    }
  }
  return exit_code(s.status, Goal::budget);
}

const CommandRegistrar registrar("recover", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<RecoverFlags>();
  auto* cmd = app.add_subcommand(
      "recover", "Robust low-rank matrix recovery (SubGM) on a synthetic problem or your data");
  cmd->add_option("--d", f->d, "Synthetic: dimension d")->capture_default_str();
  cmd->add_option("--rank", f->rank, "Synthetic: true rank r")->capture_default_str();
  cmd->add_option("--eigenvalues", f->eigenvalues,
                  "Synthetic: eigenvalues of X*, comma-separated (default 1 .. 0.5)");
  cmd->add_option("--measurements", f->measurements, "Synthetic: m")->capture_default_str();
  cmd->add_option("--outliers", f->outliers, "Synthetic: outlier probability p")
      ->check(unit_interval)
      ->capture_default_str();
  cmd->add_option("--outlier-scale", f->outlier_scale, "Synthetic: outlier std / |X*|_F")
      ->capture_default_str();
  cmd->add_option("--noise", f->noise, "Synthetic: gaussian:p=P,nu=NU or outliers:p=P,scale=S");
  cmd->add_option("--ensemble", f->ensemble, "Synthetic: gaussian or symmetric A_i")
      ->check(CLI::IsMember({"gaussian", "symmetric"}))
      ->capture_default_str();
  cmd->add_option("--operator", f->operator_file,
                  "Your measurements: (m, d*d) .npy/.mtx/.csv of vec(A_i), or (m, d, d) .npy");
  cmd->add_option("--observations", f->observations_file, "Your observations y (.npy/.mtx/.csv)");
  cmd->add_option("--reference", f->reference_file, "Optional X* (d x d) to report the error");
  cmd->add_option("--rescale", f->rescale,
                  "Normalise A to unit RMS and y by median|y|/0.6745 (auto: --operator data)")
      ->capture_default_str();
  cmd->add_option("--overparam-rank", f->overparam_rank,
                  "Search rank r' >= r (default: --rank for synthetic problems)");
  add_method_flag(cmd, f->method, recovery::methods());
  cmd->add_option("--init-scale", f->init_scale, "alpha: U_0 = alpha B with |B|_2 = 1")
      ->capture_default_str();
  const OptionFlagAdder option{cmd, f->options, registry_docs(recovery::methods())};
  option("--schedule", "schedule",
         "geometric[:eta0=0.5,rho=0.99] or warmup[:eta0=0.5,t0=100,rho=0.95]");
  option("--step", "step_size", "l2-gd: fixed step");
  option("--iterations", "max_iterations", "Iterations T");
  option("--tol", "error_tolerance", "Relative-error tolerance (needs X*)");
  cmd->add_flag("--stop-at-tol", f->stop_at_tol, "Stop once the tolerance is met");
  option("--step-tol", "step_tolerance", "Stop once eta_t < this (0 = run all T)");
  add_set_flag(cmd, f->options, "recovery");
  cmd->add_option("--output", f->output_factor, "Write the factor U (d x r') to this .npy");
  cmd->add_option("--output-matrix", f->output_matrix, "Write U U^T to this .npy");
  cmd->add_option("--history", f->history, "Write the per-iteration history to this .csv");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_recover(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
