// `descent offline propose|eval`: offline model-based optimisation — train a surrogate on a
// table of measured designs (optionally under IGNITE's sharpness constraint), optimise designs
// on it, and write the next batch to measure; or the same on a synthetic task with an exact
// oracle, printing Design-Bench's percentile scores.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#ifdef DESCENT_HAVE_TORCH
#include "descent/offline/design_table.hpp"
#include "descent/offline_torch/run.hpp"
#endif

namespace descent::cli {
namespace {

#ifdef DESCENT_HAVE_TORCH
using namespace descent::offline;
using namespace descent::offline_torch;

struct ModelFlags {
  std::string method = "grad", regularizer = "none", dual = "clamped", aggregation = "mean";
  std::string hidden = "256,256", activation = "leaky_relu";
  double epsilon = NAN, lambda = NAN, eta_lambda = NAN, rho = NAN, r = NAN;
  int count = 128, epochs = 50, batch = 128, ensemble = 1, steps = 200, validation = 200;
  int cmaes_iterations = 100;
  double lr = 3e-4, ascent_lr = 0.01, cmaes_sigma = 0.5;
  RunFlags run;

  RunOptions options(std::uint64_t seed) const {
    RunOptions o;
    o.surrogate.hidden.clear();
    std::stringstream ss(hidden);
    for (std::string w; std::getline(ss, w, ',');) {
      char* end = nullptr;
      const long v = std::strtol(w.c_str(), &end, 10);
      if (w.empty() || *end != '\0' || v < 1 || v > 100000)
        throw InvalidOption("--hidden", "expects widths such as 256,256, got '" + hidden + "'");
      o.surrogate.hidden.push_back(v);
    }
    o.surrogate.activation = activation;
    o.train.epochs = epochs;
    o.train.batch = batch;
    o.train.lr = lr;
    o.train.validation = validation;
    o.train.loss = method == "coms" ? SurrogateLoss::coms : SurrogateLoss::maximum_likelihood;
    o.optimizer = method == "cmaes" ? DesignOptimizer::cmaes : DesignOptimizer::grad;
    o.sharpness = SharpnessOptions::defaults(regularizer_from_string(regularizer));
    o.sharpness.dual = dual_mode_from_string(dual);
    if (!std::isnan(epsilon)) o.sharpness.epsilon = epsilon;
    if (!std::isnan(lambda)) o.sharpness.lambda0 = lambda;
    if (!std::isnan(eta_lambda)) o.sharpness.eta_lambda = eta_lambda;
    if (!std::isnan(rho)) o.sharpness.rho = rho;
    if (!std::isnan(r)) o.sharpness.r = r;
    // The held-out sharpness is reported with the same ρ as the training log's.
    o.train.sharpness_rho = o.sharpness.rho;
    o.ensemble = ensemble;
    o.aggregation = aggregation_from_string(aggregation);
    o.count = count;
    o.steps = steps;
    o.lr_scale = ascent_lr;
    o.cmaes.iterations = cmaes_iterations;
    o.cmaes.sigma = cmaes_sigma;
    o.seed = seed;
    o.validate();
    return o;
  }
};

void add_model_flags(CLI::App* c, ModelFlags& m) {
  c->add_option("--method", m.method,
                "grad (gradient ascent on a maximum-likelihood surrogate), cmaes (CMA-ES on "
                "it) or coms (COMs' conservative surrogate, then gradient ascent)")
      ->check(CLI::IsMember({"grad", "cmaes", "coms"}))
      ->capture_default_str();
  c->add_option("--regularizer", m.regularizer,
                "none, ignite (sharpness constraint with dual ascent) or ignite2 (fixed lambda)")
      ->check(CLI::IsMember({"none", "ignite", "ignite2"}))
      ->capture_default_str();
  c->add_option("--dual-mode", m.dual,
                "IGNITE's dual update: clamped (lambda >= 0) or code-faithful (no projection, "
                "as the official code)")
      ->check(CLI::IsMember({"clamped", "code-faithful", "code_faithful"}))
      ->capture_default_str();
  c->add_option("--epsilon", m.epsilon, "IGNITE's sharpness budget (default 0.1)")
      ->check(finite_non_negative);
  c->add_option("--lambda", m.lambda,
                "IGNITE's initial lambda (default 1e-3) or IGNITE2's fixed lambda (0.01)")
      ->check(finite_non_negative);
  c->add_option("--eta-lambda", m.eta_lambda, "IGNITE's dual step (default 1e-3)")
      ->check(finite_non_negative);
  c->add_option("--rho", m.rho, "The sharpness radius (IGNITE 0.05, IGNITE2 0.2)")
      ->check(finite_positive);
  c->add_option("--r", m.r, "The finite-difference step (IGNITE 0.05, IGNITE2 0.2)")
      ->check(finite_positive);
  c->add_option("--count", m.count, "Designs to propose (the top-k measured ones are the starts)")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  c->add_option("--hidden", m.hidden, "The surrogate's hidden widths")->capture_default_str();
  c->add_option("--activation", m.activation, "leaky_relu or tanh")
      ->check(CLI::IsMember({"leaky_relu", "tanh"}))
      ->capture_default_str();
  c->add_option("--epochs", m.epochs, "Surrogate training epochs")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  c->add_option("--batch", m.batch, "Batch size")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  c->add_option("--lr", m.lr, "Adam's learning rate")
      ->check(finite_positive)
      ->capture_default_str();
  c->add_option("--validation", m.validation,
                "Rows held out for the validation NLL and held-out sharpness (at most a tenth)")
      ->check(CLI::Range(0, 100000000))
      ->capture_default_str();
  c->add_option("--ensemble", m.ensemble, "Surrogates, each on its own bootstrap")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  c->add_option("--aggregation", m.aggregation, "How the ensemble's means combine: mean or min")
      ->check(CLI::IsMember({"mean", "min"}))
      ->capture_default_str();
  c->add_option("--steps", m.steps, "Gradient-ascent steps")
      ->check(CLI::Range(0, 10000000))
      ->capture_default_str();
  c->add_option("--ascent-lr", m.ascent_lr, "Gradient ascent's step is this times sqrt(d)")
      ->check(finite_positive)
      ->capture_default_str();
  c->add_option("--cmaes-iterations", m.cmaes_iterations, "CMA-ES generations per start")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  c->add_option("--cmaes-sigma", m.cmaes_sigma, "CMA-ES's initial step (z-scored inputs)")
      ->check(finite_positive)
      ->capture_default_str();
  add_run_flags(c, m.run);
}

// Trains and optimises with the progress bar / log flags; one "iteration" is one epoch.
RunResult run_with_callbacks(const Task& task, const RunOptions& o, const ModelFlags& m,
                             const Globals& g) {
  Callbacks callbacks = make_callbacks(m.run, g);
  RunInfo info;
  info.method = std::string("offline-") + std::string(to_string(o.sharpness.kind));
  if (o.sharpness.kind == RegularizerKind::ignite)
    info.method += "-" + std::string(to_string(o.sharpness.dual));  // the dual mode, recorded
  info.dimension = static_cast<std::size_t>(task.space.dimension);
  info.max_iterations = static_cast<std::size_t>(o.train.epochs * o.ensemble);
  callbacks.begin(info);
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t done = 0;
  RunResult r = run_offline(task, o, [&](int member, const EpochLog& l) {
    const Metric extras[] = {{"member", double(member + 1)},
                             {"validation_nll", l.validation_nll},
                             {"lambda", l.lambda},
                             {"sharpness", l.mean_sharpness},
                             {"heldout_sharpness", l.heldout_sharpness}};
    IterationInfo it;
    it.iteration = ++done;
    it.objective = l.train_loss;
    it.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    it.extras = extras;
    return !callbacks.iteration(it);
  });
  Summary s;
  s.method = info.method;
  s.status = r.status;
  s.iterations = done;
  s.objective = r.training.empty() || r.training.back().epochs.empty()
                    ? NAN
                    : r.training.back().epochs.back().train_loss;
  s.message = r.status == Status::stopped ? callbacks.stop_reason() : r.message;
  callbacks.end(s);
  return r;
}

std::string describe(const RunOptions& o) {
  std::string s = std::string(to_string(o.optimizer)) +
                  (o.train.loss == SurrogateLoss::coms ? " on a COMs surrogate" : "") +
                  ", regularizer " + std::string(to_string(o.sharpness.kind));
  if (o.sharpness.kind == RegularizerKind::ignite)
    s += " (" + std::string(to_string(o.sharpness.dual)) + " dual)";
  return s;
}

nlohmann::json training_json(const RunResult& r) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& t : r.training) {
    const auto& last = t.epochs.back();
    j.push_back(
        {{"status", std::string(to_string(t.status))},
         {"epochs", t.epochs.size()},
         {"train_loss", last.train_loss},
         {"validation_nll", std::isnan(last.validation_nll) ? nlohmann::json(nullptr)
                                                            : nlohmann::json(last.validation_nll)},
         {"lambda",
          std::isnan(last.lambda) ? nlohmann::json(nullptr) : nlohmann::json(last.lambda)},
         {"heldout_sharpness", std::isnan(t.heldout_sharpness)
                                   ? nlohmann::json(nullptr)
                                   : nlohmann::json(t.heldout_sharpness)}});
  }
  return j;
}

