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

namespace descent::cli {
namespace {

namespace im = implicit;

struct HyperoptFlags {
  std::string data, train, val;
  std::string model = "ridge";
  std::string hyper;  // default: l1 for lasso, log-l2 otherwise
  std::string method = "implicit";
  std::string solver = "normal-cg";
  std::size_t outer_steps = 50;
  double learning_rate = 0.1;
  double lambda0 = 0.1;
  std::size_t unrolled_iterations = 500;
  double inner_tol = im::HyperoptOptions{}.inner_tolerance;
  std::size_t inner_iterations = im::HyperoptOptions{}.inner_max_iterations;
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

im::HyperoptData load_data(const HyperoptFlags& f, bool classification, std::uint64_t seed) {
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
          "data", "'" + f.data + "' is a regression set; --model " + f.model + " needs classes");
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
  im::HyperoptOptions o;
  o.model = im::model_from_string(f.model);
  o.hyper = im::hyper_from_string(f.hyper.empty() ? (o.model == im::Model::lasso ? "l1" : "log-l2")
                                                  : f.hyper);
  o.method = im::hyper_method_from_string(f.method);
  o.linear.solver = im::solver_from_string(f.solver);
  o.outer_steps = f.outer_steps;
  o.learning_rate = f.learning_rate;
  o.lambda0 = f.lambda0;
  o.unrolled_iterations = f.unrolled_iterations;
  o.inner_tolerance = f.inner_tol;
  o.inner_max_iterations = f.inner_iterations;
  o.linear.seed = g.seed;
  o.validate();
  const bool classification = o.model == im::Model::logreg || o.model == im::Model::svm;
  const im::HyperoptData d = load_data(f, classification, g.seed);
  const im::HyperoptResult r = im::hyperopt(d, o);
  if (g.json) {
    nlohmann::json j = io::to_json(r.summary);
    j["model"] = f.model;
    j["hyper"] = o.hyper == im::Hyper::l1 ? "l1" : o.hyper == im::Hyper::l2 ? "l2" : "log-l2";
    j["solver"] = f.solver;
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
    std::cout << "hyperopt " << f.model << " (" << (f.hyper.empty() ? "default" : f.hyper) << ", "
              << f.method << ", solver " << f.solver << "): " << r.summary.brief()
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

const char* kPaper = "Blondel et al., Efficient and Modular Implicit Differentiation, NeurIPS 2022";
const MethodRegistrar implicit_method({"implicit-diff", "implicit",
                                       "descent hyperopt --method implicit", kPaper,
                                       "Hypergradients by implicit differentiation (root_vjp)"});
const MethodRegistrar unrolled_method({"unrolled-diff", "implicit",
                                       "descent hyperopt --method unrolled", kPaper,
                                       "Hypergradients by forward-mode unrolling (baseline)"});

const CommandRegistrar registrar("hyperopt", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<HyperoptFlags>();
  auto* cmd = app.add_subcommand(
      "hyperopt", "Tune a regularisation strength with implicit or unrolled hypergradients");
  cmd->add_option("--data", f->data, "diabetes | breast-cancer | digits | any data set name");
  cmd->add_option("--train", f->train, "training CSV (last column is the target)");
  cmd->add_option("--val", f->val, "validation CSV (last column is the target)");
  cmd->add_option("--model", f->model, "ridge | lasso | logreg | svm-multiclass")
      ->check(CLI::IsMember({"ridge", "lasso", "logreg", "svm-multiclass"}))
      ->capture_default_str();
  cmd->add_option("--hyper", f->hyper, "l2 | l1 | log-l2 (default: l1 for lasso, else log-l2)")
      ->check(CLI::IsMember({"l2", "l1", "log-l2"}));
  cmd->add_option("--method", f->method, "implicit | unrolled")
      ->check(CLI::IsMember({"implicit", "unrolled"}))
      ->capture_default_str();
  cmd->add_option("--solver", f->solver, "cg | normal-cg | gmres | bicgstab | lu | cholesky")
      ->check(CLI::IsMember(im::solver_names()))
      ->capture_default_str();
  cmd->add_option("--outer-steps", f->outer_steps)->capture_default_str();
  cmd->add_option("--lr", f->learning_rate, "Adam step on the hyper-parameter")
      ->capture_default_str();
  cmd->add_option("--lambda0", f->lambda0, "initial regularisation strength")
      ->capture_default_str();
  cmd->add_option("--inner-tol", f->inner_tol, "implicit: inner optimality residual")
      ->capture_default_str();
  cmd->add_option("--inner-iterations", f->inner_iterations,
                  "implicit: cap on the inner (FISTA / fixed-point) iterations")
      ->capture_default_str();
  cmd->add_option("--unrolled-iterations", f->unrolled_iterations,
                  "inner iterations differentiated by --method unrolled")
      ->capture_default_str();
  return Command{cmd, [f, &g] { return run_hyperopt(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
