// GBNN model files (JSON).
#include "descent/boost/model_file.hpp"

#include <cmath>
#include <limits>

#include "descent/core/error.hpp"
#include "descent/io/json.hpp"

namespace descent::boost {

using Json = nlohmann::json;

Eigen::MatrixXd BoostModel::prepare(const Eigen::MatrixXd& x) const {
  if (feature_mean.size() == 0) return x;
  if (x.cols() != feature_mean.size())
    throw Error("BoostModel: expected " + std::to_string(feature_mean.size()) +
                " feature columns, got " + std::to_string(x.cols()));
  return (x.rowwise() - feature_mean).array().rowwise() / feature_scale.array();
}

double BoostModel::label_of(double class_index) const {
  if (class_values.empty()) return class_index;
  return class_values.at(static_cast<std::size_t>(class_index));
}

namespace {

Json rows_of(const Eigen::MatrixXd& m) {
  Json out = Json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    Json row = Json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j));
    out.push_back(std::move(row));
  }
  return out;
}

template <class V>
Json list_of(const V& v) {
  Json out = Json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) out.push_back(v[i]);
  return out;
}

// Field access that names the file and the field when the content is not what save_model wrote.
struct Reader {
  const std::string& file;
  [[noreturn]] void fail(const std::string& field, const std::string& why) const {
    throw InputError(file, 0, field, why);
  }
  const Json& at(const Json& j, const std::string& key, const std::string& where) const {
    if (!j.is_object() || !j.contains(key)) fail(where + key, "missing");
    return j.at(key);
  }
  double number(const Json& j, const std::string& field) const {
    if (!j.is_number()) fail(field, "expected a number");
    const double v = j.get<double>();
    if (!std::isfinite(v)) fail(field, "not finite");
    return v;
  }
  // A count stored as a JSON number: a whole number in [0, INT_MAX] (casting a larger double to
  // int was undefined behaviour; found by fuzzing: max_iter = 1.4e129).
  int count(const Json& j, const std::string& field) const {
    const double v = number(j, field);
    if (v != std::floor(v) || v < 0 || v > double(std::numeric_limits<int>::max()))
      fail(field, "expected a whole number in [0, 2^31 - 1], got " + j.dump());
    return static_cast<int>(v);
  }
  // A seed is read as the integer it was written as (a double would round seeds above 2^53).
  std::uint64_t seed(const Json& j, const std::string& field) const {
    if (j.is_number_unsigned()) return j.get<std::uint64_t>();
    if (j.is_number_integer() && j.get<std::int64_t>() >= 0)
      return static_cast<std::uint64_t>(j.get<std::int64_t>());
    fail(field, "expected a whole number >= 0, got " + j.dump());
  }
  Eigen::VectorXd vector(const Json& j, const std::string& field) const {
    if (!j.is_array()) fail(field, "expected a list of numbers");
    Eigen::VectorXd v(static_cast<Eigen::Index>(j.size()));
    for (std::size_t i = 0; i < j.size(); ++i)
      v[Eigen::Index(i)] = number(j[i], field + "[" + std::to_string(i) + "]");
    return v;
  }
  Eigen::MatrixXd matrix(const Json& j, const std::string& field) const {
    if (!j.is_array() || j.empty()) fail(field, "expected a non-empty list of rows");
    const std::size_t cols = j[0].is_array() ? j[0].size() : 0;
    Eigen::MatrixXd m(static_cast<Eigen::Index>(j.size()), static_cast<Eigen::Index>(cols));
    for (std::size_t i = 0; i < j.size(); ++i) {
      const Eigen::VectorXd row = vector(j[i], field + "[" + std::to_string(i) + "]");
      if (static_cast<std::size_t>(row.size()) != cols || cols == 0)
        fail(field, "rows of different lengths");
      m.row(Eigen::Index(i)) = row.transpose();
    }
    return m;
  }
  std::string string(const Json& j, const std::string& field) const {
    if (!j.is_string()) fail(field, "expected a string");
    return j.get<std::string>();
  }
};

Json options_json(const GbnnOptions& o) {
  return Json{{"total_units", o.total_units},
              {"units_per_round", o.units_per_round},
              {"eta", o.eta},
              {"subsample", o.subsample},
              {"activation", std::string(to_string(o.activation))},
              {"alpha", o.alpha},
              {"max_iter", o.max_iter},
              {"max_fun", o.max_fun},
              {"tol", o.tol},
              {"regression_step", std::string(to_string(o.regression_step))},
              {"seed", o.seed}};
}

}  // namespace