// ------------------------------------------------------------------------------- propose

struct ProposeFlags {
  std::string data, target, discrete, out;
  bool strict = false;
  ModelFlags model;
};

std::vector<std::string> split_alphabet(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string a; std::getline(ss, a, ',');) {
    const auto b = a.find_first_not_of(" \t"), e = a.find_last_not_of(" \t");
    out.push_back(b == std::string::npos ? std::string() : a.substr(b, e - b + 1));
  }
  if (!s.empty() && s.back() == ',') out.emplace_back();
  for (const auto& a : out)
    if (a.empty()) throw InvalidOption("--discrete", "an empty letter in '" + s + "'");
  return out;
}

int run_propose(const ProposeFlags& f, const Globals& g) {
  const RunOptions o = f.model.options(g.seed);
  DesignTableOptions t;
  t.target = f.target;
  t.strict = f.strict;
  if (!f.discrete.empty()) t.alphabet = split_alphabet(f.discrete);
  const Task task = read_design_table(f.data, t);
  if (task.data.skipped_rows > 0)
    warn(std::to_string(task.data.skipped_rows) + " row(s) of " + f.data +
         " have missing values and were skipped (--strict refuses them)");
  if (o.count > task.data.x.rows())
    warn("--count " + std::to_string(o.count) + " is more than the " +
         std::to_string(task.data.x.rows()) + " usable rows: proposing " +
         std::to_string(task.data.x.rows()));
  const RunResult r = run_with_callbacks(task, o, f.model, g);
  if (r.status == Status::diverged) {
    std::cerr << "descent: error: " << r.message << "; nothing written\n";
    return 1;
  }
  Eigen::MatrixXd extra(r.designs.rows(), 2);
  extra.col(0) = r.predicted_mean;
  extra.col(1) = r.predicted_std;
  write_designs(f.out, task, r.designs, {"predicted_" + task.data.target, "predicted_std"}, extra);
  if (g.json) {
    print_json({{"status", std::string(to_string(r.status))},
                {"regularizer", std::string(to_string(o.sharpness.kind))},
                {"dual_mode", std::string(to_string(o.sharpness.dual))},
                {"rows", task.data.x.rows()},
                {"skipped_rows", task.data.skipped_rows},
                {"proposals", r.designs.rows()},
                {"out", f.out},
                {"best_measured", task.data.y.maxCoeff()},
                {"best_predicted", r.predicted_mean.maxCoeff()},
                {"heldout_sharpness", std::isnan(r.heldout_sharpness)
                                          ? nlohmann::json(nullptr)
                                          : nlohmann::json(r.heldout_sharpness)},
                {"training", training_json(r)}});
  } else {
    std::cout << "offline (" << describe(o) << ") on " << f.data << ": " << task.data.x.rows()
              << " designs (" << task.space.dimension
              << (task.space.discrete ? " positions" : " coordinates") << "), best measured "
              << task.data.y.maxCoeff() << "\n  proposed " << r.designs.rows()
              << " designs, predicted best " << r.predicted_mean.maxCoeff()
              << ", held-out sharpness " << r.heldout_sharpness << "\n  proposals: " << f.out
              << "\n";
  }
  return exit_code(r.status, Goal::budget);
}

