// NoProp-DT: model, block-local training, the back-propagation baseline and inference.
#include "descent/noprop/noprop.hpp"

#include <chrono>
#include <cmath>

#include "descent/core/error.hpp"

namespace descent::noprop {

void NoPropOptions::validate() const {
  if (blocks < 1) throw InvalidOption("blocks", "must be >= 1");
  if (embedding != "onehot" && embedding != "learned")
    throw InvalidOption("embedding", "must be onehot or learned, got '" + embedding + "'");
  if (embedding_dim < 1) throw InvalidOption("embedding_dim", "must be >= 1");
  if (!(eta > 0.0) || !std::isfinite(eta)) throw InvalidOption("eta", "must be finite and > 0");
  if (block != "mlp" && block != "cnn")
    throw InvalidOption("block", "must be mlp or cnn, got '" + block + "'");
  if (hidden < 1) throw InvalidOption("hidden", "must be >= 1");
  if (epochs < 1) throw InvalidOption("epochs", "must be >= 1");
  if (batch < 1) throw InvalidOption("batch", "must be >= 1");
  if (!(lr > 0.0) || !std::isfinite(lr)) throw InvalidOption("lr", "must be finite and > 0");
  if (!(weight_decay >= 0.0) || !std::isfinite(weight_decay))
    throw InvalidOption("weight_decay", "must be finite and >= 0");
}

BlockImpl::BlockImpl(const train::InputShape& input, std::int64_t embed_dim, std::int64_t classes,
                     std::int64_t hidden, const std::string& kind)
    : input_(input), conv_(kind == "cnn") {
  namespace nn = torch::nn;
  if (kind == "cnn") {
    if (!input.is_image() || input.height < 4 || input.width < 4)
      throw InvalidOption("block", "cnn blocks need image inputs of at least 4×4");
    const std::int64_t flat = 32 * (input.height / 4) * (input.width / 4);
    image_ = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(input.channels, 16, 3).padding(1)),
                            nn::ReLU(), nn::MaxPool2d(2),
                            nn::Conv2d(nn::Conv2dOptions(16, 32, 3).padding(1)), nn::ReLU(),
                            nn::MaxPool2d(2), nn::Flatten(), nn::Linear(flat, hidden), nn::ReLU());
  } else {
    image_ = nn::Sequential(nn::Linear(input.features(), hidden), nn::ReLU());
  }
  label_ = nn::Sequential(nn::Linear(embed_dim, hidden), nn::ReLU());
  merge_ = nn::Sequential(nn::Linear(2 * hidden, hidden), nn::ReLU(), nn::Linear(hidden, classes));
  register_module("image", image_);
  register_module("label", label_);
  register_module("merge", merge_);
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& z) {
  torch::Tensor xi = x;
  if (conv_) xi = x.view({x.size(0), input_.channels, input_.height, input_.width});
  return merge_->forward(torch::cat({image_->forward(xi), label_->forward(z)}, 1));
}

NoPropDTImpl::NoPropDTImpl(const train::InputShape& input, std::int64_t classes,
                           const NoPropOptions& o)
    : schedule_(NoiseSchedule::cosine(o.blocks)),
      classes_(classes),
      learned_(o.embedding == "learned") {
  o.validate();
  if (classes < 2) throw InvalidOption("classes", "NoProp needs at least 2 classes");
  const std::int64_t d = learned_ ? o.embedding_dim : classes;
  for (int t = 1; t <= o.blocks; ++t)
    blocks_.push_back(
        register_module("block" + std::to_string(t), Block(input, d, classes, o.hidden, o.block)));
  if (learned_) {
    torch::Tensor e = torch::empty({classes, d});
    torch::nn::init::orthogonal_(e);
    embed_ = register_parameter("embedding", e);
  } else {
    embed_ = register_buffer("embedding", torch::eye(classes));
  }
  out_ = register_module("classifier", torch::nn::Linear(d, classes));
}

