#include "descent/evo_torch/elastic_cnn.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>

#include <unistd.h>

#include "descent/core/error.hpp"
#include "descent/core/rng.hpp"
#include "descent/core/timer.hpp"
#include "descent/data/datasets.hpp"

namespace descent::evo_torch {

namespace {

constexpr int kMaxWidth = 24, kMaxKernel = 5, kClasses = 10, kSide = 8;

/// The spatial side of the output of stage s (8, 4, 2: stride 2 from stage 2 on).
int side_after_stage(int s) {
  return kSide >> s;
}

std::string key_of(const Subnet& s) {
  std::string k;
  for (int b = 0; b < kBlocks; ++b)
    k += std::to_string(s.kernel[b]) + "," + std::to_string(s.width[b]) + ";";
  for (int d : s.depth) k += std::to_string(d);
  return k;
}

torch::Tensor images_of(const data::Dataset& d) {
  auto x = torch::empty({d.size(), 1, kSide, kSide}, torch::kFloat32);
  auto a = x.accessor<float, 4>();
  for (Eigen::Index i = 0; i < d.size(); ++i)
    for (int p = 0; p < kSide * kSide; ++p)
      a[i][0][p / kSide][p % kSide] = static_cast<float>(d.features(i, p));
  return x;
}

torch::Tensor labels_of(const data::Dataset& d) {
  auto y = torch::empty({d.size()}, torch::kInt64);
  for (Eigen::Index i = 0; i < d.size(); ++i) y[i] = static_cast<std::int64_t>(d.targets(i));
  return y;
}

/// One LibTorch thread while it lives, the previous count restored however the scope ends:
/// training and evaluation give the same bits whatever --threads says (two intra-op threads
/// sum convolutions in another order), and latency is measured on one thread as specified.
struct OneThread {
  int saved = torch::get_num_threads();
  OneThread() { torch::set_num_threads(1); }
  ~OneThread() { torch::set_num_threads(saved); }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;
};

Subnet random_subnet(Rng& rng) {
  Subnet s;
  std::uniform_int_distribution<int> k(0, 1), w(0, 2), d(0, 2);
  for (int b = 0; b < kBlocks; ++b) {
    s.kernel[b] = kKernels[k(rng)];
    s.width[b] = kWidths[w(rng)];
  }
  for (int st = 0; st < kStages; ++st) s.depth[st] = kDepths[d(rng)];
  return s;
}

}  // namespace

evo::SearchSpace digits_elastic_space() {
  std::vector<evo::Variable> v;
  for (int b = 0; b < kBlocks; ++b) v.push_back({"ks_" + std::to_string(b), {3, 5}});
  for (int b = 0; b < kBlocks; ++b) v.push_back({"w_" + std::to_string(b), {8, 16, 24}});
  for (int s = 0; s < kStages; ++s) v.push_back({"d_" + std::to_string(s), {1, 2, 3}});
  return evo::SearchSpace(std::move(v));
}

Subnet Subnet::from_indices(const Eigen::Ref<const Eigen::RowVectorXd>& x) {
  if (x.size() != 2 * kBlocks + kStages)
    throw Error("digits-elastic: a configuration has 21 variables, got " +
                std::to_string(x.size()));
  auto index = [&](int i, int n) {
    const double v = x(i);
    if (v != std::round(v) || v < 0 || v >= n)
      throw Error("digits-elastic: variable " + std::to_string(i) + " = " + std::to_string(v) +
                  " is not an index in 0.." + std::to_string(n - 1));
    return static_cast<std::size_t>(v);
  };
  Subnet s;
  for (int b = 0; b < kBlocks; ++b) {
    s.kernel[b] = kKernels[index(b, 2)];
    s.width[b] = kWidths[index(kBlocks + b, 3)];
  }
  for (int st = 0; st < kStages; ++st) s.depth[st] = kDepths[index(2 * kBlocks + st, 3)];
  return s;
}

Subnet Subnet::largest() {
  Subnet s;
  s.kernel.fill(5);
  s.width.fill(24);
  s.depth.fill(3);
  return s;
}

Subnet Subnet::smallest() {
  Subnet s;
  s.kernel.fill(3);
  s.width.fill(8);
  s.depth.fill(1);
  return s;
}

double Subnet::macs() const {
  double total = 0;
  int in = 1;
  for (int st = 0; st < kStages; ++st) {
    const double out_side = side_after_stage(st);
    for (int j = 0; j < depth[static_cast<std::size_t>(st)]; ++j) {
      const auto b = static_cast<std::size_t>(st * kBlocksPerStage + j);
      total += out_side * out_side * kernel[b] * kernel[b] * in * width[b];
      in = width[b];
    }
  }
  return total + static_cast<double>(kClasses * in);
}

ElasticCnnImpl::ElasticCnnImpl() {
  for (int b = 0; b < kBlocks; ++b) {
    const int in_max = b == 0 ? 1 : kMaxWidth;
    // torch::nn::Conv2d's default initialisation for the largest fan-in: U(±1/√fan_in).
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_max * kMaxKernel * kMaxKernel));
    std::string w = "w", bias = "b";
    w += std::to_string(b);
    bias += std::to_string(b);
    weight_.push_back(register_parameter(
        w, torch::empty({kMaxWidth, in_max, kMaxKernel, kMaxKernel}).uniform_(-bound, bound)));
    bias_.push_back(register_parameter(bias, torch::empty({kMaxWidth}).uniform_(-bound, bound)));
  }
  const double hb = 1.0 / std::sqrt(static_cast<double>(kMaxWidth));
  head_weight_ =
      register_parameter("head_w", torch::empty({kClasses, kMaxWidth}).uniform_(-hb, hb));
  head_bias_ = register_parameter("head_b", torch::empty({kClasses}).uniform_(-hb, hb));
}

