#include "descent/offline_torch/run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/offline/encoding.hpp"

namespace descent::offline_torch {

DesignOptimizer design_optimizer_from_string(const std::string& s) {
  if (s == "grad") return DesignOptimizer::grad;
  if (s == "cmaes") return DesignOptimizer::cmaes;
  throw InvalidOption("optimizer", "must be grad or cmaes, got '" + s + "'");
}

std::string_view to_string(DesignOptimizer o) noexcept {
  return o == DesignOptimizer::grad ? "grad" : "cmaes";
}

void RunOptions::validate() const {
  surrogate.validate();
  train.validate();
  sharpness.validate();
  cmaes.validate();
  if (ensemble < 1) throw InvalidOption("ensemble", "must be >= 1");
  if (count < 1) throw InvalidOption("count", "must be >= 1");
  if (steps < 0) throw InvalidOption("steps", "must be >= 0");
  if (!(lr_scale > 0.0) || !std::isfinite(lr_scale))
    throw InvalidOption("lr_scale", "must be finite and > 0");
}

namespace {

torch::Tensor to_tensor(const Eigen::MatrixXd& m) {
  const Eigen::MatrixXf f = m.cast<float>();
  // Eigen is column-major: view as (cols × rows), transpose, and copy (clone: contiguous()
  // may return the view itself, e.g. for one column, which would outlive `f`).
  return torch::from_blob(const_cast<float*>(f.data()), {f.cols(), f.rows()}, torch::kFloat)
      .t()
      .clone(at::MemoryFormat::Contiguous);
}

Eigen::MatrixXd to_matrix(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kDouble).contiguous();
  Eigen::MatrixXd m(c.size(0), c.size(1));
  const double* p = c.data_ptr<double>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = p[i * m.cols() + j];
  return m;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Eigen::MatrixXd gradient_ascent(const ScoreFn& score, const Eigen::MatrixXd& start, int steps,
                                double lr) {
  torch::Tensor x = to_tensor(start);
  for (int s = 0; s < steps; ++s) {
    x.requires_grad_(true);
    const torch::Tensor g = torch::autograd::grad({score(x).sum()}, {x})[0];
    x = (x + lr * g).detach();
  }
  return to_matrix(x);
}

Eigen::MatrixXd cmaes_ascent(const ScoreFn& score, const Eigen::MatrixXd& start,
                             const offline::CmaesOptions& o) {
  std::vector<offline::Cmaes> runs;
  runs.reserve(std::size_t(start.rows()));
  for (Eigen::Index i = 0; i < start.rows(); ++i) {
    offline::CmaesOptions oi = o;
    oi.seed = derive_seed(o.seed, {std::uint64_t(i)});
    runs.emplace_back(start.row(i).transpose(), oi);
  }
  if (runs.empty()) return start;
  const Eigen::Index lambda = runs.front().population(), d = start.cols();
  Eigen::MatrixXd all(start.rows() * lambda, d);
  torch::NoGradGuard no_grad;
  for (int g = 0; g < o.iterations; ++g) {
    for (std::size_t r = 0; r < runs.size(); ++r)
      all.middleRows(Eigen::Index(r) * lambda, lambda) = runs[r].ask();
    const torch::Tensor v = score(to_tensor(all)).to(torch::kDouble).contiguous();
    const double* p = v.data_ptr<double>();
    for (std::size_t r = 0; r < runs.size(); ++r)
      runs[r].tell(Eigen::Map<const Eigen::VectorXd>(p + r * std::size_t(lambda), lambda));
  }
  Eigen::MatrixXd out(start.rows(), d);
  for (std::size_t r = 0; r < runs.size(); ++r)
    out.row(Eigen::Index(r)) = runs[r].best().transpose();
  return out;
}

RunResult run_offline(const offline::Task& task, const RunOptions& o, const RunCallback& on_epoch) {
  o.validate();
  const offline::DesignData& data = task.data;
  if (data.x.rows() < 2) throw Error("run_offline: the task has fewer than 2 designs");
  const offline::InputEncoding enc(task.space, data.x);
  const Eigen::MatrixXd inputs = enc.encode(data.x);
  const double y_mean = data.y.mean();
  double y_scale = std::sqrt((data.y.array() - y_mean).square().mean());
  if (!std::isfinite(y_mean) || !std::isfinite(y_scale))
    throw Error("run_offline: the target's values are too large to standardise");
  if (!(y_scale > 1e-12)) y_scale = 1.0;
  const Eigen::VectorXd yz = (data.y.array() - y_mean) / y_scale;
  const torch::Tensor x = to_tensor(inputs);
  const torch::Tensor y = to_tensor(yz).squeeze(1);

  RunResult res;
  std::vector<GaussianMlp> members;
  auto t0 = std::chrono::steady_clock::now();
  for (int m = 0; m < o.ensemble; ++m) {
    members.emplace_back(inputs.cols(), o.surrogate, derive_seed(o.seed, {0x6d, std::uint64_t(m)}));
    TrainOptions to = o.train;
    to.seed = derive_seed(o.seed, {0x7472, std::uint64_t(m)});
    SharpnessRegularizer reg(o.sharpness);
    res.training.push_back(train_surrogate(members.back(), x, y, to, reg, [&](const EpochLog& l) {
      return on_epoch ? on_epoch(m, l) : true;
    }));
    const TrainResult& tr = res.training.back();
    if (tr.status == Status::diverged) {
      res.status = tr.status;
      res.message = "surrogate " + std::to_string(m + 1) + ": " + tr.message;
      res.train_seconds = seconds_since(t0);
      return res;
    }
    // Stopped (a time limit, the user): optimise on what was trained so far.
    if (tr.status == Status::stopped) {
      res.status = Status::stopped;
      res.message = "surrogate " + std::to_string(m + 1) + " " + tr.message + "; ";
      break;
    }
  }
  res.train_seconds = seconds_since(t0);
  double hs = 0.0;
  for (const auto& tr : res.training) hs += tr.heldout_sharpness;
  res.heldout_sharpness = hs / double(res.training.size());

  // The top-k measured designs are the starting points.
  const Eigen::Index k = std::min<Eigen::Index>(o.count, data.x.rows());
  std::vector<Eigen::Index> order(std::size_t(data.y.size()));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](auto a, auto b) { return data.y[a] > data.y[b]; });
  Eigen::MatrixXd start(k, inputs.cols());
  for (Eigen::Index i = 0; i < k; ++i) start.row(i) = inputs.row(order[std::size_t(i)]);

