// GBNN fitting, staged prediction and merging; the equations are in the header.
#include "descent/boost/gbnn.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace descent::boost {

std::string_view to_string(Task t) noexcept {
  switch (t) {
    case Task::regression:
      return "regression";
    case Task::binary:
      return "binary";
    case Task::multiclass:
      return "multiclass";
  }
  return "?";
}

std::string_view to_string(RegressionStep s) noexcept {
  return s == RegressionStep::unit ? "unit" : "newton";
}

RegressionStep regression_step_from_string(std::string_view name) {
  if (name == "newton") return RegressionStep::newton;
  if (name == "unit") return RegressionStep::unit;
  throw InvalidOption("regression_step", "unknown '" + std::string(name) + "' (newton, unit)");
}

Task task_from_string(std::string_view name) {
  if (name == "regression" || name == "regress") return Task::regression;
  if (name == "binary") return Task::binary;
  if (name == "multiclass") return Task::multiclass;
  throw InvalidOption("task", "unknown '" + std::string(name) + "' (regress, binary, multiclass)");
}

void GbnnOptions::validate() const {
  if (total_units < 1) throw InvalidOption("total_units", "must be >= 1");
  if (units_per_round < 1) throw InvalidOption("units_per_round", "must be >= 1");
  if (total_units % units_per_round != 0)
    throw InvalidOption("units_per_round",
                        "must divide total_units (" + std::to_string(total_units) + ")");
  if (!(eta > 0.0) || !std::isfinite(eta)) throw InvalidOption("eta", "must be finite and > 0");
  if (!(subsample > 0.0 && subsample <= 1.0))
    throw InvalidOption("subsample", "must lie in (0, 1]");
  if (!(alpha >= 0.0) || !std::isfinite(alpha)) throw InvalidOption("alpha", "must be >= 0");
  if (max_iter < 1) throw InvalidOption("max_iter", "must be >= 1");
  if (max_fun < 1) throw InvalidOption("max_fun", "must be >= 1");
  if (!(tol >= 0.0) || !std::isfinite(tol)) throw InvalidOption("tol", "must be >= 0");
}