torch::Tensor ElasticCnnImpl::forward(const torch::Tensor& images, const Subnet& s) {
  torch::Tensor x = images;
  int in = 1;
  for (int st = 0; st < kStages; ++st)
    for (int j = 0; j < s.depth[static_cast<std::size_t>(st)]; ++j) {
      const auto b = static_cast<std::size_t>(st * kBlocksPerStage + j);
      const int k = s.kernel[b], w = s.width[b], off = (kMaxKernel - k) / 2;
      const auto weight =
          weight_[b].slice(0, 0, w).slice(1, 0, in).slice(2, off, off + k).slice(3, off, off + k);
      const int stride = (j == 0 && st > 0) ? 2 : 1;
      x = torch::relu(torch::conv2d(x, weight, bias_[b].slice(0, 0, w), stride, k / 2));
      in = w;
    }
  x = x.mean({2, 3});
  return torch::linear(x, head_weight_.slice(1, 0, in), head_bias_);
}

DigitsSupernet::DigitsSupernet(const SupernetOptions& o, const std::string& checkpoint) {
  if (o.steps < 0 || o.batch < 1 || !(o.learning_rate > 0) || o.random_subnets < 0)
    throw InvalidOption("supernet", "needs steps >= 0, batch >= 1, learning_rate > 0");
  const auto digits = data::load("digits");
  // 359 held-out images (a stratified, seeded fifth; the spec says about 360), the rest for
  // training.
  const auto [train, test] = data::train_validation_split(digits, 0.2, 0x44494749);  // "DIGI"
  test_x_ = images_of(test);
  test_y_ = labels_of(test);
  torch::manual_seed(derive_seed(o.seed, {0x53555045}));  // "SUPE": the initial weights
  net_ = ElasticCnn();
  if (!checkpoint.empty() && std::filesystem::exists(checkpoint)) {
    torch::load(net_, checkpoint);
    net_->eval();
    return;
  }
  const OneThread one_thread;
  Stopwatch clock;
  const torch::Tensor x = images_of(train), y = labels_of(train);
  torch::optim::Adam opt(net_->parameters(), torch::optim::AdamOptions(o.learning_rate));
  Rng rng = make_rng(o.seed, {0x53414e44});  // "SAND"
  std::uniform_int_distribution<std::int64_t> pick(0, x.size(0) - 1);
  for (int step = 0; step < o.steps; ++step) {
    auto idx = torch::empty({o.batch}, torch::kInt64);
    for (int i = 0; i < o.batch; ++i) idx[i] = pick(rng);
    const torch::Tensor bx = x.index_select(0, idx), by = y.index_select(0, idx);
    const double lr =
        0.5 * o.learning_rate * (1 + std::cos(std::numbers::pi * step / std::max(1, o.steps)));
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    opt.zero_grad();
    std::vector<Subnet> sandwich{Subnet::largest(), Subnet::smallest()};
    for (int r = 0; r < o.random_subnets; ++r) sandwich.push_back(random_subnet(rng));
    for (const auto& s : sandwich) torch::cross_entropy_loss(net_->forward(bx, s), by).backward();
    opt.step();
  }
  net_->eval();
  train_seconds_ = clock.seconds();
  if (!checkpoint.empty()) {
    // Saved under a temporary name and renamed: a kill never leaves half a checkpoint, and
    // the ranks of an MPI job (each training the same supernet) never interleave their writes.
    const std::string temp = checkpoint + ".tmp." + std::to_string(::getpid());
    torch::save(net_, temp);
    std::filesystem::rename(temp, checkpoint);
  }
}