std::vector<torch::Tensor> NoPropDTImpl::head_parameters() const {
  std::vector<torch::Tensor> p = out_->parameters();
  if (learned_) p.push_back(embed_);
  return p;
}

torch::Tensor NoPropDTImpl::logits(int t, const torch::Tensor& x, const torch::Tensor& z) {
  return block(t)->forward(x, z);
}

torch::Tensor NoPropDTImpl::denoise(int t, const torch::Tensor& x, const torch::Tensor& z) {
  return torch::softmax(logits(t, x, z), 1).matmul(embed_);
}

torch::Tensor NoPropDTImpl::classify(const torch::Tensor& z) {
  return out_->forward(z);
}

torch::Tensor NoPropDTImpl::infer(const torch::Tensor& x, bool noise, std::uint64_t seed) {
  const std::int64_t n = x.size(0), d = embed_.size(1);
  at::Generator gen = at::detail::createCPUGenerator(seed);
  torch::Tensor z = noise ? torch::randn({n, d}, gen) : torch::zeros({n, d});
  for (int t = 1; t <= blocks(); ++t) {
    z = schedule_.a(t) * denoise(t, x, z) + schedule_.b(t) * z;
    if (noise) z = z + std::sqrt(schedule_.c(t)) * torch::randn({n, d}, gen);
  }
  return classify(z);
}

torch::Tensor NoPropDTImpl::chain(const torch::Tensor& x) {
  torch::Tensor z = torch::zeros({x.size(0), embed_.size(1)});
  for (int t = 1; t <= blocks(); ++t) z = schedule_.a(t) * denoise(t, x, z) + schedule_.b(t) * z;
  return classify(z);
}

Trainer::Trainer(NoPropDT model, const NoPropOptions& options)
    : model_(std::move(model)), options_(options) {
  const auto opts = torch::optim::AdamWOptions(options.lr).weight_decay(options.weight_decay);
  for (int t = 1; t <= model_->blocks(); ++t)
    block_opt_.push_back(
        std::make_unique<torch::optim::AdamW>(model_->block(t)->parameters(), opts));
  head_opt_ = std::make_unique<torch::optim::AdamW>(model_->head_parameters(), opts);
}