Json network_to_json(const Mlp& net, const std::string& output) {
  return Json{{"format", "descent-mlp"},
              {"version", 1},
              {"activation", std::string(to_string(net.activation))},
              {"output", output},
              {"w1", rows_of(net.w1)},
              {"b1", list_of(net.b1)},
              {"w2", rows_of(net.w2)},
              {"b2", list_of(net.b2)}};
}

Mlp network_from_json(const Json& j, const std::string& file) {
  const Reader r{file};
  Mlp m;
  try {
    m.activation = activation_from_string(r.string(r.at(j, "activation", ""), "activation"));
  } catch (const InvalidOption& e) {
    r.fail("activation", e.reason());
  }
  m.w1 = r.matrix(r.at(j, "w1", ""), "w1");
  m.b1 = r.vector(r.at(j, "b1", ""), "b1");
  m.w2 = r.matrix(r.at(j, "w2", ""), "w2");
  m.b2 = r.vector(r.at(j, "b2", ""), "b2");
  if (m.b1.size() != m.w1.rows() || m.w2.cols() != m.w1.rows() || m.b2.size() != m.w2.rows())
    r.fail("w2", "layer shapes disagree (w1 " + std::to_string(m.w1.rows()) + "×" +
                     std::to_string(m.w1.cols()) + ", w2 " + std::to_string(m.w2.rows()) + "×" +
                     std::to_string(m.w2.cols()) + ")");
  return m;
}

void save_model(const std::string& path, const BoostModel& m) {
  const Gbnn& g = m.gbnn;
  Json rounds = Json::array();
  for (int t = 0; t < g.rounds(); ++t) {
    const Mlp& h = g.learners()[std::size_t(t)];
    rounds.push_back(Json{{"rho", g.rhos()[std::size_t(t)]},
                          {"w1", rows_of(h.w1)},
                          {"b1", list_of(h.b1)},
                          {"w2", rows_of(h.w2)},
                          {"b2", list_of(h.b2)}});
  }
  Json j{{"format", "descent-gbnn"},
         {"version", 1},
         {"task", std::string(to_string(g.task()))},
         {"classes", g.classes()},
         {"class_values", m.class_values},
         {"target", m.target_name},
         {"features", m.feature_names},
         {"inputs", g.inputs()},
         {"activation", std::string(to_string(m.options.activation))},
         {"options", options_json(m.options)},
         {"initial", list_of(g.initial())},
         {"rounds", std::move(rounds)},
         {"train_loss", g.train_losses()},
         {"data", m.data_source}};
  j["standardize"] = m.feature_mean.size() == 0 ? Json(nullptr)
                                                : Json{{"mean", list_of(m.feature_mean)},
                                                       {"scale", list_of(m.feature_scale)}};
  io::write_json(path, j, 1);
}

