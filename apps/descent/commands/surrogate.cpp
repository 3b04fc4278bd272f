// `descent sso`: target-based surrogate optimisation (and its baselines) on a data set.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "cli.hpp"
#include "descent/core/error.hpp"
#include "descent/core/model_spec.hpp"
#include "descent/core/options.hpp"
#include "descent/data/datasets.hpp"
#include "descent/io/csv.hpp"
#include "descent/io/json.hpp"
#include "descent/io/libsvm.hpp"
#include "descent/surrogate/methods.hpp"
#include "method_flags.hpp"

namespace descent::cli {
namespace {

using namespace descent::surrogate;

// Method options (--inner, --inner-steps, --eta, --schedule, --lr, --batch, --steps, --set)
// are set only when given: surrogate::methods() holds the defaults.
struct SsoFlags {
  std::string data = "breast-cancer";
  std::string model = "linear";
  std::string loss = "logistic";
  std::string method = "sso";
  bool target_line_search = false;
  double epochs = 5;
  std::size_t limit = 0;
  MethodFlags options;
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

int run_sso(SsoFlags& f, const Globals& g) {
  const Loaded d = load(f);
  auto x = std::make_shared<const Eigen::MatrixXd>(d.x);
  Eigen::Index outputs = 1;
  const auto loss = make_loss(f, d, outputs);
  const auto model = make_model(f.model, x, outputs);
  const auto& method = surrogate::methods().at(f.method);
  const std::vector<OptionDoc> docs = method.options();
  if (f.target_line_search) {
    f.options.settings.set("target_line_search", "true");
    f.options.flag["target_line_search"] = "--target-line-search";
  }
  // --lr is the step of whichever method runs: sso's inner lr, SGD's step_size, Adam's adam.lr.
  alias_setting(f.options, docs, "lr", {"step_size", "adam.lr"});
  Settings settings = settings_for(f.options, docs, f.method);
  // The loop's own options, read here for the batch and the budget (the rest are the method's).
  const TrainOptions train = naming_flags(f.options, [&] {
    TrainOptions t;
    OptionFields read(settings);
    t.fields(read);
    return t;
  });
  const double batch = double(train.batch_size);
  if (!(batch >= 1 && batch <= double(model->samples())))
    throw InvalidOption("--batch", "must lie in [1, " + std::to_string(model->samples()) + "]");
  // --epochs gives the outer steps unless --steps does (checked, never replaced: --epochs 1e30
  // used to overflow to a single step).
  std::size_t steps = train.outer_steps;
  if (!settings.find("outer_steps")) {
    check::positive("--epochs", f.epochs);
    const double wanted = std::ceil(f.epochs * double(model->samples()) / batch);
    constexpr double kMaxOuterSteps = 1e9;
    if (wanted > kMaxOuterSteps)
      throw InvalidOption("--epochs", check::show(f.epochs) + " epochs are " + check::show(wanted) +
                                          " outer steps, above the limit of 1e9");
    steps = std::max<std::size_t>(1, std::size_t(wanted));
    settings.set("outer_steps", std::to_string(steps));
  }
  // About 50 evaluated rows per run (each costs a full pass over the data).
  if (!settings.find("eval_every"))
    settings.set("eval_every", std::to_string(std::max<std::size_t>(1, steps / 50)));
  settings.set("seed", std::to_string(g.seed));
  const bool sso = takes(docs, "eta");
  const std::optional<double> given_eta =
      sso ? typed_setting<std::optional<double>>(f.options, settings, docs, "eta") : std::nullopt;
  const double eta = given_eta.value_or(batch / loss->sample_smoothness());

  Eigen::VectorXd theta = model->initial_parameters(g.seed);
  const Summary s = naming_flags(f.options, [&] {
    return method.run(*model, *loss, theta, settings, make_callbacks(f.run, g));
  });
  const auto c = [&](const char* k) { return s.counters.at(k); };
  if (g.json) {
    nlohmann::json j = io::to_json(s);
    j["data"] = d.source;
    j["model"] = model->name();
    j["loss"] = loss->name();
    j["eta"] = sso ? nlohmann::json(eta) : nlohmann::json(nullptr);
    j["batch"] = std::size_t(batch);
    print_json(j);
  } else {
    std::printf("%s, %s model (%ld parameters), %s loss, %ld samples\n", d.source.c_str(),
                model->name().c_str(), long(model->parameters()), loss->name().c_str(),
                long(model->samples()));
    std::printf("%s: %s\n", s.method.c_str(), s.brief().c_str());
    if (sso)
      std::printf("  eta (target step)    %g (%s)\n", eta,
                  setting_or_default(settings, docs, "schedule").c_str());
    if (!s.history.empty())
      std::printf("  training loss        %.6g (start %.6g)\n", s.objective,
                  s.history.front().objective);
    std::printf("  expensive / cheap    %.0f target gradients / %.0f model passes\n",
                c("expensive_evaluations"), c("cheap_evaluations"));
    std::printf("  inner steps          %.0f, loss values %.0f, %.3g s\n", c("inner_steps"),
                c("loss_value_evaluations"), s.seconds);
  }
  return exit_code(s.status, Goal::budget);
}

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
  add_method_flag(cmd, f->method, surrogate::methods());
  const OptionFlagAdder option{cmd, f->options, registry_docs(surrogate::methods())};
  option("--inner", "inner", "Inner optimiser: armijo | sgd | adam");
  option("--inner-steps,-m", "inner_steps", "m, inner steps per outer step");
  option("--eta", "eta",
         "Target step (paper convention; auto = batch / L_z, the majorisation bound)");
  option("--schedule", "schedule", "constant | stochastic | exponential");
  cmd->add_flag("--target-line-search", f->target_line_search,
                "Choose eta by Armijo in target space each outer step");
  option("--lr", "lr", "Inner SGD/Adam step (sso), or the baseline's step (sgd, adam)");
  option("--batch", "batch_size", "Batch size");
  cmd->add_option("--epochs", f->epochs, "Passes over the data (ignored with --steps)")
      ->capture_default_str();
  option("--steps", "outer_steps", "Outer steps (= expensive evaluations)");
  cmd->add_option("--limit", f->limit, "Use only the first N samples");
  add_set_flag(cmd, f->options, "surrogate");
  add_run_flags(cmd, f->run);
  return Command{cmd, [f, &g] { return run_sso(*f, g); }};
});

}  // namespace
}  // namespace descent::cli