  for (auto& m : members) m->eval();
  const ScoreFn score = [&](const torch::Tensor& xi) {
    return aggregate_mean(members, xi, o.aggregation);
  };
  t0 = std::chrono::steady_clock::now();
  Eigen::MatrixXd final_inputs;
  if (o.optimizer == DesignOptimizer::grad) {
    final_inputs =
        gradient_ascent(score, start, o.steps, o.lr_scale * std::sqrt(double(inputs.cols())));
  } else {
    offline::CmaesOptions co = o.cmaes;
    co.seed = derive_seed(o.seed, {0xc3a});
    final_inputs = cmaes_ascent(score, start, co);
  }
  res.optimise_seconds = seconds_since(t0);
  res.designs = enc.decode(final_inputs);
  // Predictions at the designs as they will be measured (decoded, re-encoded: for sequences
  // the arg-max letters, not the relaxed logits).
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor xe = to_tensor(enc.encode(res.designs));
    torch::Tensor mean = torch::zeros({xe.size(0)}), sd = torch::zeros({xe.size(0)});
    mean = aggregate_mean(members, xe, o.aggregation);
    for (auto& m : members) sd = sd + m->forward(xe).std;
    sd = sd / double(members.size());
    const Eigen::MatrixXd mm = to_matrix(mean.unsqueeze(1)), ss = to_matrix(sd.unsqueeze(1));
    res.predicted_mean = (mm.col(0).array() * y_scale + y_mean).matrix();
    res.predicted_std = ss.col(0) * y_scale;
    // COMs trains the mean only: its s.d. head stays at its initial value and means nothing.
    if (o.train.loss == SurrogateLoss::coms) res.predicted_std.setConstant(NAN);
  }
  if (!res.predicted_mean.allFinite() || !res.designs.allFinite()) {  // (s.d. may be NaN: COMs)
    res.status = Status::diverged;
    res.message = "the design optimiser produced non-finite designs or predictions";
    return res;
  }
  if (task.has_oracle()) {
    res.oracle_values = task.oracle(res.designs);
    res.scores = offline::percentile_scores(task, res.oracle_values);
  }
  res.message += "trained " + std::to_string(members.size()) + " surrogate(s), proposed " +
                 std::to_string(k) + " designs";
  return res;
}

}  // namespace descent::offline_torch