// ---------------------------------------------------------------------------------- eval

struct EvalFlags {
  std::string task, out;
  long samples = 20000;
  ModelFlags model;
};

int run_eval(const EvalFlags& f, const Globals& g) {
  const RunOptions o = f.model.options(g.seed);
  SyntheticOptions so;
  so.seed = g.seed;
  so.samples = f.samples;
  const Task task = make_synthetic_task(f.task, so);
  const RunResult r = run_with_callbacks(task, o, f.model, g);
  if (r.status == Status::diverged) {
    std::cerr << "descent: error: " << r.message << "\n";
    return 1;
  }
  if (!f.out.empty()) {
    Eigen::MatrixXd extra(r.designs.rows(), 3);
    extra.col(0) = r.predicted_mean;
    extra.col(1) = r.predicted_std;
    extra.col(2) = r.oracle_values;
    write_designs(f.out, task, r.designs, {"predicted_y", "predicted_std", "oracle_y"}, extra);
  }
  const double best_data = task.normalise(task.data.y.maxCoeff());
  if (g.json) {
    print_json({{"status", std::string(to_string(r.status))},
                {"regularizer", std::string(to_string(o.sharpness.kind))},
                {"dual_mode", std::string(to_string(o.sharpness.dual))},
                {"task", task.name},
                {"p100", r.scores.p100},
                {"p80", r.scores.p80},
                {"p50", r.scores.p50},
                {"best_in_data", best_data},
                {"heldout_sharpness", r.heldout_sharpness},
                {"train_seconds", r.train_seconds},
                {"optimise_seconds", r.optimise_seconds},
                {"training", training_json(r)}});
  } else {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "normalised scores of %ld designs: 100th %.4f, 80th %.4f, 50th %.4f (best in "
                  "the data %.4f)",
                  long(r.designs.rows()), r.scores.p100, r.scores.p80, r.scores.p50, best_data);
    std::cout << "offline (" << describe(o) << ") on " << task.name << ": " << task.data.x.rows()
              << " designs\n  " << buf << "\n  held-out sharpness " << r.heldout_sharpness
              << ", training " << r.train_seconds << " s, optimisation " << r.optimise_seconds
              << " s\n";
    if (!f.out.empty()) std::cout << "  designs: " << f.out << "\n";
  }
  return exit_code(r.status, Goal::budget);
}

