// `descent hyperopt`: tune one regularisation strength by gradient descent on the validation
// loss, with hypergradients from implicit differentiation or unrolling (Blondel et al. 2022).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/data/datasets.hpp"
#include "descent/implicit/hyperopt.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "method_flags.hpp"

namespace descent::cli {
namespace {

namespace im = implicit;

// Method options (--model, --hyper, --solver, --outer-steps, --lr, --lambda0, --inner-tol,
// --inner-iterations, --unrolled-iterations, --set) are set only when given:
// implicit::hyperopt_methods() holds the defaults.
struct HyperoptFlags {
  std::string data, train, val;
  std::string method = "implicit";
  MethodFlags options;
  RunFlags run;
};

std::string fmt(double v, const char* f = "%.6g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// CSV with the target in the last column; class targets are checked here so the error names
// the file and line.
void read_csv_split(const std::string& path, bool classification, im::Mat& x, im::Vec& y) {
  const io::CsvTable t = io::read_csv(path);
  if (t.values.cols() < 2)
    throw InputError(path, 1, "columns", "need at least one feature and a target column");
  x = t.values.leftCols(t.values.cols() - 1);
  y = t.values.col(t.values.cols() - 1);
  if (!classification) return;
  const std::size_t first_line = t.columns.empty() ? 1 : 2;
  for (Eigen::Index i = 0; i < y.size(); ++i)
    if (y[i] < 0 || y[i] != std::round(y[i]))
      throw InputError(path, first_line + static_cast<std::size_t>(i),
                       "column " + std::to_string(t.values.cols()) + " (target)",
                       "class targets must be integers >= 0, got " + fmt(y[i]));
}

im::HyperoptData load_data(const HyperoptFlags& f, const std::string& model, bool classification,
                           std::uint64_t seed) {
  im::HyperoptData d;
  if (!f.data.empty()) {
    if (!f.train.empty() || !f.val.empty())
      throw InvalidOption("data", "give either --data or --train/--val, not both");
    auto [tr, va] = data::train_validation_split(data::load(f.data), 0.33, seed);
    d.x_train = tr.features;
    d.x_val = va.features;
    d.y_train = tr.targets;
    d.y_val = va.targets;
    d.classes = tr.classes;
    if (classification && d.classes == 0)
      throw InvalidOption(
          "data", "'" + f.data + "' is a regression set; --model " + model + " needs classes");
  } else {
    if (f.train.empty() || f.val.empty())
      throw InvalidOption("data", "give --data NAME or both --train and --val");
    read_csv_split(f.train, classification, d.x_train, d.y_train);
    read_csv_split(f.val, classification, d.x_val, d.y_val);
    if (d.x_train.cols() != d.x_val.cols())
      throw InputError(f.val, 1, "columns",
                       "has " + std::to_string(d.x_val.cols() + 1) + " columns, " + f.train +
                           " has " + std::to_string(d.x_train.cols() + 1));
    if (classification)
      d.classes = 1 + static_cast<int>(std::max(d.y_train.maxCoeff(), d.y_val.maxCoeff()));
    if (classification && d.classes < 2)
      throw InputError(f.train, 0, "target", "needs at least two classes");
  }
  // Standardise on train; regression targets centred and scaled (no intercept in the models).
  const data::Standardizer s(d.x_train);
  d.x_train = s.transform(d.x_train);
  d.x_val = s.transform(d.x_val);
  if (!classification) {
    d.classes = 0;
    const double m = d.y_train.mean();
    double sd = std::sqrt((d.y_train.array() - m).square().mean());
    if (!(sd > 0)) sd = 1;
    d.y_train = (d.y_train.array() - m) / sd;
    d.y_val = (d.y_val.array() - m) / sd;
  }
  return d;
}

int run_hyperopt(const HyperoptFlags& f, const Globals& g) {
  const auto& method = im::hyperopt_methods().at(f.method);
  const std::vector<OptionDoc> docs = method.options();
  Settings settings = settings_for(f.options, docs, f.method);
  settings.set("seed", std::to_string(g.seed));
  const std::string model = setting_or_default(settings, docs, "model");
  const std::string solver = setting_or_default(settings, docs, "solver");
  const im::Model kind = naming_flags(f.options, [&] { return im::model_from_string(model); });
  const bool classification = kind == im::Model::logreg || kind == im::Model::svm;
  const im::HyperoptData d = load_data(f, model, classification, g.seed);
  const im::HyperoptResult r =
      naming_flags(f.options, [&] { return method.run(d, settings, make_callbacks(f.run, g)); });
  const std::string* hyper = settings.find("hyper");
  const std::string hyper_used =
      hyper ? *hyper : (kind == im::Model::lasso ? "l1" : setting_or_default({}, docs, "hyper"));
  if (g.json) {
    nlohmann::json j = io::to_json(r.summary);
    j["model"] = model;
    j["hyper"] = hyper_used;
    j["solver"] = solver;
    j["lambda"] = r.lambda;
    j["val_loss_initial"] = r.val_loss_initial;
    j["val_loss_final"] = r.val_loss_final;
    j["hypergradient"] = r.hypergradient;
    j["fd_hypergradient"] = r.fd_hypergradient;
    j["fd_rel_err"] = r.fd_rel_err;
    j["hypergradient_seconds"] = r.hypergradient_seconds;
    j["cg_flagged"] = r.cg_flagged;
    j["linear_solve_failures"] = r.linear_solve_failures;
    j["inner_solve_failures"] = r.inner_solve_failures;
    j["fd_reliable"] = r.fd_reliable;
    nlohmann::json path = nlohmann::json::array();
    for (const auto& s : r.path)
      path.push_back({{"step", s.iteration},
                      {"theta", s.theta},
                      {"lambda", s.lambda},
                      {"val_loss", s.val_loss},
                      {"hypergradient", s.hypergradient}});
    j["path"] = path;
    print_json(j);
  } else {
    std::cout << "hyperopt " << model << " (" << hyper_used << ", " << f.method << ", solver "
              << solver << "): " << r.summary.brief()
              << "\n  step      lambda          val_loss        hypergradient\n";
    const std::size_t stride = std::max<std::size_t>(1, r.path.size() / 20);
    for (std::size_t i = 0; i < r.path.size(); ++i)
      if (i % stride == 0 || i + 1 == r.path.size())
        std::cout << "  " << fmt(double(r.path[i].iteration), "%-8.0f")
                  << fmt(r.path[i].lambda, "%-16.6g") << fmt(r.path[i].val_loss, "%-16.8g")
                  << fmt(r.path[i].hypergradient, "%.6g") << "\n";
    std::cout << "  validation loss " << fmt(r.val_loss_initial) << " -> " << fmt(r.val_loss_final)
              << "\n  hypergradient check at the final theta: method " << fmt(r.hypergradient)
              << ", central FD " << fmt(r.fd_hypergradient) << ", rel. err "
              << fmt(r.fd_rel_err, "%.2e") << "\n";
    if (!r.fd_reliable)
      std::cout << "  warning: the finite-difference check's own inner solves did not converge; "
                   "its value is not a reference\n";
    if (r.cg_flagged)
      std::cout << "  warning: CG was asked to solve a non-symmetric adjoint system; use "
                   "--solver normal-cg, gmres or bicgstab\n";
  }
  return exit_code(r.summary.status, Goal::budget);
}

const CommandRegistrar registrar("hyperopt", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<HyperoptFlags>();
  auto* cmd = app.add_subcommand(
      "hyperopt", "Tune a regularisation strength with implicit or unrolled hypergradients");
  cmd->add_option("--data", f->data, "diabetes | breast-cancer | digits | any data set name");
  cmd->add_option("--train", f->train, "training CSV (last column is the target)");
  cmd->add_option("--val", f->val, "validation CSV (last column is the target)");
  add_method_flag(cmd, f->method, im::hyperopt_methods());
  const OptionFlagAdder option{cmd, f->options, registry_docs(im::hyperopt_methods())};
  option("--model", "model", "ridge | lasso | logreg | svm-multiclass");
  option("--hyper", "hyper", "l2 | l1 | log-l2 (lasso: l1)");
  option("--solver", "solver", "cg | normal-cg | gmres | bicgstab | lu | cholesky");
  option("--outer-steps", "outer_steps", "Adam steps on the hyper-parameter");
  option("--lr", "learning_rate", "Adam step on the hyper-parameter");
  option("--lambda0", "lambda0", "initial regularisation strength");
  option("--inner-tol", "inner_tolerance", "implicit: inner optimality residual");
  option("--inner-iterations", "inner_max_iterations",
         "implicit: cap on the inner (FISTA / fixed-point) iterations");
  option("--unrolled-iterations", "unrolled_iterations",
         "inner iterations differentiated by --method unrolled");
  add_set_flag(cmd, f->options, "implicit");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_hyperopt(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