double DigitsSupernet::accuracy(const Subnet& s) {
  const std::string k = key_of(s);
  if (const auto it = accuracy_cache_.find(k); it != accuracy_cache_.end()) return it->second;
  torch::NoGradGuard no_grad;
  const OneThread one_thread;
  const auto correct = net_->forward(test_x_, s).argmax(1).eq(test_y_).sum().item<std::int64_t>();
  const double acc = 100.0 * static_cast<double>(correct) / static_cast<double>(test_y_.size(0));
  accuracy_cache_[k] = acc;
  return acc;
}

double DigitsSupernet::latency_ms(const Subnet& s) {
  const std::string k = key_of(s);
  if (const auto it = latency_cache_.find(k); it != latency_cache_.end()) return it->second;
  torch::NoGradGuard no_grad;
  const OneThread one_thread;
  const torch::Tensor one = test_x_.slice(0, 0, 1);
  for (int i = 0; i < 5; ++i) net_->forward(one, s);
  std::vector<double> times;
  for (int i = 0; i < 20; ++i) {
    Stopwatch clock;
    net_->forward(one, s);
    times.push_back(1e3 * clock.seconds());
  }
  std::sort(times.begin(), times.end());
  const double median = 0.5 * (times[9] + times[10]);
  latency_cache_[k] = median;
  return median;
}

void DigitsSupernet::evaluate(const Eigen::MatrixXd& X, Eigen::MatrixXd& F,
                              const std::vector<std::string>& objectives) {
  F.resize(X.rows(), static_cast<Eigen::Index>(objectives.size()));
  for (Eigen::Index r = 0; r < X.rows(); ++r) {
    const Subnet s = Subnet::from_indices(X.row(r));
    for (std::size_t k = 0; k < objectives.size(); ++k) {
      const auto& o = objectives[k];
      double v;
      if (o == "accuracy")
        v = -accuracy(s);
      else if (o == "error")
        v = 100.0 - accuracy(s);
      else if (o == "latency")
        v = latency_ms(s);
      else if (o == "macs")
        v = s.macs() / 1e3;
      else
        throw InvalidOption(
            "objectives", "digits-elastic has accuracy, error, latency and macs, not '" + o + "'");
      F(r, static_cast<Eigen::Index>(k)) = v;
    }
  }
}

}  // namespace descent::evo_torch