StepLoss Trainer::step(int t, const torch::Tensor& x, const torch::Tensor& y) {
  if (t < 1 || t > model_->blocks())
    throw Error("noprop::Trainer::step: no block " + std::to_string(t));
  const NoiseSchedule& s = model_->schedule();
  const int T = model_->blocks();
  torch::optim::AdamW& opt = *block_opt_[static_cast<std::size_t>(t - 1)];
  opt.zero_grad();
  head_opt_->zero_grad();
  const torch::Tensor u = model_->embedding().index_select(0, y);  // u_y
  // z_{t−1} and z_T drawn from the closed-form marginals: no other block is run.
  const torch::Tensor z_prev = std::sqrt(s.alpha_bar(t - 1)) * u +
                               std::sqrt(1.0 - s.alpha_bar(t - 1)) * torch::randn_like(u);
  const torch::Tensor z_last =
      std::sqrt(s.alpha_bar(T)) * u + std::sqrt(1.0 - s.alpha_bar(T)) * torch::randn_like(u);
  const torch::Tensor ce = torch::nn::functional::cross_entropy(model_->classify(z_last), y);
  const double ab0 = s.alpha_bar(0);
  const torch::Tensor kl =
      0.5 * ((1.0 - ab0) + ab0 * u.pow(2) - 1.0 - std::log(1.0 - ab0)).sum(1).mean();
  const torch::Tensor den = (0.5 * T * options_.eta * (s.snr(t) - s.snr(t - 1))) *
                            (model_->denoise(t, x, z_prev) - u).pow(2).sum(1).mean();
  const torch::Tensor loss = ce + kl + den;
  loss.backward();
  opt.step();
  head_opt_->step();
  return {loss.item<double>(), ce.item<double>(), kl.item<double>(), den.item<double>()};
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A seeded shuffle of 0..n−1 as an int64 tensor (torch's global generator).
torch::Tensor shuffled(std::int64_t n) {
  return torch::randperm(n, torch::kLong);
}

void check_split(const train::DataSplit& split) {
  if (split.train.size() < 1 || split.test.size() < 1)
    throw Error("noprop: the training and test sets must not be empty");
}

}  // namespace

std::vector<EpochReport> train_noprop(NoPropDT model, const train::DataSplit& split,
                                      const NoPropOptions& o, const EpochCallback& on_epoch) {
  o.validate();
  check_split(split);
  torch::manual_seed(o.seed);
  Trainer trainer(model, o);
  std::vector<EpochReport> out;
  const std::int64_t n = split.train.size();
  for (int e = 1; e <= o.epochs; ++e) {
    const auto start = std::chrono::steady_clock::now();
    model->train();
    double total = 0;
    std::int64_t steps = 0;
    for (int t = 1; t <= model->blocks(); ++t) {
      const torch::Tensor order = shuffled(n);
      for (std::int64_t b = 0; b < n; b += o.batch) {
        const torch::Tensor idx = order.slice(0, b, std::min(n, b + o.batch));
        total +=
            trainer.step(t, split.train.x.index_select(0, idx), split.train.y.index_select(0, idx))
                .total;
        ++steps;
      }
    }
    EpochReport r;
    r.epoch = e;
    r.seconds = seconds_since(start);
    r.train_loss = total / double(steps);
    r.test_accuracy = accuracy(model, split.test, o.inference_noise, false, o.seed);
    out.push_back(r);
    if (!std::isfinite(r.train_loss)) break;
    if (on_epoch && !on_epoch(r)) break;
  }
  return out;
}

std::vector<EpochReport> train_backprop(NoPropDT model, const train::DataSplit& split,
                                        const NoPropOptions& o, const EpochCallback& on_epoch) {
  o.validate();
  check_split(split);
  torch::manual_seed(o.seed);
  torch::optim::AdamW opt(model->parameters(),
                          torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay));
  std::vector<EpochReport> out;
  const std::int64_t n = split.train.size();
  for (int e = 1; e <= o.epochs; ++e) {
    const auto start = std::chrono::steady_clock::now();
    model->train();
    double total = 0;
    std::int64_t steps = 0;
    const torch::Tensor order = shuffled(n);
    for (std::int64_t b = 0; b < n; b += o.batch) {
      const torch::Tensor idx = order.slice(0, b, std::min(n, b + o.batch));
      opt.zero_grad();
      const torch::Tensor loss = torch::nn::functional::cross_entropy(
          model->chain(split.train.x.index_select(0, idx)), split.train.y.index_select(0, idx));
      loss.backward();
      opt.step();
      total += loss.item<double>();
      ++steps;
    }
    EpochReport r;
    r.epoch = e;
    r.seconds = seconds_since(start);
    r.train_loss = total / double(steps);
    r.test_accuracy = accuracy(model, split.test, false, true);
    out.push_back(r);
    if (!std::isfinite(r.train_loss)) break;
    if (on_epoch && !on_epoch(r)) break;
  }
  return out;
}

double accuracy(NoPropDT model, const train::TensorDataset& data, bool noise, bool use_chain,
                std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  model->eval();
  std::int64_t hits = 0;
  const std::int64_t n = data.size();
  for (std::int64_t b = 0; b < n; b += 1024) {
    const std::int64_t e = std::min(n, b + 1024);
    const torch::Tensor x = data.x.slice(0, b, e);
    const torch::Tensor logits =
        use_chain ? model->chain(x) : model->infer(x, noise, seed + std::uint64_t(b));
    hits += logits.argmax(1).eq(data.y.slice(0, b, e)).sum().item<std::int64_t>();
  }
  return n > 0 ? double(hits) / double(n) : 0.0;
}

}  // namespace descent::noprop