namespace {

// ±1 labels of the binary loss: class 1 -> +1, class 0 -> −1.
Eigen::ArrayXd signed_labels(const Eigen::VectorXd& y) {
  return 2.0 * y.array() - 1.0;
}

// log(1 + e^{−z}) without overflow.
double softplus_neg(double z) {
  return std::max(-z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

double log_sum_exp(const Eigen::RowVectorXd& f) {
  const double m = f.maxCoeff();
  return m + std::log((f.array() - m).exp().sum());
}

}  // namespace

Eigen::MatrixXd one_hot(const Eigen::VectorXd& y, Eigen::Index classes) {
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(y.size(), classes);
  for (Eigen::Index i = 0; i < y.size(); ++i) out(i, static_cast<Eigen::Index>(y[i])) = 1.0;
  return out;
}

Eigen::Index score_columns(Task task, int classes) {
  return task == Task::multiclass ? classes : 1;
}

Eigen::RowVectorXd initial_score(Task task, const Eigen::VectorXd& y, int classes) {
  switch (task) {
    case Task::regression:
      return Eigen::RowVectorXd::Constant(1, y.mean());
    case Task::binary: {
      const double ybar = signed_labels(y).mean();
      return Eigen::RowVectorXd::Constant(1, 0.5 * std::log((1.0 + ybar) / (1.0 - ybar)));
    }
    case Task::multiclass: {
      // The official code starts from F₀ = 0, which minimises the loss among constants only
      // for balanced classes; the paper's "loss-minimising constant" is the log class prior
      // (centred: the loss does not change when a constant is added to every output). A class
      // without training rows gets half a row's prior instead of −∞.
      Eigen::RowVectorXd counts = Eigen::RowVectorXd::Zero(classes);
      for (Eigen::Index i = 0; i < y.size(); ++i) counts[static_cast<Eigen::Index>(y[i])] += 1.0;
      Eigen::RowVectorXd f0 = counts.cwiseMax(0.5).array().log().matrix();
      return f0.array() - f0.mean();
    }
  }
  return {};
}

Eigen::MatrixXd pseudo_residual(Task task, const Eigen::VectorXd& y, const Eigen::MatrixXd& f) {
  switch (task) {
    case Task::regression:
      return y - f.col(0);
    case Task::binary: {
      const Eigen::ArrayXd s = signed_labels(y);
      return (2.0 * s / (1.0 + (2.0 * s * f.col(0).array()).exp())).matrix();
    }
    case Task::multiclass:
      return one_hot(y, f.cols()) - softmax_rows(f);
  }
  return {};
}

double newton_step(Task task, const Eigen::VectorXd& y, const Eigen::MatrixXd& f,
                   const Eigen::MatrixXd& h) {
  switch (task) {
    case Task::regression: {
      // Σ r h / Σ h²: 1 exactly when h is the least-squares fit of r on all rows.
      const double den = h.col(0).squaredNorm();
      return den > 0.0 ? (y - f.col(0)).dot(h.col(0)) / den : 0.0;
    }
    case Task::binary: {
      const Eigen::ArrayXd r = pseudo_residual(task, y, f).col(0).array();
      const Eigen::ArrayXd hv = h.col(0).array();
      const double den = (r.abs() * (2.0 - r.abs()) * hv.square()).sum();
      return den > 0.0 ? (r * hv).sum() / den : 0.0;
    }
    case Task::multiclass: {
      const Eigen::ArrayXXd p = softmax_rows(f).array();
      const Eigen::ArrayXXd r = one_hot(y, f.cols()).array() - p;
      const double den = (h.array().square() * p * (1.0 - p)).sum();
      return den > 0.0 ? (h.array() * r).sum() / den : 0.0;
    }
  }
  return 0.0;
}

double mean_loss(Task task, const Eigen::VectorXd& y, const Eigen::MatrixXd& f) {
  const double n = double(y.size());
  switch (task) {
    case Task::regression:
      return 0.5 * (y - f.col(0)).squaredNorm() / n;
    case Task::binary: {
      const Eigen::ArrayXd s = signed_labels(y);
      double total = 0.0;
      for (Eigen::Index i = 0; i < y.size(); ++i) total += softplus_neg(2.0 * s[i] * f(i, 0));
      return total / n;
    }
    case Task::multiclass: {
      double total = 0.0;
      for (Eigen::Index i = 0; i < y.size(); ++i)
        total += log_sum_exp(f.row(i)) - f(i, static_cast<Eigen::Index>(y[i]));
      return total / n;
    }
  }
  return 0.0;
}

Gbnn Gbnn::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, Task task, int classes,
               const GbnnOptions& o, const RoundCallback& on_round) {
  o.validate();
  const Eigen::Index n = x.rows();
  if (n < 1 || x.cols() < 1) throw Error("Gbnn::fit: need at least one row and one feature");
  if (y.size() != n)
    throw Error("Gbnn::fit: " + std::to_string(n) + " rows but " + std::to_string(y.size()) +
                " targets");
  if (!x.allFinite() || !y.allFinite()) throw Error("Gbnn::fit: features or targets not finite");
  if (task == Task::regression) {
    classes = 0;
  } else {
    if (task == Task::binary && classes != 2)
      throw Error("Gbnn::fit: the binary task needs classes = 2, got " + std::to_string(classes));
    if (task == Task::multiclass && classes < 2)
      throw Error("Gbnn::fit: the multiclass task needs classes >= 2");
    for (Eigen::Index i = 0; i < n; ++i)
      if (y[i] < 0 || y[i] >= classes || y[i] != std::floor(y[i]))
        throw Error("Gbnn::fit: target " + std::to_string(y[i]) + " of row " + std::to_string(i) +
                    " is not a class index in [0, " + std::to_string(classes) + ")");
    if (task == Task::binary && (y.minCoeff() == y.maxCoeff()))
      throw Error("Gbnn::fit: the training rows hold only one class");
  }

  Gbnn model;
  model.task_ = task;
  model.classes_ = classes;
  model.inputs_ = x.cols();
  model.f0_ = initial_score(task, y, classes);
  const Eigen::Index k = score_columns(task, classes);
  Eigen::MatrixXd f = model.f0_.replicate(n, 1);

  const int rounds = o.rounds();
  const auto sample_size =
      std::max<Eigen::Index>(1, static_cast<Eigen::Index>(std::floor(o.subsample * double(n))));
  LbfgsFitOptions weak;
  weak.alpha = o.alpha;
  weak.max_iter = o.max_iter;
  weak.max_fun = o.max_fun;
  weak.tol = o.tol;
  const auto start = std::chrono::steady_clock::now();
  Eigen::MatrixXd xs(sample_size, x.cols()), rs(sample_size, k);
  for (int t = 1; t <= rounds; ++t) {
    const Eigen::MatrixXd r = pseudo_residual(task, y, f);
    Rng rng = make_rng(o.seed, {0x6b22, static_cast<std::uint64_t>(t)});
    if (sample_size == n) {
      xs = x;
      rs = r;
    } else {
      const std::vector<Eigen::Index> perm = permutation(rng, n);
      for (Eigen::Index i = 0; i < sample_size; ++i) {
        xs.row(i) = x.row(perm[static_cast<std::size_t>(i)]);
        rs.row(i) = r.row(perm[static_cast<std::size_t>(i)]);
      }
    }
    Mlp h = glorot_mlp(x.cols(), o.units_per_round, k, o.activation, rng);
    const LbfgsResult fit = fit_squared_lbfgs(h, xs, rs, weak);
    const Eigen::MatrixXd hx = h.predict(x);
    const double rho =
        o.eta * (task == Task::regression && o.regression_step == RegressionStep::unit
                     ? 1.0
                     : newton_step(task, y, f, hx));
    Eigen::MatrixXd next = f + rho * hx;
    const double loss = mean_loss(task, y, next);
    if (!std::isfinite(rho) || !std::isfinite(loss)) {
      model.status_ = Status::diverged;
      break;
    }
    f.swap(next);
    model.learners_.push_back(std::move(h));
    model.rhos_.push_back(rho);
    model.train_losses_.push_back(loss);
    if (on_round) {
      RoundInfo info;
      info.round = t;
      info.rounds = rounds;
      info.rho = rho;
      info.train_loss = loss;
      info.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      info.lbfgs_iterations = fit.iterations;
      if (!on_round(info)) {
        model.status_ = t == rounds ? Status::converged : Status::stopped;
        break;
      }
    }
  }
  return model;
}

Eigen::MatrixXd Gbnn::raw(const Eigen::MatrixXd& x, int rounds) const {
  if (x.cols() != inputs_)
    throw Error("Gbnn: expected " + std::to_string(inputs_) + " feature columns, got " +
                std::to_string(x.cols()));
  const int upto = rounds < 0 ? this->rounds() : std::min(rounds, this->rounds());
  Eigen::MatrixXd f = f0_.replicate(x.rows(), 1);
  for (int t = 0; t < upto; ++t) f += rhos_[std::size_t(t)] * learners_[std::size_t(t)].predict(x);
  return f;
}

void Gbnn::staged_raw(const Eigen::MatrixXd& x,
                      const std::function<void(int, const Eigen::MatrixXd&)>& visit) const {
  if (x.cols() != inputs_)
    throw Error("Gbnn: expected " + std::to_string(inputs_) + " feature columns, got " +
                std::to_string(x.cols()));
  Eigen::MatrixXd f = f0_.replicate(x.rows(), 1);
  visit(0, f);
  for (int t = 0; t < rounds(); ++t) {
    f += rhos_[std::size_t(t)] * learners_[std::size_t(t)].predict(x);
    visit(t + 1, f);
  }
}

Eigen::MatrixXd Gbnn::probabilities(const Eigen::MatrixXd& f) const {
  switch (task_) {
    case Task::regression:
      throw Error("Gbnn::probabilities: a regression model has no classes");
    case Task::binary: {
      Eigen::MatrixXd p(f.rows(), 2);
      p.col(1) = (1.0 / (1.0 + (-2.0 * f.col(0).array()).exp())).matrix();
      p.col(0) = (1.0 - p.col(1).array()).matrix();
      return p;
    }
    case Task::multiclass:
      return softmax_rows(f);
  }
  return {};
}

Eigen::VectorXd Gbnn::decide(const Eigen::MatrixXd& f) const {
  Eigen::VectorXd out(f.rows());
  for (Eigen::Index i = 0; i < f.rows(); ++i) {
    switch (task_) {
      case Task::regression:
        out[i] = f(i, 0);
        break;
      case Task::binary:
        out[i] = f(i, 0) > 0.0 ? 1.0 : 0.0;
        break;
      case Task::multiclass: {
        Eigen::Index best = 0;
        f.row(i).maxCoeff(&best);
        out[i] = double(best);
        break;
      }
    }
  }
  return out;
}

Mlp Gbnn::to_network() const {
  const Eigen::Index k = f0_.size();
  Eigen::Index units = 0;
  for (const Mlp& h : learners_) units += h.hidden();
  Mlp net;
  net.activation = learners_.empty() ? Activation::logistic : learners_.front().activation;
  net.w1.resize(units, inputs_);
  net.b1.resize(units);
  net.w2.resize(k, units);
  net.b2 = f0_.transpose();
  Eigen::Index at = 0;
  for (std::size_t t = 0; t < learners_.size(); ++t) {
    const Mlp& h = learners_[t];
    net.w1.middleRows(at, h.hidden()) = h.w1;
    net.b1.segment(at, h.hidden()) = h.b1;
    net.w2.middleCols(at, h.hidden()) = rhos_[t] * h.w2;
    net.b2 += rhos_[t] * h.b2;
    at += h.hidden();
  }
  if (task_ == Task::binary) {  // σ(2F): the merged output is the logit 2F
    net.w2 *= 2.0;
    net.b2 *= 2.0;
  }
  return net;
}

Gbnn Gbnn::from_parts(Task task, int classes, Eigen::RowVectorXd initial, std::vector<Mlp> learners,
                      std::vector<double> rhos, std::vector<double> train_losses) {
  Gbnn m;
  m.task_ = task;
  m.classes_ = task == Task::regression ? 0 : classes;
  if (task == Task::binary && classes != 2) throw Error("Gbnn: a binary model has 2 classes");
  if (task == Task::multiclass && classes < 2) throw Error("Gbnn: multiclass needs >= 2 classes");
  const Eigen::Index k = score_columns(task, m.classes_);
  if (initial.size() != k)
    throw Error("Gbnn: the initial score has " + std::to_string(initial.size()) +
                " entries, expected " + std::to_string(k));
  if (learners.size() != rhos.size()) throw Error("Gbnn: one step size per learner expected");
  if (learners.empty()) throw Error("Gbnn: a model needs at least one learner");
  m.inputs_ = learners.front().inputs();
  for (const Mlp& h : learners)
    if (h.inputs() != m.inputs_ || h.outputs() != k || h.b1.size() != h.hidden() ||
        h.b2.size() != k)
      throw Error("Gbnn: the learners' shapes disagree");
  m.f0_ = std::move(initial);
  m.learners_ = std::move(learners);
  m.rhos_ = std::move(rhos);
  m.train_losses_ = std::move(train_losses);
  return m;
}

}  // namespace descent::boost