const MethodRegistrar ignite_method(
    {"ignite", "offline", "descent offline propose --regularizer ignite",
     "Dao, Nguyen, Truong, Hoang, arXiv:2503.04242",
     "IGNITE: the surrogate's gradient norm constrained by a Lagrangian with dual ascent"});
#endif

const CommandRegistrar registrar("offline", [](CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "offline",
      "Offline model-based optimisation: propose designs from a table of measured ones "
      "(surrogate + IGNITE)");
#ifdef DESCENT_HAVE_TORCH
  cmd->require_subcommand(1);
  auto p = std::make_shared<ProposeFlags>();
  auto* pc = cmd->add_subcommand("propose",
                                 "Train a surrogate on a CSV of measured designs and write the "
                                 "next designs to measure");
  pc->add_option("--data", p->data,
                 "CSV whose first row names the columns: the designs' columns and the target")
      ->required();
  pc->add_option("--target", p->target,
                 "The target column: a header name or a 1-based number (default: the last)");
  pc->add_option("--discrete", p->discrete,
                 "Designs are sequences over these letters, e.g. A,C,G,T (one letter per "
                 "column, or one column of whole sequences)");
  pc->add_flag("--strict", p->strict,
               "Refuse rows with missing values (default: skip them with a warning)");
  pc->add_option("--out", p->out,
                 "Proposals CSV: the design columns, predicted_TARGET and predicted_std")
      ->required();
  add_model_flags(pc, p->model);

  auto e = std::make_shared<EvalFlags>();
  auto* ec = cmd->add_subcommand("eval",
                                 "The same on a synthetic task with an exact oracle: prints the "
                                 "normalised percentile scores");
  ec->add_option("--task", e->task, "ackley20, rosenbrock10, branin20 or tfbind8")
      ->required()
      ->check(CLI::IsMember({"ackley20", "rosenbrock10", "branin20", "tfbind8"}));
  ec->add_option("--samples", e->samples,
                 "Continuous tasks: uniform designs drawn, the lower half kept as the data")
      ->check(CLI::Range(4L, 10000000L))
      ->capture_default_str();
  ec->add_option("--out", e->out, "Also write the final designs with their oracle values");
  add_model_flags(ec, e->model);
  return Command{cmd, [p, e, pc, ec, &g] {
                   if (pc->parsed()) return run_propose(*p, g);
                   if (ec->parsed()) return run_eval(*e, g);
                   return 2;
                 }};
#else
  return needs_torch(cmd);
#endif
});

}  // namespace
}  // namespace descent::cli