BoostModel load_model(const std::string& path) {
  const Json j = io::read_json(path);
  const Reader r{path};
  if (!j.is_object() || !j.contains("format") || j["format"] != "descent-gbnn")
    r.fail("format", "not a descent GBNN model (expected \"format\": \"descent-gbnn\")");
  if (!j.contains("version") || j["version"] != 1)
    r.fail("version", "unsupported version (this descent reads version 1)");
  BoostModel m;
  Task task = Task::regression;
  try {
    task = task_from_string(r.string(r.at(j, "task", ""), "task"));
  } catch (const InvalidOption& e) {
    r.fail("task", e.reason());
  }
  const Json& cls = r.at(j, "classes", "");
  if (!cls.is_number_integer()) r.fail("classes", "expected an integer");
  const int classes = cls.get<int>();
  const Eigen::VectorXd values = r.vector(r.at(j, "class_values", ""), "class_values");
  m.class_values.assign(values.data(), values.data() + values.size());
  if (task != Task::regression && !m.class_values.empty() &&
      m.class_values.size() != static_cast<std::size_t>(classes))
    r.fail("class_values", "expected " + std::to_string(classes) + " labels");
  m.target_name = r.string(r.at(j, "target", ""), "target");
  const Json& feats = r.at(j, "features", "");
  if (!feats.is_array()) r.fail("features", "expected a list of names");
  for (std::size_t i = 0; i < feats.size(); ++i)
    m.feature_names.push_back(r.string(feats[i], "features[" + std::to_string(i) + "]"));
  Activation act = Activation::logistic;
  try {
    act = activation_from_string(r.string(r.at(j, "activation", ""), "activation"));
  } catch (const InvalidOption& e) {
    r.fail("activation", e.reason());
  }
  const Json& opt = r.at(j, "options", "");
  m.options.activation = act;
  m.options.total_units = r.count(r.at(opt, "total_units", "options."), "options.total_units");
  m.options.units_per_round =
      r.count(r.at(opt, "units_per_round", "options."), "options.units_per_round");
  m.options.eta = r.number(r.at(opt, "eta", "options."), "options.eta");
  m.options.subsample = r.number(r.at(opt, "subsample", "options."), "options.subsample");
  m.options.alpha = r.number(r.at(opt, "alpha", "options."), "options.alpha");
  m.options.max_iter = r.count(r.at(opt, "max_iter", "options."), "options.max_iter");
  m.options.max_fun = r.count(r.at(opt, "max_fun", "options."), "options.max_fun");
  m.options.tol = r.number(r.at(opt, "tol", "options."), "options.tol");
  m.options.seed = r.seed(r.at(opt, "seed", "options."), "options.seed");
  try {
    m.options.regression_step = regression_step_from_string(
        r.string(r.at(opt, "regression_step", "options."), "options.regression_step"));
  } catch (const InvalidOption& e) {
    r.fail("options.regression_step", e.reason());
  }

  const Eigen::VectorXd initial = r.vector(r.at(j, "initial", ""), "initial");
  const Json& rounds = r.at(j, "rounds", "");
  if (!rounds.is_array() || rounds.empty()) r.fail("rounds", "expected a non-empty list");
  std::vector<Mlp> learners;
  std::vector<double> rhos;
  for (std::size_t t = 0; t < rounds.size(); ++t) {
    const std::string at = "rounds[" + std::to_string(t) + "].";
    const Json& rt = rounds[t];
    Mlp h;
    h.activation = act;
    h.w1 = r.matrix(r.at(rt, "w1", at), at + "w1");
    h.b1 = r.vector(r.at(rt, "b1", at), at + "b1");
    h.w2 = r.matrix(r.at(rt, "w2", at), at + "w2");
    h.b2 = r.vector(r.at(rt, "b2", at), at + "b2");
    if (h.b1.size() != h.w1.rows() || h.w2.cols() != h.w1.rows() || h.b2.size() != h.w2.rows())
      r.fail(at + "w2", "layer shapes disagree");
    learners.push_back(std::move(h));
    rhos.push_back(r.number(r.at(rt, "rho", at), at + "rho"));
  }
  const Eigen::VectorXd losses = r.vector(r.at(j, "train_loss", ""), "train_loss");
  try {
    m.gbnn =
        Gbnn::from_parts(task, classes, initial.transpose(), std::move(learners), std::move(rhos),
                         std::vector<double>(losses.data(), losses.data() + losses.size()));
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    r.fail("rounds", e.what());
  }
  const Json& inputs = r.at(j, "inputs", "");
  if (!inputs.is_number_integer() || inputs.get<long>() != m.gbnn.inputs())
    r.fail("inputs", "does not match the learners' input width " + std::to_string(m.gbnn.inputs()));
  if (!m.feature_names.empty() &&
      m.feature_names.size() != static_cast<std::size_t>(m.gbnn.inputs()))
    r.fail("features", "expected " + std::to_string(m.gbnn.inputs()) + " names");
  const Json& st = r.at(j, "standardize", "");
  if (!st.is_null()) {
    m.feature_mean = r.vector(r.at(st, "mean", "standardize."), "standardize.mean").transpose();
    m.feature_scale = r.vector(r.at(st, "scale", "standardize."), "standardize.scale").transpose();
    if (m.feature_mean.size() != m.gbnn.inputs() || m.feature_scale.size() != m.gbnn.inputs())
      r.fail("standardize", "expected " + std::to_string(m.gbnn.inputs()) + " entries");
    if ((m.feature_scale.array() <= 0.0).any()) r.fail("standardize.scale", "must be > 0");
  }
  if (j.contains("data") && j["data"].is_string()) m.data_source = j["data"].get<std::string>();
  return m;
}

}  // namespace descent::boost
