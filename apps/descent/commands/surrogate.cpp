// `descent sso`: target-based surrogate optimisation (and its baselines) on a data set.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/model_spec.hpp"
#include "descent/core/options.hpp"
#include "descent/data/datasets.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "descent/io/libsvm.hpp"
#include "descent/surrogate/direct.hpp"
#include "descent/surrogate/sso.hpp"
#include "descent/surrogate/trainer.hpp"

namespace descent::cli {
namespace {

using namespace descent::surrogate;

struct SsoFlags {
  std::string data = "breast-cancer";
  std::string model = "linear";
  std::string loss = "logistic";
  std::string method = "sso";
  std::string inner = "armijo";
  std::size_t inner_steps = 10;
  double eta = 0;  // not given: 1/L_z of the mean loss (batch / per-sample smoothness)
  CLI::Option* eta_opt = nullptr;  // a given --eta is used (and checked), never replaced
  std::string schedule = "constant";
  bool target_line_search = false;
  double lr = 0.1;  // inner SGD / Adam step, or the baseline's step
  std::size_t batch = 32;
  std::size_t steps = 0;
  double epochs = 5;
  std::size_t limit = 0;
  RunFlags run;
};

struct Loaded {
  Eigen::MatrixXd x;  // standardised features + intercept column
  Eigen::VectorXd y;  // raw targets
  int classes = 0;    // 0: regression
  std::string source;
};

bool ends_with(const std::string& s, const std::string& t) {
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

Loaded load(const SsoFlags& f) {
  Loaded d;
  Eigen::MatrixXd feats;
  const auto names = data::dataset_names();
  if (std::find(names.begin(), names.end(), f.data) != names.end()) {
    data::Dataset ds = data::load(f.data, {f.limit});
    feats = std::move(ds.features);
    d.y = std::move(ds.targets);
    d.classes = ds.classes;
    d.source = ds.source;
  } else {
    if (ends_with(f.data, ".svm") || ends_with(f.data, ".libsvm") ||
        ends_with(f.data, ".svmlight") || ends_with(f.data, ".txt")) {
      const io::SvmlightData s = io::read_libsvm(f.data);
      feats = Eigen::MatrixXd(s.features);
      d.y = s.labels;
    } else {
      const Eigen::MatrixXd t = io::read_csv_matrix(f.data);
      if (t.cols() < 2) throw Error(f.data + ": need at least one feature and a label column");
      feats = t.leftCols(t.cols() - 1);
      d.y = t.col(t.cols() - 1);
    }
    if (f.limit > 0 && Eigen::Index(f.limit) < feats.rows()) {
      feats.conservativeResize(Eigen::Index(f.limit), Eigen::NoChange);
      d.y.conservativeResize(Eigen::Index(f.limit));
    }
    d.source = f.data;
    // A file's labels: classes if they are few integers, else a regression target.
    std::map<double, int> values;
    bool integral = true;
    for (Eigen::Index i = 0; i < d.y.size(); ++i) {
      values.emplace(d.y[i], 0);
      integral = integral && d.y[i] == std::floor(d.y[i]);
    }
    if (integral && values.size() >= 2 && values.size() <= 100) {
      int k = 0;
      for (auto& v : values) v.second = k++;
      for (Eigen::Index i = 0; i < d.y.size(); ++i) d.y[i] = values[d.y[i]];
      d.classes = k;
    }
  }
  const data::Standardizer sc(feats);
  d.x.resize(feats.rows(), feats.cols() + 1);
  d.x.leftCols(feats.cols()) = sc.transform(feats);
  d.x.col(feats.cols()).setOnes();
  return d;
}

std::unique_ptr<TargetLoss> make_loss(const SsoFlags& f, const Loaded& d, Eigen::Index& outputs) {
  if (f.loss == "logistic") {
    if (d.classes != 2)
      throw Error("--loss logistic needs two classes; " + f.data + " has " +
                  (d.classes ? std::to_string(d.classes) : std::string("a continuous target")));
    outputs = 1;
    return std::make_unique<LogisticLoss>(d.y);
  }
  if (f.loss == "ce") {
    if (d.classes < 2) throw Error("--loss ce needs class labels");
    outputs = d.classes;
    return std::make_unique<CrossEntropyLoss>(d.y, d.classes);
  }
  // mse: one-hot targets for classes, the standardised target for regression.
  std::shared_ptr<Eigen::MatrixXd> t;
  if (d.classes >= 2) {
    t = std::make_shared<Eigen::MatrixXd>(Eigen::MatrixXd::Zero(d.y.size(), d.classes));
    for (Eigen::Index i = 0; i < d.y.size(); ++i) (*t)(i, Eigen::Index(d.y[i])) = 1.0;
  } else {
    const double mean = d.y.mean();
    const double sd = std::sqrt((d.y.array() - mean).square().mean());
    t = std::make_shared<Eigen::MatrixXd>((d.y.array() - mean) / (sd > 0 ? sd : 1.0));
  }
  outputs = t->cols();
  return std::make_unique<SquaredLoss>(t);
}

std::unique_ptr<TargetModel> make_model(const std::string& spec,
                                        std::shared_ptr<const Eigen::MatrixXd> x,
                                        Eigen::Index outputs) {
  if (spec == "linear") return std::make_unique<LinearModel>(x, outputs);
  if (is_mlp_spec(spec)) {
    // The shared grammar (core/model_spec.hpp); the Eigen model has one hidden layer.
    const MlpSpec m = parse_mlp_spec(spec, x->cols(), outputs);
    if (m.hidden_layers() != 1)
      throw InvalidOption("model", "'" + spec + "': sso's MLP has one hidden layer (mlp:H)");
    const auto act =
        m.activation == "tanh" ? MlpModel::Activation::tanh : MlpModel::Activation::relu;
    return std::make_unique<MlpModel>(x, m.widths[1], outputs, act);
  }
  throw Error("unknown --model '" + spec + "' (expected linear or mlp:H[,relu|tanh])");
}

int run_sso(const SsoFlags& f, const Globals& g) {
  const Loaded d = load(f);
  auto x = std::make_shared<const Eigen::MatrixXd>(d.x);
  Eigen::Index outputs = 1;
  const auto loss = make_loss(f, d, outputs);
  const auto model = make_model(f.model, x, outputs);
  if (f.batch < 1 || Eigen::Index(f.batch) > model->samples())
    throw Error("--batch must lie in [1, " + std::to_string(model->samples()) + "]");
  TrainOptions to;
  to.batch_size = f.batch;
  to.seed = g.seed;
  // Checked here, not replaced: --eta 0 / -3 / nan used to fall back to the default, and
  // --epochs 1e30 overflowed to a single step.
  if (f.eta_opt && f.eta_opt->count() > 0) check::positive("--eta", f.eta);
  if (f.steps == 0) check::positive("--epochs", f.epochs);
  const double wanted = f.epochs * double(model->samples()) / double(f.batch);
  constexpr double kMaxOuterSteps = 1e9;
  if (f.steps == 0 && std::ceil(wanted) > kMaxOuterSteps)
    throw InvalidOption("--epochs", check::show(f.epochs) + " epochs are " +
                                        check::show(std::ceil(wanted)) +
                                        " outer steps, above the limit of 1e9");
  to.outer_steps = f.steps > 0 ? f.steps : std::max<std::size_t>(1, std::size_t(std::ceil(wanted)));
  to.eval_every = std::max<std::size_t>(1, to.outer_steps / 50);

  const double eta =
      f.eta_opt && f.eta_opt->count() > 0 ? f.eta : double(f.batch) / loss->sample_smoothness();
  std::unique_ptr<InnerOptimizer> inner;
  std::unique_ptr<Stepper> stepper;
  if (f.method == "sso") {
    if (f.inner == "sgd")
      inner = std::make_unique<InnerSgd>(f.lr);
    else if (f.inner == "adam")
      inner = std::make_unique<InnerAdam>(AdamOptions{.lr = f.lr});
    else
      inner = std::make_unique<InnerArmijo>();
    SsoOptions so;
    so.eta = eta;
    so.inner_steps = f.inner_steps;
    so.schedule = eta_schedule_from_string(f.schedule);
    so.total_steps = to.outer_steps;
    so.line_search.enabled = f.target_line_search;
    stepper = std::make_unique<Sso>(*model, *loss, *inner, so);
  } else {
    DirectOptions o;
    o.method = f.method == "sgd"    ? DirectMethod::sgd
               : f.method == "adam" ? DirectMethod::adam
                                    : DirectMethod::sls;
    o.step_size = f.lr;
    o.adam.lr = f.lr;
    stepper = std::make_unique<DirectStepper>(*model, *loss, o);
  }
  Eigen::VectorXd theta = model->initial_parameters(g.seed);
  const Summary s = train(*stepper, *model, *loss, theta, to, make_callbacks(f.run, g));
  const auto c = [&](const char* k) { return s.counters.at(k); };
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    j["data"] = d.source;
    j["model"] = model->name();
    j["loss"] = loss->name();
    j["eta"] = f.method == "sso" ? nlohmann::json(eta) : nlohmann::json(nullptr);
    j["batch"] = f.batch;
    print_json(j);
  } else {
    std::printf("%s, %s model (%ld parameters), %s loss, %ld samples\n", d.source.c_str(),
                model->name().c_str(), long(model->parameters()), loss->name().c_str(),
                long(model->samples()));
    std::printf("%s: %s\n", s.method.c_str(), s.brief().c_str());
    if (f.method == "sso") std::printf("  eta (target step)    %g (%s)\n", eta, f.schedule.c_str());
    std::printf("  training loss        %.6g (start %.6g)\n", s.objective,
                s.history.front().objective);
    std::printf("  expensive / cheap    %.0f target gradients / %.0f model passes\n",
                c("expensive_evaluations"), c("cheap_evaluations"));
    std::printf("  inner steps          %.0f, loss values %.0f, %.3g s\n", c("inner_steps"),
                c("loss_value_evaluations"), s.seconds);
  }
  return exit_code(s.status, Goal::budget);
}

const MethodRegistrar sso_method(
    {"sso", "surrogate", "descent sso --inner-steps m",
     "Lavington, Vaswani et al., Target-based Surrogates for Stochastic Optimization, ICML 2023",
     "Outer step in target space, m cheap inner steps on a surrogate (Eigen and LibTorch)"});

const CommandRegistrar registrar("sso", [](CLI::App& app, Globals& g) {
  auto f = std::make_shared<SsoFlags>();
  auto* cmd = app.add_subcommand(
      "sso", "Target-based surrogate optimisation (SSO) and SGD/Adam/SLS on a data set");
  cmd->add_option("--data", f->data,
                  "Data set name (breast-cancer, digits, mnist-10k, fashion-mnist, ...), a "
                  "LIBSVM file or a CSV with the label last")
      ->capture_default_str();
  cmd->add_option("--model", f->model, "linear | mlp:H[,relu|tanh]")->capture_default_str();
  cmd->add_option("--loss", f->loss, "logistic | ce | mse")
      ->check(CLI::IsMember({"logistic", "ce", "mse"}))
      ->capture_default_str();
  cmd->add_option("--method", f->method, "sso | sgd | adam | sls")
      ->check(CLI::IsMember({"sso", "sgd", "adam", "sls"}))
      ->capture_default_str();
  cmd->add_option("--inner", f->inner, "Inner optimiser: armijo | sgd | adam")
      ->check(CLI::IsMember({"armijo", "sgd", "adam"}))
      ->capture_default_str();
  cmd->add_option("--inner-steps,-m", f->inner_steps, "m, inner steps per outer step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  f->eta_opt = cmd->add_option(
      "--eta", f->eta,
      "Target step (paper convention; default batch / L_z, the majorisation bound)");
  cmd->add_option("--schedule", f->schedule, "constant | stochastic | exponential")
      ->check(CLI::IsMember({"constant", "stochastic", "exponential"}))
      ->capture_default_str();
  cmd->add_flag("--target-line-search", f->target_line_search,
                "Choose eta by Armijo in target space each outer step");
  cmd->add_option("--lr", f->lr, "Inner SGD/Adam step, or the baseline's step")
      ->capture_default_str();
  cmd->add_option("--batch", f->batch, "Batch size")->capture_default_str();
  cmd->add_option("--epochs", f->epochs, "Passes over the data (ignored with --steps)")
      ->capture_default_str();
  cmd->add_option("--steps", f->steps, "Outer steps (= expensive evaluations)");
  cmd->add_option("--limit", f->limit, "Use only the first N samples");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_sso(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
