#include "descent/offline_torch/trainer.hpp"

#include <chrono>
#include <cmath>
#include <random>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"

namespace descent::offline_torch {

SurrogateLoss surrogate_loss_from_string(const std::string& s) {
  if (s == "maximum_likelihood" || s == "nll" || s == "grad")
    return SurrogateLoss::maximum_likelihood;
  if (s == "coms") return SurrogateLoss::coms;
  throw InvalidOption("loss", "must be maximum_likelihood or coms, got '" + s + "'");
}

std::string_view to_string(SurrogateLoss l) noexcept {
  return l == SurrogateLoss::coms ? "coms" : "maximum_likelihood";
}

void TrainOptions::validate() const {
  if (epochs < 1) throw InvalidOption("epochs", "must be >= 1");
  if (batch < 1) throw InvalidOption("batch", "must be >= 1");
  if (!(lr > 0.0) || !std::isfinite(lr)) throw InvalidOption("lr", "must be finite and > 0");
  if (validation < 0) throw InvalidOption("validation", "must be >= 0");
  if (!(coms_alpha >= 0.0) || !std::isfinite(coms_alpha))
    throw InvalidOption("coms_alpha", "must be finite and >= 0");
  if (coms_steps < 1) throw InvalidOption("coms_steps", "must be >= 1");
  if (!(coms_lr > 0.0) || !std::isfinite(coms_lr))
    throw InvalidOption("coms_lr", "must be finite and > 0");
  if (!(sharpness_rho > 0.0)) throw InvalidOption("sharpness_rho", "must be > 0");
}

namespace {

torch::Tensor index_tensor(const std::vector<Eigen::Index>& idx, std::size_t from, std::size_t to) {
  std::vector<std::int64_t> v(idx.begin() + std::ptrdiff_t(from), idx.begin() + std::ptrdiff_t(to));
  return torch::tensor(v, torch::kLong);
}

// COMs' adversarial designs: a few ascent steps on the current mean from the batch.
torch::Tensor coms_particles(GaussianMlp& model, const torch::Tensor& xb, const TrainOptions& o) {
  const double step = o.coms_lr * std::sqrt(double(xb.size(1)));
  torch::Tensor x = xb.detach().clone();
  for (int s = 0; s < o.coms_steps; ++s) {
    x.requires_grad_(true);
    const torch::Tensor score = model->mean(x).sum();
    const torch::Tensor g = torch::autograd::grad({score}, {x})[0];
    x = (x + step * g).detach();
  }
  return x;
}

}  // namespace

double heldout_sharpness(GaussianMlp& model, const torch::Tensor& x, int batch, double rho) {
  const std::int64_t n = x.size(0);
  if (batch < 1) throw InvalidOption("batch", "must be >= 1");
  if (n == 0) return NAN;
  const auto params = model->parameters();
  double total = 0.0;
  int batches = 0;
  for (std::int64_t from = 0; from < n; from += batch, ++batches) {
    const torch::Tensor xb = x.slice(0, from, std::min<std::int64_t>(n, from + batch));
    total += surrogate_sharpness([&] { return model->mean(xb).mean(); }, params, rho);
  }
  return total / batches;
}

TrainResult train_surrogate(GaussianMlp& model, const torch::Tensor& x, const torch::Tensor& y,
                            const TrainOptions& o, SharpnessRegularizer& reg,
                            const EpochCallback& on_epoch) {
  o.validate();
  const std::int64_t n = x.size(0);
  if (n < 2 || y.size(0) != n) throw Error("train_surrogate: need >= 2 rows and one y per row");
  Rng rng = make_rng(o.seed, {0x7a1});
  const auto perm = permutation(rng, n);
  const std::int64_t held = std::min<std::int64_t>(o.validation, n / 10);
  std::vector<Eigen::Index> train_rows(perm.begin() + held, perm.end());
  const torch::Tensor xv = x.index_select(0, index_tensor(perm, 0, std::size_t(held)));
  const torch::Tensor yv = y.index_select(0, index_tensor(perm, 0, std::size_t(held)));
  std::vector<float> weight(std::size_t(n), 1.0f);
  if (o.bootstrap) {
    std::poisson_distribution<int> poisson(1.0);
    for (auto& w : weight) w = float(poisson(rng));
  }
  const torch::Tensor w_all = torch::tensor(weight);
  const auto params = model->parameters();
  torch::optim::Adam adam(params, torch::optim::AdamOptions(o.lr));
  const bool is_ignite = reg.active();
  const double eps = reg.options().epsilon;

  TrainResult res;
  res.lambda_initial = reg.lambda();
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto order = permutation(rng, Eigen::Index(train_rows.size()));
    std::vector<Eigen::Index> rows(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) rows[i] = train_rows[std::size_t(order[i])];
    double loss_sum = 0.0, sharp_sum = 0.0;
    int batches = 0, within = 0;
    for (std::size_t from = 0; from < rows.size(); from += std::size_t(o.batch)) {
      const std::size_t to = std::min(rows.size(), from + std::size_t(o.batch));
      const torch::Tensor idx = index_tensor(rows, from, to);
      const torch::Tensor xb = x.index_select(0, idx), yb = y.index_select(0, idx),
                          wb = w_all.index_select(0, idx);
      const torch::Tensor wsum = wb.sum();
      torch::Tensor loss;
      if (o.loss == SurrogateLoss::maximum_likelihood) {
        loss = wsum.item<float>() > 0 ? (wb * model->nll(xb, yb)).sum() / wsum
                                      : model->nll(xb, yb).sum() * 0.0;
      } else {
        const torch::Tensor xt = coms_particles(model, xb, o);
        const torch::Tensor mb = model->mean(xb);
        const torch::Tensor mse = wsum.item<float>() > 0 ? (wb * (mb - yb).square()).sum() / wsum
                                                         : (mb - yb).square().sum() * 0.0;
        loss = mse + o.coms_alpha * (model->mean(xt).mean() - mb.mean());
      }
      const double lv = loss.item<double>();
      if (!std::isfinite(lv)) {
        res.status = Status::diverged;
        res.message = "the training loss became non-finite at epoch " + std::to_string(epoch);
        return res;
      }
      auto grads = torch::autograd::grad({loss}, params, {}, false, false, /*allow_unused=*/true);
      for (std::size_t i = 0; i < grads.size(); ++i)
        if (!grads[i].defined()) grads[i] = torch::zeros_like(params[i]);
      const SharpnessStep s = reg.apply([&] { return model->mean(xb).mean(); }, params, grads);
      if (is_ignite && !std::isfinite(s.grad_norm)) {
        res.status = Status::diverged;
        res.message =
            "the surrogate's gradient norm became non-finite at epoch " + std::to_string(epoch);
        return res;
      }
      if (is_ignite) {
        sharp_sum += s.sharpness;
        within += s.sharpness <= eps ? 1 : 0;
        res.lambda_trace.push_back(s.lambda_after);
        res.grad_norm_trace.push_back(s.grad_norm);
      }
      for (std::size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = grads[i];
      adam.step();
      loss_sum += lv;
      ++batches;
      ++res.steps;
    }
    EpochLog log;
    log.epoch = epoch;
    log.train_loss = loss_sum / std::max(1, batches);
    if (held > 0) {
      torch::NoGradGuard g;
      log.validation_nll = model->nll(xv, yv).mean().item<double>();
    }
    if (is_ignite) {
      log.lambda = reg.lambda();
      log.mean_sharpness = sharp_sum / std::max(1, batches);
      log.within_epsilon = double(within) / std::max(1, batches);
    }
    log.heldout_sharpness = heldout_sharpness(model, xv, o.batch, o.sharpness_rho);
    log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    res.epochs.push_back(log);
    res.heldout_sharpness = log.heldout_sharpness;
    if (!std::isfinite(log.train_loss)) {
      res.status = Status::diverged;
      res.message = "non-finite training loss at epoch " + std::to_string(epoch);
      return res;
    }
    if (on_epoch && !on_epoch(log)) {
      res.status = Status::stopped;
      res.message = "stopped after epoch " + std::to_string(epoch);
      return res;
    }
  }
  res.message = std::to_string(o.epochs) + " epochs";
  return res;
}

}  // namespace descent::offline_torch
